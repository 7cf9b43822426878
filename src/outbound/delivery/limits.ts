/**
 * Per-endpoint limits of one process: at most `maxConcurrency` requests in flight, and at most
 * `rateLimitPerSecond` started per second. A delivery over a limit waits for its turn; it never
 * fails for it.
 *
 * The rate is enforced as evenly spaced starts (one per 1/rate s, with rate-limiter-flexible):
 * a fixed window of `rate` points would allow twice the rate across a window boundary, while
 * evenly spaced starts never exceed it in any one-second window. Waiting deliveries are served
 * first come, first served.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { Semaphore } from '../../concurrency/semaphore.ts';
import { realSleep, type Sleep } from '../../concurrency/sleep.ts';

export interface EndpointLimitSettings {
  id: string;
  maxConcurrency: number;
  rateLimitPerSecond: number | null;
}

export interface EndpointLimits {
  /** Waits for a concurrency slot and then for the rate; returns the slot's release. */
  acquire(endpoint: EndpointLimitSettings, signal?: AbortSignal): Promise<() => void>;
}

export function createEndpointLimits(options: { sleep?: Sleep } = {}): EndpointLimits {
  const sleep = options.sleep ?? realSleep;
  const semaphores = new Map<string, Semaphore>();
  const limiters = new Map<number, RateLimiterMemory>();
  const turns = new Map<string, Promise<void>>();

  const semaphoreFor = (endpoint: EndpointLimitSettings): Semaphore => {
    const size = Math.max(1, Math.trunc(endpoint.maxConcurrency));
    // A changed setting takes effect for new deliveries; ones in flight release their old slot.
    const key = `${endpoint.id}:${size}`;
    let semaphore = semaphores.get(key);
    if (!semaphore) {
      semaphore = new Semaphore(size, () => semaphores.delete(key));
      semaphores.set(key, semaphore);
    }
    return semaphore;
  };

  const limiterFor = (rate: number): RateLimiterMemory => {
    let limiter = limiters.get(rate);
    if (!limiter) {
      limiter = new RateLimiterMemory({ keyPrefix: `endpoint:${rate}/s`, points: 1, duration: 1 / rate });
      limiters.set(rate, limiter);
    }
    return limiter;
  };

  const takeTurn = async (id: string, limiter: RateLimiterMemory, signal?: AbortSignal) => {
    for (;;) {
      signal?.throwIfAborted();
      try {
        await limiter.consume(id);
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        await sleep(Math.max(1, rejection.msBeforeNext), signal);
      }
    }
  };

  return {
    async acquire(endpoint, signal) {
      signal?.throwIfAborted();
      const release = await semaphoreFor(endpoint).acquire(signal);
      const rate = endpoint.rateLimitPerSecond;
      if (rate === null || !(rate > 0)) return release;
      try {
        const previous = turns.get(endpoint.id) ?? Promise.resolve();
        const mine = previous.then(() => takeTurn(endpoint.id, limiterFor(rate), signal));
        const tail = mine.catch(() => {});
        turns.set(endpoint.id, tail);
        try {
          await mine;
        } finally {
          if (turns.get(endpoint.id) === tail) turns.delete(endpoint.id);
        }
        return release;
      } catch (error) {
        release();
        throw error;
      }
    },
  };
}
