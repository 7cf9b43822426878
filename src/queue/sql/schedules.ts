import { type Kysely, type Selectable, sql } from 'kysely';
import type { Clock } from '../../clock/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import type { Database, SchedulesTable } from '../../store/index.ts';
import { nextCronRun } from '../cron.ts';
import type { ScheduledRun, ScheduleInfo, ScheduleJobOptions, ScheduleSpec } from '../types.ts';
import { buildJobRow, insertJobs } from './insert-jobs.ts';
import { toScheduleInfo } from './rows.ts';

// Due schedules handled per tick; the rest wait for the next tick.
const DUE_PER_TICK = 100;

/**
 * Creates or updates a schedule. An unchanged expression and time zone keep the stored next run
 * (restarts that re-declare their schedules do not shift them); a changed one, or re-enabling,
 * computes the next run from now.
 */
export async function upsertSchedule(
  db: Kysely<Database>,
  clock: Clock,
  spec: ScheduleSpec,
): Promise<ScheduleInfo> {
  if (typeof spec.name !== 'string' || spec.name.length === 0) {
    throw new PatchbayError('schedule_invalid', 'A schedule needs a name');
  }
  const now = clock.now();
  const nextRunAt = nextCronRun(spec.cron, spec.timezone, now);
  const payload = JSON.stringify(spec.payload);
  if (payload === undefined) {
    throw new PatchbayError(
      'job_payload_invalid',
      `The payload of schedule "${spec.name}" is not a JSON value`,
    );
  }
  const values = {
    name: spec.name,
    environment_id: spec.environmentId ?? null,
    cron: spec.cron,
    timezone: spec.timezone ?? null,
    job_name: spec.job,
    payload,
    options: JSON.stringify(spec.options ?? {}),
    enabled: spec.enabled === false ? 0 : 1,
    next_run_at: nextRunAt,
    last_run_at: null,
    created_at: now,
    updated_at: now,
  };
  await db
    .insertInto('schedules')
    .values(values)
    .onConflict((conflict) =>
      conflict.column('name').doUpdateSet((eb) => ({
        environment_id: eb.ref('excluded.environment_id'),
        cron: eb.ref('excluded.cron'),
        timezone: eb.ref('excluded.timezone'),
        job_name: eb.ref('excluded.job_name'),
        payload: eb.ref('excluded.payload'),
        options: eb.ref('excluded.options'),
        enabled: eb.ref('excluded.enabled'),
        updated_at: eb.ref('excluded.updated_at'),
        next_run_at: sql<number>`case
          when schedules.cron = excluded.cron
            and coalesce(schedules.timezone, '') = coalesce(excluded.timezone, '')
            and schedules.enabled = 1
          then schedules.next_run_at else excluded.next_run_at end`,
      })),
    )
    .execute();
  const row = await db
    .selectFrom('schedules')
    .selectAll()
    .where('name', '=', spec.name)
    .executeTakeFirstOrThrow();
  return toScheduleInfo(row);
}

/**
 * Fires every due schedule once. Exactly-once across processes comes from a compare-and-set:
 * the schedule's next_run_at moves from the due time to the following one in the same
 * transaction that inserts the job, and only the process whose update matched the due time
 * inserts. A schedule that missed several times (no scheduler was running) fires once, then
 * continues from now. The job carries the dedupe key `schedule:<name>`, so a run still pending
 * from an earlier time absorbs the new one instead of piling up behind it.
 */
export async function runDueSchedules(
  db: Kysely<Database>,
  clock: Clock,
  defaultAttempts: number,
): Promise<ScheduledRun[]> {
  const now = clock.now();
  const due = await db
    .selectFrom('schedules')
    .selectAll()
    .where('enabled', '=', 1)
    .where('next_run_at', '<=', now)
    .orderBy('next_run_at')
    .limit(DUE_PER_TICK)
    .execute();
  const runs: ScheduledRun[] = [];
  const failures: unknown[] = [];
  for (const schedule of due) {
    try {
      const run = await fireSchedule(db, schedule, now, defaultAttempts);
      if (run) runs.push(run);
    } catch (error) {
      // One broken schedule must not hold back the others; the tick reports it afterwards.
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
  return runs;
}

/** Fires one due schedule if this process wins its compare-and-set; undefined if another did. */
async function fireSchedule(
  db: Kysely<Database>,
  schedule: Selectable<SchedulesTable>,
  now: number,
  defaultAttempts: number,
): Promise<ScheduledRun | undefined> {
  const next = nextCronRun(schedule.cron, schedule.timezone, now);
  const options = JSON.parse(schedule.options) as ScheduleJobOptions;
  const row = buildJobRow(
    {
      name: schedule.job_name,
      payload: JSON.parse(schedule.payload),
      environmentId: schedule.environment_id,
      runAt: schedule.next_run_at,
      dedupeKey: `schedule:${schedule.name}`,
      ...options,
    },
    now,
    defaultAttempts,
  );
  const job = await db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('schedules')
      .set({ next_run_at: next, last_run_at: schedule.next_run_at, updated_at: now })
      .where('name', '=', schedule.name)
      .where('next_run_at', '=', schedule.next_run_at)
      .where('enabled', '=', 1)
      .returning('name')
      .execute();
    if (moved.length === 0) return undefined;
    const [enqueued] = await insertJobs(trx, [row]);
    return enqueued;
  });
  return job && { schedule: schedule.name, dueAt: schedule.next_run_at, job };
}
