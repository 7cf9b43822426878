/**
 * The sync-run log: one row per run, created when the run is triggered, updated at every flush
 * (counts and pages, in the same transaction as the records they count) and closed with its
 * outcome. Counts therefore stay exact across crashes: a resumed attempt adds to what the
 * committed flushes of earlier attempts counted, and nothing a rolled-back flush wrote is counted.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { notFound } from '../errors/index.ts';
import type { Database, SyncRunMode, SyncRunStatus, SyncRunsTable, SyncRunTrigger } from '../store/index.ts';

/** A sync run as services and the API see it. */
export interface SyncRun {
  id: string;
  environmentId: string;
  connectionId: string;
  sync: string;
  trigger: SyncRunTrigger;
  mode: SyncRunMode;
  status: SyncRunStatus;
  attempt: number;
  added: number;
  updated: number;
  deleted: number;
  unchanged: number;
  pages: number;
  /** Rows of an uploaded report that were refused (`details.import.invalid`); 0 for other runs. */
  rejected: number;
  error: { code: string; message: string } | null;
  details: Record<string, unknown> | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
}

/** Counts one flush adds to its run. */
export interface RunCounts {
  added: number;
  updated: number;
  deleted: number;
  unchanged: number;
  pages: number;
}

export const ZERO_COUNTS: RunCounts = Object.freeze({
  added: 0,
  updated: 0,
  deleted: 0,
  unchanged: 0,
  pages: 0,
});

export interface NewRun {
  id: string;
  environmentId: string;
  connectionId: string;
  sync: string;
  trigger: SyncRunTrigger;
  mode: SyncRunMode;
}

export interface ListRunsFilter {
  connectionId?: string;
  sync?: string;
  status?: SyncRunStatus;
  after?: string;
  limit: number;
}

export interface RunsRepository {
  /** Inserts a queued run; does nothing when the id exists (a retried trigger). */
  create(db: Kysely<Database>, run: NewRun): Promise<void>;
  /** The run, or undefined (no environment check: for the runner, which has only the id). */
  find(id: string): Promise<SyncRun | undefined>;
  get(environmentId: string, id: string): Promise<SyncRun>;
  list(environmentId: string, filter: ListRunsFilter): Promise<{ data: SyncRun[]; nextAfter: string | null }>;
  /** Marks the run running for `attempt`. */
  start(db: Kysely<Database>, id: string, attempt: number): Promise<void>;
  /** Adds a flush's counts, inside the flush's transaction. */
  addCounts(trx: Kysely<Database>, id: string, counts: RunCounts): Promise<void>;
  /** Closes the run with its outcome and the details (per-model counts…). */
  finish(
    trx: Kysely<Database>,
    id: string,
    outcome: {
      status: 'succeeded' | 'failed' | 'cancelled';
      error?: { code: string; message: string };
      details?: Record<string, unknown>;
    },
  ): Promise<SyncRun>;
}

export function createRunsRepository(deps: { db: Kysely<Database>; clock: Clock }): RunsRepository {
  const { db, clock } = deps;

  async function find(id: string, executor: Kysely<Database> = db): Promise<SyncRun | undefined> {
    const row = await executor.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRun(row) : undefined;
  }

  return {
    async create(executor, run) {
      const now = clock.now();
      await executor
        .insertInto('sync_runs')
        .values({
          id: run.id,
          environment_id: run.environmentId,
          connection_id: run.connectionId,
          sync_name: run.sync,
          trigger: run.trigger,
          mode: run.mode,
          status: 'queued',
          attempt: 0,
          ...ZERO_COUNTS,
          error_code: null,
          error_message: null,
          details: null,
          started_at: null,
          finished_at: null,
          duration_ms: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
    },

    find: (id) => find(id),

    async get(environmentId, id) {
      const run = await find(id);
      if (!run || run.environmentId !== environmentId) throw notFound('sync run', id);
      return run;
    },

    async list(environmentId, filter) {
      let query = db.selectFrom('sync_runs').selectAll().where('environment_id', '=', environmentId);
      if (filter.connectionId !== undefined) query = query.where('connection_id', '=', filter.connectionId);
      if (filter.sync !== undefined) query = query.where('sync_name', '=', filter.sync);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      // Newest first: what a person looking at a run log wants.
      if (filter.after !== undefined) query = query.where('id', '<', filter.after);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(filter.limit + 1)
        .execute();
      const page = rows.slice(0, filter.limit);
      return {
        data: page.map(toRun),
        nextAfter: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },

    async start(executor, id, attempt) {
      const now = clock.now();
      await executor
        .updateTable('sync_runs')
        .set((eb) => ({
          status: 'running',
          attempt,
          started_at: eb.fn.coalesce('started_at', sql.lit(now)),
          updated_at: now,
        }))
        .where('id', '=', id)
        .execute();
    },

    async addCounts(trx, id, counts) {
      if (counts.added + counts.updated + counts.deleted + counts.unchanged + counts.pages === 0) return;
      await trx
        .updateTable('sync_runs')
        .set((eb) => ({
          added: eb('added', '+', counts.added),
          updated: eb('updated', '+', counts.updated),
          deleted: eb('deleted', '+', counts.deleted),
          unchanged: eb('unchanged', '+', counts.unchanged),
          pages: eb('pages', '+', counts.pages),
          updated_at: clock.now(),
        }))
        .where('id', '=', id)
        .execute();
    },

    async finish(trx, id, outcome) {
      const now = clock.now();
      const current = await find(id, trx);
      if (!current) throw notFound('sync run', id);
      const startedAt = current.startedAt ?? now;
      await trx
        .updateTable('sync_runs')
        .set({
          status: outcome.status,
          error_code: outcome.error?.code ?? null,
          error_message: outcome.error?.message ?? null,
          details: outcome.details === undefined ? null : JSON.stringify(outcome.details),
          finished_at: now,
          duration_ms: Math.max(0, now - startedAt),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
      const finished = await find(id, trx);
      if (!finished) throw notFound('sync run', id);
      return finished;
    },
  };
}

function toRun(row: Selectable<SyncRunsTable>): SyncRun {
  const details = row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>);
  return {
    id: row.id,
    environmentId: row.environment_id,
    connectionId: row.connection_id,
    sync: row.sync_name,
    trigger: row.trigger,
    mode: row.mode,
    status: row.status,
    attempt: Number(row.attempt),
    added: Number(row.added),
    updated: Number(row.updated),
    deleted: Number(row.deleted),
    unchanged: Number(row.unchanged),
    pages: Number(row.pages),
    rejected: rejectedRows(details),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    details,
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
  };
}

/** The refused rows of an import run's report, kept in its details by the import (`import.invalid`). */
function rejectedRows(details: Record<string, unknown> | null): number {
  const report = details?.import;
  if (typeof report !== 'object' || report === null) return 0;
  const invalid = (report as { invalid?: unknown }).invalid;
  return typeof invalid === 'number' ? invalid : 0;
}
