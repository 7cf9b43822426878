import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { PatchbayError } from '../../errors/index.ts';

/**
 * The default per-key limiter: `perMinute` requests per key per minute, in this process's memory.
 * Scale-out passes a shared limiter (RateLimiterRedis, RateLimiterPostgres…) instead, so the
 * limit holds across API processes.
 */
export function createMemoryRateLimiter(perMinute: number): RateLimiterAbstract {
  return new RateLimiterMemory({ keyPrefix: 'api', points: perMinute, duration: 60 });
}

/**
 * Takes one point for `key`. Sets `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (seconds) on every answer; over the limit, adds `Retry-After` and throws `rate_limited`.
 * A limiter that fails (its store is down) lets the request through and logs a warning:
 * the limit protects the service, an outage of its store should not take the API down with it.
 */
export async function applyRateLimit(
  limiter: RateLimiterAbstract,
  key: string,
  reply: FastifyReply,
  log: FastifyBaseLogger,
): Promise<void> {
  try {
    const result = await limiter.consume(key);
    setHeaders(reply, limiter.points, result);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) {
      log.warn({ err: rejection }, 'rate limiter unavailable; request allowed');
      return;
    }
    const retryAfter = setHeaders(reply, limiter.points, rejection);
    reply.header('retry-after', String(retryAfter));
    throw new PatchbayError(
      'rate_limited',
      `Too many requests for this API key: the limit is ${limiter.points} per minute. Retry in ${retryAfter} s.`,
      { details: { limit: limiter.points, retryAfterSeconds: retryAfter } },
    );
  }
}

function setHeaders(reply: FastifyReply, limit: number, result: RateLimiterRes): number {
  const reset = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
  reply.header('ratelimit-limit', String(limit));
  reply.header('ratelimit-remaining', String(Math.max(0, result.remainingPoints)));
  reply.header('ratelimit-reset', String(reset));
  return reset;
}
