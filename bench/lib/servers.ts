import { createConnection } from 'node:net';
import pg from 'pg';

const LOCAL_HOSTS = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A server a benchmark part needs: where it is, or why that part is skipped. */
export type Available<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface BenchPostgres {
  /** URL of a database created for this run. */
  url: string;
  /** Drops the database. */
  drop(): Promise<void>;
}

/**
 * Creates a PostgreSQL database for one benchmark run on the local server
 * (PATCHBAY_BENCH_DATABASE_URL, else PATCHBAY_TEST_DATABASE_URL, else postgres@127.0.0.1:5432).
 * Benchmarks only talk to this machine: any other host is refused.
 */
export async function createBenchPostgres(label: string): Promise<Available<BenchPostgres>> {
  const adminUrl =
    process.env.PATCHBAY_BENCH_DATABASE_URL ?? process.env.PATCHBAY_TEST_DATABASE_URL ?? DEFAULT_PG_URL;
  const host = new URL(adminUrl).hostname;
  if (!LOCAL_HOSTS.has(host))
    return { ok: false, reason: `PostgreSQL at ${host} is not on 127.0.0.1; benchmarks stay local` };
  const name = `patchbay_bench_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  try {
    await withAdmin(adminUrl, (client) => client.query(`create database ${name}`));
  } catch (error) {
    return { ok: false, reason: `no PostgreSQL server answered at ${host} (${(error as Error).message})` };
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    ok: true,
    value: {
      url: url.toString(),
      async drop() {
        await withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
      },
    },
  };
}

/** Redis at 127.0.0.1:6379 (REDIS_PORT overrides the port), if something listens there. */
export async function localRedis(): Promise<Available<{ host: string; port: number }>> {
  const port = Number(process.env.REDIS_PORT ?? 6379);
  const host = '127.0.0.1';
  const reachable = await new Promise<string | null>((resolve) => {
    const socket = createConnection({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timed out');
    });
    socket.once('error', (error) => resolve(error.message));
  });
  return reachable === null
    ? { ok: true, value: { host, port } }
    : { ok: false, reason: `no Redis at ${host}:${port} (${reachable})` };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
