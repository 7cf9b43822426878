/**
 * The webhook subscriptions jobs, declared once (the engine adds them to its catalog):
 * - `webhook-subscriptions.sync`: registers a connection's subscriptions at the provider, or
 *   (`check: true`) lists them there and repairs what drifted;
 * - `webhook-subscriptions.remove`: removes a deleted connection's subscriptions;
 * - `webhook-subscriptions.check-due`: hourly, queues a checking sync for each connection not
 *   checked for CHECK_INTERVAL_MS (and for those that should have subscriptions and have none).
 */
import { z } from 'zod';
import { parsePayload } from '../queue/catalog.ts';
import { type CatalogOf, defineJob, type JobHandlers, type NewJob } from '../queue/index.ts';
import type { WebhookSubscriptionsService } from './types.ts';

// A provider outage: 30 s, 1 min, 2 min… up to an hour between attempts, about 2 hours in all;
// after that the scheduled check takes over.
const PROVIDER_RETRY = { attempts: 9, backoff: { initialMs: 30_000, maxMs: 3_600_000 } };

export const syncSubscriptionsJob = defineJob({
  name: 'webhook-subscriptions.sync',
  payload: z.object({ environmentId: z.string(), connectionId: z.string(), check: z.boolean() }),
  retry: PROVIDER_RETRY,
  timeoutMs: 5 * 60_000,
});

export const removeSubscriptionsJob = defineJob({
  name: 'webhook-subscriptions.remove',
  payload: z.object({ environmentId: z.string(), connectionId: z.string() }),
  retry: PROVIDER_RETRY,
  timeoutMs: 5 * 60_000,
});

export const checkDueJob = defineJob({
  name: 'webhook-subscriptions.check-due',
  payload: z.object({}),
  retry: { attempts: 1 },
  timeoutMs: 5 * 60_000,
});

export const webhookSubscriptionJobs = [syncSubscriptionsJob, removeSubscriptionsJob, checkDueJob] as const;
export type WebhookSubscriptionJobs = CatalogOf<typeof webhookSubscriptionJobs>;

export const webhookSubscriptionSchedules = [
  {
    name: 'webhook-subscriptions.check-due',
    cron: '47 * * * *',
    job: 'webhook-subscriptions.check-due',
    payload: {},
  },
] as const;

/**
 * The queue entry of a connection's sync. One pending per connection: a second request while one
 * is queued or running is the same work.
 */
export function syncJobOf(environmentId: string, connectionId: string, check: boolean): NewJob {
  const payload = { environmentId, connectionId, check };
  parsePayload(syncSubscriptionsJob, payload);
  return {
    name: syncSubscriptionsJob.name,
    payload,
    environmentId,
    priority: syncSubscriptionsJob.priority,
    maxAttempts: syncSubscriptionsJob.retry.attempts,
    backoff: syncSubscriptionsJob.retry.backoff,
    dedupeKey: `webhook-subscriptions:${connectionId}`,
  };
}

/**
 * The queue entry removing a deleted connection's subscriptions. Not deduplicated: each removal
 * reads what is left to remove when it runs, so a second one is harmless and never lost.
 */
export function removeJobOf(environmentId: string, connectionId: string): NewJob {
  const payload = { environmentId, connectionId };
  parsePayload(removeSubscriptionsJob, payload);
  return {
    name: removeSubscriptionsJob.name,
    payload,
    environmentId,
    priority: removeSubscriptionsJob.priority,
    maxAttempts: removeSubscriptionsJob.retry.attempts,
    backoff: removeSubscriptionsJob.retry.backoff,
  };
}

/** The handlers of the webhook subscriptions jobs, for the engine's worker. */
export function webhookSubscriptionHandlers(
  service: Pick<WebhookSubscriptionsService, 'sync' | 'remove' | 'checkDue'>,
): JobHandlers<WebhookSubscriptionJobs> {
  return {
    'webhook-subscriptions.sync': async (payload, context) => {
      await service.sync(payload.environmentId, payload.connectionId, {
        check: payload.check,
        signal: context.signal,
        lastAttempt: context.job.attempt >= context.job.maxAttempts,
      });
    },
    'webhook-subscriptions.remove': async (payload, context) => {
      await service.remove(payload.environmentId, payload.connectionId, {
        signal: context.signal,
        lastAttempt: context.job.attempt >= context.job.maxAttempts,
      });
    },
    'webhook-subscriptions.check-due': async () => {
      await service.checkDue();
    },
  };
}
