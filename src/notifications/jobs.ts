/**
 * The notification jobs (the engine adds them to its catalog):
 * - `notifications.event`: turns one outbox event into notifications (decides kind, recipients,
 *   suppressions), queued by the dispatcher in the transaction that dispatches the event;
 * - `notifications.send`: sends one queued email, retried with backoff (an SMTP outage or a
 *   crash loses nothing: the row and its job are durable);
 * - `notifications.digest`: weekly, queues each end user's digest.
 */
import { z } from 'zod';
import { defineJob } from '../queue/index.ts';

export const notificationEventJob = defineJob({
  name: 'notifications.event',
  payload: z.object({ eventId: z.string() }),
  retry: { attempts: 5, backoff: { initialMs: 5_000, maxMs: 10 * 60_000 } },
  timeoutMs: 60_000,
});

export const notificationSendJob = defineJob({
  name: 'notifications.send',
  payload: z.object({ notificationId: z.string() }),
  // About a day of retries: an SMTP server down for hours still gets the email afterwards.
  retry: { attempts: 10, backoff: { initialMs: 30_000, maxMs: 4 * 3_600_000 } },
  timeoutMs: 120_000,
});

export const notificationDigestJob = defineJob({
  name: 'notifications.digest',
  payload: z.object({}),
  retry: { attempts: 3 },
  timeoutMs: 30 * 60_000,
});

export const notificationJobs = [notificationEventJob, notificationSendJob, notificationDigestJob] as const;

export const notificationSchedules = [
  // Mondays 08:00 UTC, summing up the week that just ended.
  { name: 'notifications.digest', cron: '0 8 * * 1', job: 'notifications.digest', payload: {} },
] as const;

/**
 * The event types the module reads: those that may become notifications, and `end_user.deleted`,
 * after which the end user's notifications, unsubscriptions and throttle rows are removed.
 */
export const NOTIFYING_EVENT_TYPES: ReadonlySet<string> = new Set([
  'connection.reauth_required',
  'sync.failed',
  'sync.succeeded',
  'end_user.plan_changed',
  'end_user.deleted',
]);
