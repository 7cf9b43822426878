import type { Selectable } from 'kysely';
import type { ClaimedJobRow } from '../../store/dialect.ts';
import type { JobsTable, SchedulesTable } from '../../store/index.ts';
import type { ClaimedJob, JobError, JobInfo, ScheduleInfo, ScheduleJobOptions } from '../types.ts';

type JobRow = Selectable<JobsTable>;

/** Longest error message kept on a job row; the rest is cut (errors can embed whole responses). */
const MAX_ERROR_LENGTH = 2000;

export function toClaimedJob(row: ClaimedJobRow): ClaimedJob {
  return {
    id: row.id,
    owner: row.lease_owner ?? '',
    name: row.name,
    payload: JSON.parse(row.payload),
    environmentId: row.environment_id,
    priority: row.priority,
    runAt: row.run_at,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    leaseUntil: row.lease_until ?? 0,
    createdAt: row.created_at,
  };
}

export function toJobInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    payload: JSON.parse(row.payload),
    environmentId: row.environment_id,
    priority: row.priority,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    dedupeKey: row.dedupe_key,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    lastError: row.last_error === null ? null : (JSON.parse(row.last_error) as JobError),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toScheduleInfo(row: Selectable<SchedulesTable>): ScheduleInfo {
  return {
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    job: row.job_name,
    payload: JSON.parse(row.payload),
    environmentId: row.environment_id,
    options: JSON.parse(row.options) as ScheduleJobOptions,
    enabled: row.enabled === 1,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
  };
}

/** The stored form of a job error: JSON with the message cut to a bounded length. */
export function serializeError(error: JobError): string {
  const message =
    error.message.length > MAX_ERROR_LENGTH ? `${error.message.slice(0, MAX_ERROR_LENGTH)}…` : error.message;
  return JSON.stringify(error.code === undefined ? { message } : { code: error.code, message });
}

/** Orders claimed rows as the claim query picked them (RETURNING gives no order). */
export function byClaimOrder(a: ClaimedJobRow, b: ClaimedJobRow): number {
  return a.priority - b.priority || a.run_at - b.run_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
