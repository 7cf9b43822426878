import type { Insertable, Kysely } from 'kysely';
import { PatchbayError } from '../../errors/index.ts';
import { newId } from '../../ids/index.ts';
import type { Database, JobsTable } from '../../store/index.ts';
import type { EnqueuedJob, NewJob } from '../types.ts';
import { insertIgnoringConflicts } from './prepared-insert.ts';

export type JobRowInsert = Insertable<JobsTable>;

/** The columns of every row buildJobRow makes (see insertIgnoringConflicts). */
const JOB_COLUMNS = [
  'id',
  'name',
  'environment_id',
  'payload',
  'state',
  'priority',
  'run_at',
  'attempts',
  'max_attempts',
  'backoff',
  'dedupe_key',
  'lease_owner',
  'lease_until',
  'last_error',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof JobRowInsert>;

// 15 columns a row: 500 rows stay well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const ROWS_PER_STATEMENT = 500;

/** Builds the row of a new job, validating what the database cannot. */
export function buildJobRow(job: NewJob, now: number, defaultAttempts: number): JobRowInsert {
  if (typeof job.name !== 'string' || job.name.length === 0) {
    throw new PatchbayError('validation_failed', 'A job needs a name');
  }
  const payload = JSON.stringify(job.payload);
  if (payload === undefined) {
    throw new PatchbayError('job_payload_invalid', `The payload of job "${job.name}" is not a JSON value`);
  }
  const priority = job.priority ?? 0;
  const maxAttempts = job.maxAttempts ?? defaultAttempts;
  const runAt = job.runAt ?? now + (job.delayMs ?? 0);
  if (!Number.isSafeInteger(priority) || !Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new PatchbayError(
      'validation_failed',
      `Job "${job.name}": priority must be an integer and maxAttempts an integer of at least 1`,
    );
  }
  if (!Number.isFinite(runAt)) {
    throw new PatchbayError('validation_failed', `Job "${job.name}": runAt / delayMs must be finite numbers`);
  }
  return {
    id: newId('job', now),
    name: job.name,
    environment_id: job.environmentId ?? null,
    payload,
    state: 'queued',
    priority,
    run_at: Math.round(runAt),
    attempts: 0,
    max_attempts: maxAttempts,
    backoff: job.backoff ? JSON.stringify(job.backoff) : null,
    dedupe_key: job.dedupeKey ?? null,
    lease_owner: null,
    lease_until: null,
    last_error: null,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Inserts jobs, deduplicating: a row whose (name, dedupe key) already names a pending job is not
 * inserted and resolves to that job instead (`created: false`). Results are in input order.
 * Runs inside the caller's transaction.
 */
export async function insertJobs(
  trx: Kysely<Database>,
  rows: readonly JobRowInsert[],
): Promise<EnqueuedJob[]> {
  const results: EnqueuedJob[] = new Array(rows.length);
  let remaining = rows.map((row, index) => ({ row, index }));
  // A pending duplicate can finish between our insert and our look-up (PostgreSQL runs other
  // transactions meanwhile); the row is then inserted on the next round.
  for (let round = 0; round < 3 && remaining.length > 0; round++) {
    const inserted = new Set<string>();
    for (let start = 0; start < remaining.length; start += ROWS_PER_STATEMENT) {
      const chunk = remaining.slice(start, start + ROWS_PER_STATEMENT).map((entry) => entry.row);
      for (const id of await insertIgnoringConflicts(trx, 'jobs', JOB_COLUMNS, chunk)) inserted.add(id);
    }
    const conflicted = remaining.filter(({ row, index }) => {
      if (!inserted.has(row.id)) return true;
      results[index] = { id: row.id, created: true };
      return false;
    });
    if (conflicted.length === 0) return results;
    const existing = await pendingByDedupeKey(
      trx,
      conflicted.map(({ row }) => row.dedupe_key).filter((key): key is string => key != null),
    );
    remaining = conflicted.filter(({ row, index }) => {
      const id = existing.get(dedupeSlot(row.name, row.dedupe_key ?? null));
      if (id === undefined) return true;
      results[index] = { id, created: false };
      return false;
    });
  }
  if (remaining.length > 0) {
    throw new PatchbayError('conflict', 'Jobs could not be inserted: they conflict with existing rows', {
      details: { names: [...new Set(remaining.map(({ row }) => row.name))] },
    });
  }
  return results;
}

async function pendingByDedupeKey(trx: Kysely<Database>, keys: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const unique = [...new Set(keys)];
  for (let start = 0; start < unique.length; start += ROWS_PER_STATEMENT) {
    const rows = await trx
      .selectFrom('jobs')
      .select(['id', 'name', 'dedupe_key'])
      .where('state', 'in', ['queued', 'active'])
      .where('dedupe_key', 'in', unique.slice(start, start + ROWS_PER_STATEMENT))
      .execute();
    for (const row of rows) found.set(dedupeSlot(row.name, row.dedupe_key), row.id);
  }
  return found;
}

function dedupeSlot(name: string, key: string | null): string {
  return `${name}\u0000${key ?? ''}`;
}
