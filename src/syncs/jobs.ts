/**
 * The sync jobs, declared once (the engine adds them to its catalog):
 * - `sync.run`: one run of one sync for one connection. A run's failure is recorded on the run
 *   (and the next scheduled run tries again); the job only retries when the worker itself died
 *   or lost the database, and a retry resumes the same run from its checkpoint.
 * - `syncs.schedule-due`: every minute, creates schedules for new connections and enqueues the
 *   runs that are due;
 * - `syncs.purge-response-cache`: hourly, deletes expired entries of the proxy's response cache.
 */
import { z } from 'zod';
import { defineJob, type NewJob } from '../queue/index.ts';

/** Longest a run may take (a sync's own timeout may only be shorter). */
export const MAX_SYNC_TIMEOUT_MS = 6 * 3_600_000;

export const syncRunJob = defineJob({
  name: 'sync.run',
  payload: z.object({ runId: z.string() }),
  retry: { attempts: 5, backoff: { initialMs: 5_000, maxMs: 10 * 60_000 } },
  // The runner enforces the sync's own timeout; this only bounds a handler that ignores it.
  timeoutMs: MAX_SYNC_TIMEOUT_MS + 60_000,
});

export const scheduleDueJob = defineJob({
  name: 'syncs.schedule-due',
  payload: z.object({}),
  retry: { attempts: 1 },
  timeoutMs: 60_000,
});

export const purgeResponseCacheJob = defineJob({
  name: 'syncs.purge-response-cache',
  payload: z.object({}),
  retry: { attempts: 1 },
  timeoutMs: 60_000,
});

export const syncJobs = [syncRunJob, scheduleDueJob, purgeResponseCacheJob] as const;

export const syncSchedules = [
  { name: 'syncs.schedule-due', cron: '* * * * *', job: 'syncs.schedule-due', payload: {} },
  // Expired cache entries are misses already; the purge only reclaims their space.
  { name: 'syncs.purge-response-cache', cron: '23 * * * *', job: 'syncs.purge-response-cache', payload: {} },
] as const;

/** The queue's dedupe key of a (connection, sync): at most one pending or running job each. */
export function syncDedupeKey(connectionId: string, syncName: string): string {
  return `sync:${connectionId}:${syncName}`;
}

/** The `sync.run` job of a run, deduplicated per (connection, sync). */
export function syncRunJobOf(
  environmentId: string,
  connectionId: string,
  syncName: string,
  runId: string,
): NewJob {
  return {
    name: syncRunJob.name,
    payload: { runId },
    environmentId,
    dedupeKey: syncDedupeKey(connectionId, syncName),
    maxAttempts: syncRunJob.retry.attempts,
    backoff: syncRunJob.retry.backoff,
  };
}
