/**
 * Stripe's basic rate limiter: separate allowances for reads (GET) and writes (POST, DELETE) per
 * second, 25 each in test mode (100 in live mode), per account. Counted here in a sliding
 * one-second window per account whose key made the request — the platform for every call it
 * makes on behalf of connected accounts — which is the strictest reading of the documentation.
 * Stripe documents no `Retry-After` for these 429s (its advice is exponential backoff), so none
 * is sent.
 */
import { SlidingWindowLimiter } from '../oauth/rate-limit.ts';
import type { StripeClock } from './context.ts';

/** Requests per second. */
export interface StripeRateLimit {
  read: number;
  write: number;
}

/** Stripe's documented test-mode allowance. */
export const TEST_MODE_RATE_LIMIT: StripeRateLimit = { read: 25, write: 25 };

export class ApiRateLimiter {
  readonly limit: StripeRateLimit;
  readonly #read: SlidingWindowLimiter;
  readonly #write: SlidingWindowLimiter;

  constructor(limit: StripeRateLimit, clock: StripeClock) {
    this.limit = { ...limit };
    this.#read = new SlidingWindowLimiter({ requests: limit.read, windowSeconds: 1 }, clock);
    this.#write = new SlidingWindowLimiter({ requests: limit.write, windowSeconds: 1 }, clock);
  }

  /** Takes a slot for `account`; false when its allowance for this kind of request is used up. */
  take(account: string, method: string): boolean {
    const limiter = method === 'GET' ? this.#read : this.#write;
    return limiter.take(account).ok;
  }
}
