import { type Kysely, sql } from 'kysely';

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
}

// An arbitrary constant that names "patchbay migrations" among advisory locks.
const MIGRATION_LOCK_KEY = 0x70617463;

export const sqliteDialect: DialectSql = {
  name: 'sqlite',
  timeType: 'integer',
  async lockMigrations() {},
};

export const postgresDialect: DialectSql = {
  name: 'postgres',
  timeType: 'bigint',
  async lockMigrations(trx) {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
  },
};
