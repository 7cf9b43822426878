import { type CompiledQuery, type Kysely, type Selectable, sql } from 'kysely';
import { bindList, marker, markerList, preparedOnce, valueMarker } from './prepared.ts';
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
  claimJobs(trx: Kysely<Database>, claim: JobClaim): Promise<ClaimedJobRow[]>;
  /**
   * Holds a lock on each of `keys` until the transaction ends, so that transactions that read
   * and then write the same things run one after the other. Call it inside a transaction.
   * SQLite: the transaction's BEGIN IMMEDIATE already serializes every writer; nothing to take.
   * PostgreSQL: transaction-scoped advisory locks on (`namespace`, hash of the key), taken in
   * key order so that two transactions locking the same keys cannot deadlock on them.
   */
  lockKeys(trx: Kysely<Database>, namespace: number, keys: readonly string[]): Promise<void>;
}

/**
 * The columns a claim returns: what a worker needs to run the job. Not `RETURNING *`: the state,
 * backoff, dedupe key, last error and update time are never read from a claim, and on SQLite each
 * returned column of each claimed row is one more value materialized and converted.
 */
export const CLAIMED_COLUMNS = [
  'id',
  'name',
  'payload',
  'environment_id',
  'priority',
  'run_at',
  'attempts',
  'max_attempts',
  'lease_owner',
  'lease_until',
  'created_at',
] as const satisfies readonly (keyof JobsTable)[];

export type ClaimedJobRow = Pick<Selectable<JobsTable>, (typeof CLAIMED_COLUMNS)[number]>;

/** What a worker asks for when it claims jobs (see DialectSql.claimJobs). */
export interface JobClaim {
  /** Job names the worker handles; at least one. */
  names: readonly string[];
  owner: string;
  now: number;
  leaseUntil: number;
  limit: number;
}

/**
 * The claim statement runs in every group commit that frees or creates work, and building and
 * compiling it with Kysely costs more than running it on SQLite: it is compiled once per dialect
 * and number of names (see store/prepared.ts), and each claim binds its values.
 */
function claimJobs(trx: Kysely<Database>, claim: JobClaim, dialect: DialectName): Promise<ClaimedJobRow[]> {
  const query = preparedOnce(trx, `claim:${claim.names.length}`, () =>
    compileClaim(trx, claim.names.length, dialect),
  );
  const values: Record<string, unknown> = {
    owner: claim.owner,
    now: claim.now,
    leaseUntil: claim.leaseUntil,
    limit: claim.limit,
  };
  bindList(values, 'name', claim.names);
  return trx.executeQuery(query(values)).then((result) => result.rows);
}

function compileClaim(
  trx: Kysely<Database>,
  names: number,
  dialect: DialectName,
): CompiledQuery<ClaimedJobRow> {
  const runnable = trx
    .selectFrom('jobs')
    .select('id')
    .where('state', '=', 'queued')
    .where('run_at', '<=', valueMarker('now'))
    .where('name', 'in', markerList('name', names))
    .orderBy('priority')
    .orderBy('run_at')
    .orderBy('id')
    .limit(valueMarker('limit'))
    .$if(dialect === 'postgres', (query) => query.forUpdate().skipLocked());
  return trx
    .updateTable('jobs')
    .set((eb) => ({
      state: 'active',
      lease_owner: marker('owner'),
      lease_until: valueMarker('leaseUntil'),
      attempts: eb('attempts', '+', 1),
      updated_at: valueMarker('now'),
    }))
    .where(
      dialect === 'postgres'
        ? // An array built once (an InitPlan), then primary-key lookups: PostgreSQL would otherwise
          // hash-join `id in (…)` against a scan of the whole table.
          sql<boolean>`id = any(array(${runnable}))`
        : sql<boolean>`id in (${runnable})`,
    )
    .returning(CLAIMED_COLUMNS)
    .compile();
}

// An arbitrary constant that names "patchbay migrations" among advisory locks.
const MIGRATION_LOCK_KEY = 0x70617463;

export const sqliteDialect: DialectSql = {
  name: 'sqlite',
  timeType: 'integer',
  async lockMigrations() {},
  claimJobs: (trx, claim) => claimJobs(trx, claim, 'sqlite'),
  async lockKeys() {},
};

export const postgresDialect: DialectSql = {
  name: 'postgres',
  timeType: 'bigint',
  async lockMigrations(trx) {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
  },
  claimJobs: (trx, claim) => claimJobs(trx, claim, 'postgres'),
  async lockKeys(trx, namespace, keys) {
    for (const key of [...new Set(keys)].sort()) {
      await sql`select pg_advisory_xact_lock(${namespace}::int, hashtext(${key}))`.execute(trx);
    }
  },
};
