import { type Kysely, sql } from 'kysely';
import { PatchbayError } from '../errors/index.ts';
import type { DialectSql } from './dialect.ts';
import type { Database } from './schema.ts';

export interface MigrationContext {
  dialect: DialectSql['name'];
  types: { time: DialectSql['timeType'] };
}

export interface Migration {
  /** Strictly increasing; never reused. */
  version: number;
  name: string;
  // Migrations run against the schema as it was at their version, not today's typed schema.
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  up(db: Kysely<any>, context: MigrationContext): Promise<void>;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies every pending migration in one transaction that holds the migration lock, so two
 * processes starting at once never both apply one: the second waits, then finds nothing to do.
 */
export async function runMigrations(
  db: Kysely<Database>,
  dialect: DialectSql,
  migrations: readonly Migration[],
): Promise<MigrationReport> {
  assertOrdered(migrations);
  try {
    return await db.transaction().execute(async (trx) => {
      await dialect.lockMigrations(trx);
      await createLedger(trx, dialect);
      const applied = new Set(
        (await trx.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version),
      );
      const report: MigrationReport = { applied: [], alreadyApplied: applied.size };
      const context: MigrationContext = { dialect: dialect.name, types: { time: dialect.timeType } };
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await migration.up(trx, context);
        await trx
          .insertInto('schema_migrations')
          .values({ version: migration.version, name: migration.name, applied_at: Date.now() })
          .execute();
        report.applied.push(label(migration));
      }
      return report;
    });
  } catch (cause) {
    if (cause instanceof PatchbayError) throw cause;
    throw new PatchbayError('migration_failed', `Database migration failed: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Names of migrations not yet applied (empty when the schema is current). */
export async function pendingMigrations(
  db: Kysely<Database>,
  migrations: readonly Migration[],
): Promise<string[]> {
  let applied: Set<number>;
  try {
    applied = new Set(
      (await db.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version),
    );
  } catch {
    // No ledger yet: nothing has been applied.
    applied = new Set();
  }
  return migrations.filter((m) => !applied.has(m.version)).map(label);
}

async function createLedger(trx: Kysely<Database>, dialect: DialectSql): Promise<void> {
  await trx.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', dialect.timeType, (c) => c.notNull())
    .execute();
  // Touch the ledger so a no-op run still proves the schema is readable inside the lock.
  await sql`select count(*) from schema_migrations`.execute(trx);
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous && previous.version >= migration.version) {
      throw new PatchbayError(
        'migration_failed',
        `Migration ${label(migration)} is out of order after ${label(previous)}`,
      );
    }
  });
}

function label(migration: Migration): string {
  return `${String(migration.version).padStart(4, '0')}_${migration.name}`;
}
