import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.ts';

/** A database a suite can run against, created empty for it and removed afterwards. */
export interface TestDatabase {
  /** `sqlite` or `postgres`: use it in test names. */
  readonly name: 'sqlite' | 'postgres';
  /** The URL to give the engine (PATCHBAY_DATABASE_URL); empty for SQLite, which uses dataDir. */
  readonly databaseUrl: string;
  readonly dataDir: string;
  /** Opens a new store on this database (several may be open at once, like several processes). */
  open(): Promise<Store>;
  /** Drops the database / removes the directory. */
  destroy(): Promise<void>;
}

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh SQLite database in a temporary data directory. */
export function sqliteTestDatabase(): TestDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-test-'));
  return {
    name: 'sqlite',
    databaseUrl: '',
    dataDir,
    open: () => openStore({ databaseUrl: '', dataDir }),
    async destroy() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let pgProbe: Promise<string | null> | undefined;

/**
 * Why PostgreSQL suites cannot run here, or null when a server answers. Uses
 * PATCHBAY_TEST_DATABASE_URL, else the local server at 127.0.0.1:5432.
 */
export function postgresUnavailableReason(): Promise<string | null> {
  pgProbe ??= (async () => {
    const url = process.env.PATCHBAY_TEST_DATABASE_URL ?? DEFAULT_PG_URL;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return null;
    } catch (error) {
      return `PostgreSQL suites skipped: no server at ${redact(url)} (${(error as Error).message}); set PATCHBAY_TEST_DATABASE_URL or start PostgreSQL to run them`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return pgProbe;
}

/** A fresh PostgreSQL database (CREATE DATABASE on the test server), dropped by destroy(). */
export async function postgresTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.PATCHBAY_TEST_DATABASE_URL ?? DEFAULT_PG_URL;
  const name = `patchbay_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withAdmin(adminUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-test-'));
  const stores: Store[] = [];
  return {
    name: 'postgres',
    databaseUrl: url.toString(),
    dataDir,
    async open() {
      const store = await openStore({ databaseUrl: url.toString(), dataDir, poolSize: 5 });
      stores.push(store);
      return store;
    },
    async destroy() {
      await Promise.allSettled(stores.map((s) => s.close()));
      await withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The databases a store-backed suite runs on: always SQLite; PostgreSQL too when reachable.
 * Each entry is either a factory or the printed reason it is skipped.
 */
export async function testDatabases(): Promise<
  Array<{ name: 'sqlite' | 'postgres'; create?: () => Promise<TestDatabase>; skip?: string }>
> {
  const reason = await postgresUnavailableReason();
  if (reason && (process.env.CI === 'true' || process.env.PATCHBAY_REQUIRE_POSTGRES === '1')) {
    throw new Error(`${reason} — CI requires PostgreSQL`);
  }
  return [
    { name: 'sqlite', create: async () => sqliteTestDatabase() },
    reason ? { name: 'postgres', skip: reason } : { name: 'postgres', create: postgresTestDatabase },
  ];
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
