import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PatchbayError } from '../errors/index.ts';
import { type DialectSql, postgresDialect, sqliteDialect } from './dialect.ts';
import { NodeSqliteDialect } from './dialects/node-sqlite-driver.ts';
import { type MigrationReport, pendingMigrations, runMigrations } from './migration.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { refuseNulText } from './text-guard.ts';

export interface StoreOptions {
  /** `postgres://…`, `sqlite:path`, `file:path`, or empty for `<dataDir>/patchbay.db`. */
  databaseUrl: string;
  dataDir: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

/** The database of one engine: the query layer, its dialect, and migrations. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectSql;
  /** A human-readable location without credentials (for logs and `doctor`). */
  readonly location: string;
  migrate(): Promise<MigrationReport>;
  pendingMigrations(): Promise<string[]>;
  /** Throws `database_unavailable` when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const url = options.databaseUrl;
  if (/^postgres(ql)?:/.test(url)) return await openPostgres(url, options.poolSize ?? 10);
  return openSqlite(sqlitePath(url, options.dataDir));
}

function sqlitePath(url: string, dataDir: string): string {
  if (url === '') {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    return join(dataDir, 'patchbay.db');
  }
  if (url.startsWith('file:'))
    return fileURLToPath(url.startsWith('file://') ? url : `file://${resolve(url.slice(5))}`);
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  return path === ':memory:' ? path : resolve(path);
}

function openSqlite(path: string): Store {
  let database: DatabaseSync;
  try {
    database = new DatabaseSync(path);
    // Other processes on the same file wait for the write lock instead of failing at once. Set
    // first: switching to WAL takes a lock too, and fails at once while another process starting
    // at the same moment holds it.
    database.exec('PRAGMA busy_timeout = 15000');
    // Durable means on disk: WAL with a full fsync at every commit. Throughput comes from
    // group commit (many writes per transaction), never from weaker durability.
    database.exec('PRAGMA journal_mode = WAL');
    database.exec('PRAGMA synchronous = FULL');
    database.exec('PRAGMA foreign_keys = ON');
  } catch (cause) {
    throw new PatchbayError(
      'database_unavailable',
      `Cannot open the SQLite database at ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const db = new Kysely<Database>({ dialect: refuseNulText(new NodeSqliteDialect(database)) });
  return createStore(db, sqliteDialect, `sqlite:${path}`);
}

async function openPostgres(url: string, poolSize: number): Promise<Store> {
  // Loaded here, not at the top: the embedded SQLite default never needs the driver, and it is
  // among the larger modules an engine would otherwise load at start-up.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Times are bigint epoch milliseconds: read them back as numbers (safe up to year 287396).
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format),
    },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: refuseNulText(new PostgresDialect({ pool })) });
  return createStore(db, postgresDialect, redactUrl(url));
}

function createStore(db: Kysely<Database>, dialect: DialectSql, location: string): Store {
  return {
    db,
    dialect,
    location,
    migrate: () => runMigrations(db, dialect, MIGRATIONS),
    pendingMigrations: () => pendingMigrations(db, MIGRATIONS),
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (cause) {
        throw new PatchbayError('database_unavailable', `The database at ${location} is not reachable`, {
          cause,
        });
      }
    },
    close: () => db.destroy(),
  };
}

/** Drops the password from a connection URL so it can be printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
