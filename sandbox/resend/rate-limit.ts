/**
 * Resend's rate limit (https://resend.com/docs/api-reference/rate-limit): by default 2 requests
 * per second per team, told on every answer in the IETF draft headers `ratelimit-limit`,
 * `ratelimit-remaining` and `ratelimit-reset` (seconds until the window resets), and a 429
 * `rate_limit_exceeded` with `retry-after` past it.
 */

export interface ResendRateLimit {
  requests: number;
  windowSeconds: number;
}

/** Resend's default for a team. */
export const RESEND_DEFAULT_RATE_LIMIT: ResendRateLimit = { requests: 2, windowSeconds: 1 };

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/** A fixed window per API key. */
export class ResendRateLimiter {
  #limit: ResendRateLimit | null;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(limit: ResendRateLimit | null) {
    this.#limit = limit;
  }

  set(limit: ResendRateLimit | null): void {
    this.#limit = limit;
    this.#windows.clear();
  }

  take(key: string, now: number): RateDecision {
    const limit = this.#limit;
    if (!limit) return { allowed: true, headers: {} };
    const span = limit.windowSeconds * 1000;
    let window = this.#windows.get(key);
    if (!window || now - window.start >= span) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    const reset = Math.max(1, Math.ceil((window.start + span - now) / 1000));
    const allowed = window.count < limit.requests;
    if (allowed) window.count += 1;
    const headers: Record<string, string> = {
      'ratelimit-limit': String(limit.requests),
      'ratelimit-remaining': String(limit.requests - window.count),
      'ratelimit-reset': String(reset),
    };
    if (!allowed) headers['retry-after'] = String(reset);
    return { allowed, headers };
  }
}

/** The message of Resend's 429. */
export function rateLimitMessage(limit: ResendRateLimit): string {
  return `Too many requests. You can only make ${limit.requests} requests per ${limit.windowSeconds === 1 ? 'second' : `${limit.windowSeconds} seconds`}. See rate limit response headers for more information.`;
}
