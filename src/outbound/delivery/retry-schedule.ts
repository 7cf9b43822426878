/**
 * When a failed scheduled attempt is tried again: the schedule's next delay with jitter, pushed
 * back by a receiver's `Retry-After` on 429 and 503 (RFC 9110 §10.2.3, seconds or an HTTP date).
 */
import { parseRetryAfter } from '../../values/retry-after.ts';

export interface RetryTiming {
  /** Delays before each scheduled attempt; entry `n` is the wait after the n-th failure. */
  schedule: readonly number[];
  /** Fraction of each delay drawn at random either way (0.2 → ×0.8 … ×1.2). */
  jitter: number;
  /** The longest wait a `Retry-After` may impose. */
  maxRetryAfterMs: number;
  /** A uniform number in [0, 1). */
  random: () => number;
}

export interface FailedAttemptFacts {
  /** Scheduled attempts made so far, this one included. */
  scheduledAttempts: number;
  /** Null when no response came (timeout, network error, SSRF refusal). */
  responseStatus: number | null;
  retryAfter: string | undefined;
  /** When the attempt finished (epoch ms). */
  now: number;
}

/**
 * The time of the next scheduled attempt, or null when the schedule is used up. A receiver that
 * asks to wait longer than the schedule (429 or 503 with `Retry-After`) gets its wait, at most
 * `maxRetryAfterMs`; it never shortens the schedule.
 */
export function nextAttemptAt(timing: RetryTiming, facts: FailedAttemptFacts): number | null {
  const base = timing.schedule[facts.scheduledAttempts];
  if (base === undefined) return null;
  let delay = jittered(base, timing.jitter, timing.random);
  if (facts.responseStatus === 429 || facts.responseStatus === 503) {
    const asked = parseRetryAfter(facts.retryAfter, facts.now);
    if (asked !== undefined) delay = Math.max(delay, Math.min(asked, timing.maxRetryAfterMs));
  }
  return facts.now + delay;
}

/** `delayMs` moved at random by up to ±`jitter` of itself, so retries of many messages spread out. */
export function jittered(delayMs: number, jitter: number, random: () => number): number {
  return Math.round(delayMs * (1 + jitter * (2 * random() - 1)));
}
