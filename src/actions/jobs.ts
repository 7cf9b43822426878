/**
 * The actions jobs, declared once (the engine adds them to its catalog):
 * - `action.run`: executes one queued (async) action run and emits its `action.*` event;
 * - `actions.sweep-abandoned`: every minute, ends synchronous runs whose process stopped mid-call.
 */
import { z } from 'zod';
import { parsePayload } from '../queue/catalog.ts';
import { type CatalogOf, defineJob, type JobHandlers, type NewJob } from '../queue/index.ts';
import type { ActionsService } from './types.ts';

export const actionRunJob = defineJob({
  name: 'action.run',
  payload: z.object({ environmentId: z.string(), actionRunId: z.string() }),
  // A retry only happens when the worker itself failed: the run's state makes it safe (a queued
  // run is executed, a running one is marked interrupted, a finished one is left alone).
  retry: { attempts: 3 },
  // Above any action's own limit (60 s by default): the service enforces the action's limit and
  // this one only stops a worker that is stuck outside the call.
  timeoutMs: 15 * 60_000,
});

export const sweepAbandonedJob = defineJob({
  name: 'actions.sweep-abandoned',
  payload: z.object({}),
  retry: { attempts: 1 },
  timeoutMs: 60_000,
});

export const actionJobs = [actionRunJob, sweepAbandonedJob] as const;

export const actionSchedules = [
  { name: 'actions.sweep-abandoned', cron: '* * * * *', job: 'actions.sweep-abandoned', payload: {} },
] as const;
export type ActionJobs = CatalogOf<typeof actionJobs>;

/** The queue entry that executes run `actionRunId`, validated against the job's schema. */
export function actionRunJobOf(environmentId: string, actionRunId: string): NewJob {
  const payload = { environmentId, actionRunId };
  parsePayload(actionRunJob, payload);
  return {
    name: actionRunJob.name,
    payload,
    environmentId,
    priority: actionRunJob.priority,
    maxAttempts: actionRunJob.retry.attempts,
    backoff: actionRunJob.retry.backoff,
    dedupeKey: `action:${actionRunId}`,
  };
}

/** The handlers of the actions jobs, for the engine's worker. */
export function actionHandlers(
  service: Pick<ActionsService, 'execute' | 'sweepAbandoned'>,
): JobHandlers<ActionJobs> {
  return {
    'action.run': async (payload, context) => {
      await service.execute(payload.environmentId, payload.actionRunId, context.signal);
    },
    'actions.sweep-abandoned': async () => {
      await service.sweepAbandoned();
    },
  };
}
