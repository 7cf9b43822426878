import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, JobsTable } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

/**
 * Everything that differs between SQLite and PostgreSQL lives behind this interface, so the rest
 * of the engine writes one set of queries.
 */
export interface DialectSql {
  readonly name: DialectName;
  /** Column type for epoch-millisecond times (SQLite integers are already 64-bit). */
  readonly timeType: 'integer' | 'bigint';
  /**
   * Serializes migrations across processes. Called first inside the migration transaction.
   * SQLite: the transaction's BEGIN IMMEDIATE already holds the database's write lock.
   * PostgreSQL: a transaction-scoped advisory lock, released by commit or rollback.
   */
  // biome-ignore lint/suspicious/noExplicitAny: runs before the typed schema exists.
  lockMigrations(trx: Kysely<any>): Promise<void>;
  /**
   * Leases up to `claim.limit` runnable jobs (queued, due by `claim.now`, named in `claim.names`),
   * taken in priority, due-time, id order, to `claim.owner` until `claim.leaseUntil`, counting one
   * attempt each, in a single statement. Returns the leased rows in no particular order.
   * Call it inside a write transaction.
   * SQLite: the transaction's BEGIN IMMEDIATE makes this process the only writer, so the
   * UPDATE … RETURNING cannot race another claimer.
   * PostgreSQL: `FOR UPDATE SKIP LOCKED` lets concurrent claimers take disjoint rows without
   * waiting for each other.
   */
  claimJobs(trx: Kysely<Database>, claim: JobClaim): Promise<Selectable<JobsTable>[]>;
}

/** What a worker asks for when it claims jobs (see DialectSql.claimJobs). */
export interface JobClaim {
  /** Job names the worker handles; at least one. */
  names: readonly string[];
  owner: string;
  now: number;
  leaseUntil: number;
  limit: number;
}

function claimJobs(
  trx: Kysely<Database>,
  claim: JobClaim,
  dialect: DialectName,
): Promise<Selectable<JobsTable>[]> {
  const runnable = trx
    .selectFrom('jobs')
    .select('id')
    .where('state', '=', 'queued')
    .where('run_at', '<=', claim.now)
    .where('name', 'in', claim.names)
    .orderBy('priority')
    .orderBy('run_at')
    .orderBy('id')
    .limit(claim.limit)
    .$if(dialect === 'postgres', (query) => query.forUpdate().skipLocked());
  return trx
    .updateTable('jobs')
    .set((eb) => ({
      state: 'active',
      lease_owner: claim.owner,
      lease_until: claim.leaseUntil,
      attempts: eb('attempts', '+', 1),
      updated_at: claim.now,
    }))
    .where(
      dialect === 'postgres'
        ? // An array built once (an InitPlan), then primary-key lookups: PostgreSQL would otherwise
          // hash-join `id in (…)` against a scan of the whole table.
          sql<boolean>`id = any(array(${runnable}))`
        : sql<boolean>`id in (${runnable})`,
    )
    .returningAll()
    .execute();
}

// An arbitrary constant that names "patchbay migrations" among advisory locks.
const MIGRATION_LOCK_KEY = 0x70617463;

export const sqliteDialect: DialectSql = {
  name: 'sqlite',
  timeType: 'integer',
  async lockMigrations() {},
  claimJobs: (trx, claim) => claimJobs(trx, claim, 'sqlite'),
};

export const postgresDialect: DialectSql = {
  name: 'postgres',
  timeType: 'bigint',
  async lockMigrations(trx) {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
  },
  claimJobs: (trx, claim) => claimJobs(trx, claim, 'postgres'),
};
