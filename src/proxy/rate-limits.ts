/**
 * Proactive rate limiting of provider calls: a call waits for its turn instead of failing.
 *
 * Per key (provider + integration + connection, or provider + integration for limits of scope
 * `integration`), in this order:
 * 1. a hold: after the provider said "no more" (remaining header at 0, a 429 with Retry-After or
 *    the definition's cooldown), calls wait until the time it named;
 * 2. the `concurrency` limit: a small semaphore, the slot kept until the response body is done;
 * 3. the request rate, with rate-limiter-flexible. `requests` per `windowSeconds` is enforced as
 *    one request per `windowSeconds / requests` (plus a 2 % margin for network jitter): a fixed
 *    window of `requests` points would allow twice the limit across a window boundary, while
 *    evenly spaced requests never exceed it in any window, however the provider aligns its
 *    windows. A `burst` is therefore not spent: pacing at the sustained rate never overflows the
 *    provider's bucket. The limiter is in memory by default; `createLimiter` gives a shared
 *    store (RateLimiterPostgres, RateLimiterRedis…) so several processes share one budget.
 * Waiting calls are served first come, first served within a process.
 */
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimit } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import { Semaphore } from '../concurrency/semaphore.ts';
import { realSleep, type Sleep } from '../concurrency/sleep.ts';
import type { Logger } from '../logger/index.ts';
import { parseRetryAfter } from '../values/retry-after.ts';
import { remainingRequests, resetDelay } from './retry-policy.ts';

/**
 * Makes the limiter of one rate (`points` per `duration` seconds; the duration is fractional:
 * RateLimiterMemory and RateLimiterPostgres keep milliseconds, while RateLimiterRedis sets whole
 * seconds and so needs a rate whose interval is a whole number of seconds).
 */
export type RateLimiterFactory = (spec: {
  keyPrefix: string;
  points: number;
  duration: number;
}) => RateLimiterAbstract;

export interface ProviderRateLimitsOptions {
  clock: Clock;
  logger: Logger;
  /** Waits for holds, measured on `clock` (tests inject a sleep that moves a manual clock). */
  sleep?: Sleep;
  /** Default: RateLimiterMemory. The limiter keeps its own (wall-clock) time. */
  createLimiter?: RateLimiterFactory;
  /** Longest hold a provider's answer may impose on later calls. Default 60 s. */
  maxHoldMs?: number;
}

export interface ProviderRateLimits {
  /**
   * Waits until a call under `key` may start; the returned function releases its concurrency
   * slot (call it once the response body is finished).
   */
  acquire(key: string, limit: RateLimit | undefined, signal?: AbortSignal): Promise<() => void>;
  /**
   * Learns from a response: holds the key while the provider says it is exhausted. Returns the
   * wait the provider asked for (Retry-After, else its reset header, else the definition's
   * cooldown after a 429), or undefined when it asked for none.
   */
  observe(
    key: string,
    limit: RateLimit | undefined,
    status: number,
    headers: Readonly<Record<string, string>>,
  ): number | undefined;
}

// Evenly spaced requests a little further apart than the limit needs, so that network jitter
// between our send and the provider's receipt cannot put one request too many in its window.
const PACING_MARGIN = 1.02;

export function createProviderRateLimits(options: ProviderRateLimitsOptions): ProviderRateLimits {
  const { clock, logger } = options;
  const sleep = options.sleep ?? realSleep;
  const maxHoldMs = options.maxHoldMs ?? 60_000;
  const createLimiter = options.createLimiter ?? ((spec) => new RateLimiterMemory(spec));
  const limiters = new Map<string, RateLimiterAbstract>();
  const holds = new Map<string, number>();
  const semaphores = new Map<string, Semaphore>();
  const queues = new Map<string, Promise<void>>();

  const limiterFor = (limit: RateLimit): RateLimiterAbstract | undefined => {
    if (limit.requests === undefined || limit.windowSeconds === undefined) return undefined;
    const keyPrefix = `proxy:${limit.requests}/${limit.windowSeconds}s`;
    let limiter = limiters.get(keyPrefix);
    if (!limiter) {
      limiter = createLimiter({
        keyPrefix,
        points: 1,
        duration: (limit.windowSeconds / limit.requests) * PACING_MARGIN,
      });
      limiters.set(keyPrefix, limiter);
    }
    return limiter;
  };

  const waitForHold = async (key: string, signal?: AbortSignal) => {
    for (;;) {
      const until = holds.get(key);
      const now = clock.now();
      if (until === undefined) return;
      if (until <= now) {
        holds.delete(key);
        return;
      }
      await sleep(until - now, signal);
    }
  };

  const takeToken = async (key: string, limiter: RateLimiterAbstract, signal?: AbortSignal) => {
    for (;;) {
      await waitForHold(key, signal);
      try {
        await limiter.consume(key);
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) {
          // The limit protects the provider relationship; an outage of its shared store should not
          // stop every call. The provider's own 429s still slow us down.
          logger.warn({ err: rejection, key }, 'proxy rate limiter unavailable; call allowed');
          return;
        }
        await realSleep(Math.max(1, rejection.msBeforeNext), signal);
      }
    }
  };

  return {
    async acquire(key, limit, signal) {
      signal?.throwIfAborted();
      let release = () => {};
      if (limit?.concurrency !== undefined) {
        let semaphore = semaphores.get(key);
        if (!semaphore) {
          // Dropped once idle, so one entry per connection does not pile up for the process's life.
          const created: Semaphore = new Semaphore(limit.concurrency, () => {
            if (semaphores.get(key) === created) semaphores.delete(key);
          });
          semaphore = created;
          semaphores.set(key, semaphore);
        }
        release = await semaphore.acquire(signal);
      }
      try {
        const limiter = limit ? limiterFor(limit) : undefined;
        if (!limiter) {
          await waitForHold(key, signal);
          return release;
        }
        // First come, first served: each call waits for the one before it to get its token.
        const previous = queues.get(key) ?? Promise.resolve();
        const mine = previous.then(() => takeToken(key, limiter, signal));
        const tail = mine.catch(() => {});
        queues.set(key, tail);
        try {
          await mine;
        } finally {
          if (queues.get(key) === tail) queues.delete(key);
        }
        return release;
      } catch (error) {
        release();
        throw error;
      }
    },

    observe(key, limit, status, headers) {
      const now = clock.now();
      const retryAfterHeader = limit?.headers.retryAfter ?? 'retry-after';
      let wait: number | undefined;
      if (status === 429 || status === 503) wait = parseRetryAfter(headers[retryAfterHeader], now);
      const remaining = remainingRequests(headers, limit);
      if (wait === undefined && (status === 429 || remaining === 0)) {
        wait = resetDelay(headers, limit, now);
      }
      if (wait === undefined && status === 429 && limit?.cooldownSeconds !== undefined) {
        wait = limit.cooldownSeconds * 1000;
      }
      if (wait === undefined && remaining === 0 && limit?.windowSeconds !== undefined) {
        // Exhausted with no reset time given: sit out one window.
        wait = limit.windowSeconds * 1000;
      }
      if (wait !== undefined && wait > 0 && wait <= maxHoldMs) {
        holds.set(key, Math.max(holds.get(key) ?? 0, now + wait));
      }
      return wait;
    },
  };
}
