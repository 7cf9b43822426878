import { z } from 'zod';

/** A source of uniform random numbers in [0, 1): injected so retry schedules are deterministic in tests. */
export type RandomSource = () => number;

/**
 * Exponential backoff: the n-th retry waits `initialMs × factor^(n-1)`, capped at `maxMs`, then
 * shortened by up to `jitter` of itself at random, so jobs that failed together (a provider
 * outage) do not all retry in the same instant.
 */
export const backoffPolicySchema = z.object({
  initialMs: z.number().int().min(0),
  maxMs: z.number().int().min(0).optional(),
  factor: z.number().min(1).optional(),
  /** Fraction of the delay that may be cut at random, 0 (none) to 1. */
  jitter: z.number().min(0).max(1).optional(),
});

export type BackoffPolicy = z.infer<typeof backoffPolicySchema>;

export const retryPolicySchema = z.object({
  /** Total attempts, the first included; after the last one fails the job is dead. */
  attempts: z.number().int().min(1),
  backoff: backoffPolicySchema,
});

export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/** Five attempts over about 15 seconds (1 s, 2 s, 4 s, 8 s), a fifth of each delay jittered. */
export const DEFAULT_RETRY: Readonly<{
  attempts: number;
  backoff: { initialMs: number; maxMs: number; factor: number; jitter: number };
}> = Object.freeze({
  attempts: 5,
  backoff: Object.freeze({ initialMs: 1000, maxMs: 3_600_000, factor: 2, jitter: 0.2 }),
});

/**
 * Milliseconds to wait after the `failedAttempts`-th failed attempt (1-based) before the next.
 * With `random` returning 0 the delay is exactly the exponential one; with 1 it is cut by `jitter`.
 */
export function backoffDelay(policy: BackoffPolicy, failedAttempts: number, random: RandomSource): number {
  const factor = policy.factor ?? DEFAULT_RETRY.backoff.factor;
  const maxMs = policy.maxMs ?? DEFAULT_RETRY.backoff.maxMs;
  const jitter = policy.jitter ?? DEFAULT_RETRY.backoff.jitter;
  const exponential = Math.min(maxMs, policy.initialMs * factor ** Math.max(0, failedAttempts - 1));
  return Math.round(exponential * (1 - jitter * random()));
}
