/**
 * The delivery sweep, every minute: queues again the messages whose job is gone.
 * - Overdue: pending, of an enabled endpoint, whose next attempt is more than the grace period
 *   late (a crash came between recording an attempt and queueing the next one, or the job died).
 * - Parked: pending with no next attempt time, of an enabled endpoint (a delivery found the
 *   endpoint disabled; it has been enabled since). Messages younger than the grace period are left
 *   to the job their creation queued.
 * Jobs are queued under the message's dedupe key, so a message whose job still exists (only
 * late, behind a busy queue) is not queued twice. Bounded: at most maxBatches × batchSize rows per
 * run; a run that stops at the bound leaves a cursor, and the next run goes on from there (then
 * starts over), so a backlog larger than one run is still covered.
 */
import { sql } from 'kysely';
import type { Clock } from '../../clock/index.ts';
import type { CatalogOf, JobRequest, Jobs } from '../../queue/index.ts';
import type { Store } from '../../store/index.ts';
import { type deliverJob, deliveryDedupeKey } from '../jobs.ts';

/** Every minute: the engine's scheduler declares it with its other schedules. */
export const deliverySweepSchedule = {
  name: 'outbound.sweep',
  cron: '* * * * *',
  job: 'outbound.sweep',
  payload: {},
} as const;

/** The typed enqueue of delivery jobs (sweep and worker queue nothing else). */
export type DeliverJobs = Jobs<CatalogOf<readonly [typeof deliverJob]>>;

/** Where a bounded run stopped, for the next run of the same worker. */
export interface SweepCursor {
  overdue?: { at: number; id: string } | undefined;
  parked?: string | undefined;
}

export interface SweepDeps {
  store: Store;
  cursor: SweepCursor;
  jobs: DeliverJobs;
  clock: Clock;
  graceMs: number;
  batchSize: number;
  maxBatches: number;
}

export interface SweepReport {
  /** Overdue messages queued again. */
  overdue: number;
  /** Parked messages of re-enabled endpoints queued again. */
  unparked: number;
}

/**
 * `status = 'pending'` as a literal, not a parameter: it is the predicate of the partial index
 * `messages_due` (migration 0008), which a planner uses only when it can prove the query's WHERE
 * implies it — certain with a literal, and not with a generic PostgreSQL plan of a parameter.
 */
const PENDING = sql.lit('pending' as const);

interface SweptRow {
  id: string;
  environment_id: string;
  attempts: number;
}

export async function sweepMessages(deps: SweepDeps, signal?: AbortSignal): Promise<SweepReport> {
  const cutoff = deps.clock.now() - deps.graceMs;
  const report: SweepReport = { overdue: 0, unparked: 0 };
  let after = deps.cursor.overdue;
  deps.cursor.overdue = undefined;
  for (let batch = 0; !signal?.aborted; batch += 1) {
    if (batch === deps.maxBatches) {
      deps.cursor.overdue = after;
      break;
    }
    const rows = await deps.store.db
      .selectFrom('messages')
      .innerJoin('endpoints', 'endpoints.id', 'messages.endpoint_id')
      .select(['messages.id', 'messages.environment_id', 'messages.attempts', 'messages.next_attempt_at'])
      .where('messages.status', '=', PENDING)
      .where('messages.next_attempt_at', '<=', cutoff)
      .where('endpoints.enabled', '=', 1)
      .$if(after !== undefined, (query) =>
        query.where((eb) =>
          eb.or([
            eb('messages.next_attempt_at', '>', after!.at),
            eb.and([eb('messages.next_attempt_at', '=', after!.at), eb('messages.id', '>', after!.id)]),
          ]),
        ),
      )
      .orderBy('messages.next_attempt_at')
      .orderBy('messages.id')
      .limit(deps.batchSize)
      .execute();
    report.overdue += await requeue(deps, rows);
    const last = rows.at(-1);
    if (!last || rows.length < deps.batchSize) break;
    after = { at: Number(last.next_attempt_at), id: last.id };
  }
  let afterId = deps.cursor.parked;
  deps.cursor.parked = undefined;
  for (let batch = 0; !signal?.aborted; batch += 1) {
    if (batch === deps.maxBatches) {
      deps.cursor.parked = afterId;
      break;
    }
    const rows = await deps.store.db
      .selectFrom('messages')
      .innerJoin('endpoints', 'endpoints.id', 'messages.endpoint_id')
      .select(['messages.id', 'messages.environment_id', 'messages.attempts'])
      .where('messages.status', '=', PENDING)
      .where('messages.next_attempt_at', 'is', null)
      .where('messages.created_at', '<=', cutoff)
      .where('endpoints.enabled', '=', 1)
      .$if(afterId !== undefined, (query) => query.where('messages.id', '>', afterId!))
      .orderBy('messages.id')
      .limit(deps.batchSize)
      .execute();
    report.unparked += await requeue(deps, rows);
    const last = rows.at(-1);
    if (!last || rows.length < deps.batchSize) break;
    afterId = last.id;
  }
  return report;
}

/** Queues one scheduled delivery per row; returns how many jobs were created (not deduplicated). */
async function requeue(deps: SweepDeps, rows: readonly SweptRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const requests: JobRequest<CatalogOf<readonly [typeof deliverJob]>>[] = rows.map((row) => ({
    name: 'outbound.deliver',
    payload: { environmentId: row.environment_id, messageId: row.id, trigger: 'scheduled' },
    options: {
      environmentId: row.environment_id,
      dedupeKey: deliveryDedupeKey(row.id, Number(row.attempts) + 1),
    },
  }));
  const results = await deps.jobs.enqueueMany(requests);
  return results.filter((result) => result.created).length;
}
