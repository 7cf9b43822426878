/**
 * The plans jobs, declared once (the engine adds them to its catalog):
 * - `plans.subscriptions-changed`: a connection's subscription records changed (queued in the
 *   transaction that wrote them, or for every connection of an integration when a rule changed);
 *   the plans of the end users they belong to are derived again. Idempotent: a retry sets the
 *   same plans, and a plan already in place emits nothing.
 */
import { z } from 'zod';
import { defineJob, type NewJob } from '../queue/index.ts';

export const subscriptionsChangedJob = defineJob({
  name: 'plans.subscriptions-changed',
  payload: z.object({
    connectionId: z.string(),
    model: z.string(),
    /** Records modified at or after this instant (epoch ms) are the ones that changed. */
    since: z.number().int().nonnegative(),
  }),
  retry: { attempts: 5, backoff: { initialMs: 2_000, maxMs: 5 * 60_000 } },
  timeoutMs: 10 * 60_000,
});

export const planJobs = [subscriptionsChangedJob] as const;

/** The job for one change of a connection's records of `model`. */
export function subscriptionsChangedJobOf(
  environmentId: string,
  connectionId: string,
  model: string,
  since: number,
): NewJob {
  return {
    name: subscriptionsChangedJob.name,
    payload: { connectionId, model, since: Math.max(0, Math.trunc(since)) },
    environmentId,
    maxAttempts: subscriptionsChangedJob.retry.attempts,
    backoff: subscriptionsChangedJob.retry.backoff,
  };
}
