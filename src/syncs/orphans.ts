/**
 * Orphaned sync runs: open (queued or running) with no worker on them. The scheduler's tick calls
 * this after enqueueing due runs.
 */
import type { Kysely } from 'kysely';
import type { JobQueue } from '../queue/index.ts';
import type { Database } from '../store/index.ts';
import { syncRunJobOf } from './jobs.ts';

/** How long a run must have been quiet before the scheduler treats it as orphaned. */
const ORPHAN_QUIET_MS = 2 * 60_000;

/**
 * Runs left open without a worker: a CLI `sync run` that was killed, or a crash between a run's
 * insert and its job. Once the run lock is free or expired and the run has been quiet for a
 * while, a job is queued for it (the dedupe key makes this a no-op while one exists), and the
 * run resumes from its checkpoint.
 */
export async function resumeOrphans(
  deps: { db: Kysely<Database>; queue: JobQueue },
  now: number,
): Promise<void> {
  const { db, queue } = deps;
  const orphans = await db
    .selectFrom('sync_runs')
    .innerJoin('sync_schedules', (join) =>
      join
        .onRef('sync_schedules.connection_id', '=', 'sync_runs.connection_id')
        .onRef('sync_schedules.sync_name', '=', 'sync_runs.sync_name'),
    )
    .select([
      'sync_runs.id as id',
      'sync_runs.environment_id as environmentId',
      'sync_runs.connection_id as connectionId',
      'sync_runs.sync_name as syncName',
    ])
    .where('sync_runs.status', 'in', ['queued', 'running'])
    .where('sync_runs.updated_at', '<', now - ORPHAN_QUIET_MS)
    .where((eb) =>
      eb.or([
        eb('sync_schedules.running_run_id', 'is', null),
        eb('sync_schedules.running_run_id', '!=', eb.ref('sync_runs.id')),
        eb('sync_schedules.run_lease_until', '<', now),
      ]),
    )
    .limit(100)
    .execute();
  for (const orphan of orphans) {
    const job = await queue.enqueue(
      syncRunJobOf(orphan.environmentId, orphan.connectionId, orphan.syncName, orphan.id),
    );
    if (job.created) continue;
    const pending = await queue.get(job.id);
    if ((pending?.payload as { runId?: string } | undefined)?.runId === orphan.id) continue;
    // Another run of this sync is pending: it does this one's work, so this one is closed.
    await db
      .updateTable('sync_runs')
      .set({
        status: 'cancelled',
        error_code: 'sync_cancelled',
        error_message:
          'Left without a worker while another run of the same sync was pending; that run took over',
        finished_at: now,
        updated_at: now,
      })
      .where('id', '=', orphan.id)
      .where('status', 'in', ['queued', 'running'])
      .execute();
  }
}
