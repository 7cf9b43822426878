import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/index.ts';

/** How much work of one environment the queue holds, for the operator dashboard. */
export interface QueueDepth {
  /** Due jobs not yet claimed: the backlog. */
  waiting: number;
  /** Jobs a worker holds now. */
  running: number;
  /** Queued for later (retries with backoff, delayed jobs). */
  later: number;
  /** Jobs that used up their attempts. */
  dead: number;
  /** When the longest-waiting due job became due (epoch ms), or null with no backlog. */
  oldestWaitingSince: number | null;
}

/**
 * The queue depth of one environment: one grouped read of its jobs (engine-wide maintenance jobs,
 * whose environment is null, are not anyone's backlog and are left out).
 */
export async function queueDepth(
  db: Kysely<Database>,
  environmentId: string,
  now: number,
): Promise<QueueDepth> {
  const rows = await db
    .selectFrom('jobs')
    .select((eb) => [
      'state',
      eb.case().when('run_at', '>', now).then(1).else(0).end().as('future'),
      eb.fn.countAll<number | string>().as('total'),
      eb.fn.min<number | string>('run_at').as('oldest'),
    ])
    .where('environment_id', '=', environmentId)
    // Both dialects group by an output column's alias.
    .groupBy(['state', sql`future`])
    .execute();
  const depth: QueueDepth = { waiting: 0, running: 0, later: 0, dead: 0, oldestWaitingSince: null };
  for (const row of rows) {
    const total = Number(row.total);
    if (row.state === 'active') depth.running += total;
    else if (row.state === 'dead') depth.dead += total;
    else if (Number(row.future) === 1) depth.later += total;
    else {
      depth.waiting += total;
      depth.oldestWaitingSince = row.oldest === null ? null : Number(row.oldest);
    }
  }
  return depth;
}
