/**
 * Queue benchmark: 10,000 jobs enqueued one call at a time by 50 concurrent producers and run by
 * a worker with 50 jobs in flight, end to end (first enqueue → last completion recorded), on:
 * - the SQL queue on SQLite (WAL, synchronous=FULL: every commit fsynced) — the headline;
 * - the SQL queue on PostgreSQL, in a database created for the run (when a server is local);
 * - BullMQ on Redis at 127.0.0.1:6379 (when reachable) — the ceiling;
 * next to the raw single-row insert rate (one row per transaction) of each database.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker as BullWorker, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { z } from 'zod';
import { createCatalog, createJobs, createSqlQueue, createWorker, defineJob } from '../src/queue/index.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { createBenchPostgres, localRedis } from './lib/servers.ts';
import { median, round, runConcurrently, withTimeout } from './lib/stats.ts';
import type { BenchContext, Benchmark } from './lib/types.ts';

const JOBS = 10_000;
const CONCURRENCY = 50;
const WARMUP_JOBS = 1_000;
const ROUNDS = 3;
const RAW_ROWS = 2_000;
const RAW_MAX_MS = 5_000;
const PART_TIMEOUT_MS = 120_000;

const catalog = createCatalog([
  defineJob({ name: 'bench.noop', payload: z.object({ i: z.number().int() }) }),
]);

interface RoundFigures {
  jobsPerSecond: number;
  ms: number;
  /** Transactions group commit used, and operations per transaction (SQL queue only). */
  transactions?: number;
  opsPerTransaction?: number;
}

interface Contender {
  key: 'sqlite' | 'postgres' | 'bullmq';
  label: string;
  durability: string;
  round(jobs: number): Promise<RoundFigures>;
  /** Housekeeping between rounds that a running deployment would do anyway. */
  betweenRounds?(): Promise<void>;
  /** One row per transaction, sequentially: the database's commit rate. */
  rawInsertRate?(): Promise<{ rowsPerSecond: number; rows: number }>;
  settings(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** The SQL queue (typed jobs, worker, group commit) on a migrated store. */
function sqlContender(
  key: 'sqlite' | 'postgres',
  store: Store,
  durability: string,
  cleanup: () => Promise<void>,
): Contender {
  return {
    key,
    label: `Patchbay queue on ${key === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
    durability,
    async round(jobs) {
      const queue = createSqlQueue(store);
      const typed = createJobs(queue, catalog);
      const done = Promise.withResolvers<void>();
      let completed = 0;
      const worker = createWorker({
        queue,
        catalog,
        concurrency: CONCURRENCY,
        pollIntervalMs: 50,
        handlers: { 'bench.noop': () => {} },
        onEvent(event) {
          if (event.type === 'completed' && ++completed === jobs) done.resolve();
          if (event.type === 'failed' || event.type === 'error' || event.type === 'lease_lost') {
            done.reject(new Error(`worker event ${event.type}`));
          }
        },
      });
      worker.start();
      const started = performance.now();
      await withTimeout(
        `${key} round`,
        PART_TIMEOUT_MS,
        Promise.all([
          runConcurrently(jobs, CONCURRENCY, (i) => typed.enqueue('bench.noop', { i })),
          done.promise,
        ]),
      );
      const ms = performance.now() - started;
      await worker.stop({ timeoutMs: 1000 });
      const commits = queue.commitStats();
      await queue.close();
      const left = await queue.stats();
      if (left.waiting + left.active + left.dead + left.delayed !== 0)
        throw new Error(`${key}: jobs left behind`);
      return {
        jobsPerSecond: (jobs / ms) * 1000,
        ms,
        transactions: commits.flushes,
        opsPerTransaction: commits.operations / commits.flushes,
      };
    },
    ...(key === 'postgres'
      ? {
          // Each round leaves ~20,000 dead row versions; autovacuum would clean them within a
          // minute in a running deployment, but a benchmark round lasts seconds. Vacuuming here
          // measures the steady state instead of an ever-growing pile of dead tuples.
          async betweenRounds() {
            await sql`vacuum analyze jobs`.execute(store.db);
          },
        }
      : {}),
    async rawInsertRate() {
      await sql`create table if not exists bench_raw (id text primary key, payload text not null)`.execute(
        store.db,
      );
      const payload = JSON.stringify({ i: 0 });
      const started = performance.now();
      let rows = 0;
      while (rows < RAW_ROWS && performance.now() - started < RAW_MAX_MS) {
        await sql`insert into bench_raw (id, payload) values (${randomUUID()}, ${payload})`.execute(store.db);
        rows += 1;
      }
      const rowsPerSecond = (rows / (performance.now() - started)) * 1000;
      await sql`drop table bench_raw`.execute(store.db);
      return { rowsPerSecond, rows };
    },
    async settings() {
      if (key === 'sqlite') {
        const [journal] = (await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db)).rows;
        const [sync] = (await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db)).rows;
        return {
          journal_mode: journal?.journal_mode,
          synchronous: sync?.synchronous === 2 ? 'FULL' : sync?.synchronous,
        };
      }
      const show = async (name: string) =>
        Object.values((await sql.raw(`show ${name}`).execute(store.db)).rows[0] as object)[0];
      return {
        server_version: await show('server_version'),
        fsync: await show('fsync'),
        synchronous_commit: await show('synchronous_commit'),
      };
    },
    async close() {
      await store.close();
      await cleanup();
    },
  };
}

async function bullmqContender(connection: { host: string; port: number }): Promise<Contender> {
  const prefix = `patchbay-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const name = 'bench';
  const options = { connection: { ...connection, maxRetriesPerRequest: null }, prefix };
  const queue = new Queue(name, options);
  let onCompleted = () => {};
  let onFailed = (_error: Error) => {};
  const worker = new BullWorker(name, async () => {}, { ...options, concurrency: CONCURRENCY });
  worker.on('completed', () => onCompleted());
  worker.on('failed', (_job, error) => onFailed(error));
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
  const admin = new Redis({ ...connection, lazyConnect: true });
  await admin.connect();
  return {
    key: 'bullmq',
    label: 'BullMQ on Redis',
    durability: 'Redis persistence as configured (see settings)',
    async round(jobs) {
      const done = Promise.withResolvers<void>();
      let completed = 0;
      onCompleted = () => {
        if (++completed === jobs) done.resolve();
      };
      onFailed = (error) => done.reject(error);
      const started = performance.now();
      await withTimeout(
        'bullmq round',
        PART_TIMEOUT_MS,
        Promise.all([
          runConcurrently(jobs, CONCURRENCY, (i) =>
            queue.add('bench.noop', { i }, { removeOnComplete: true, removeOnFail: true }),
          ),
          done.promise,
        ]),
      );
      const ms = performance.now() - started;
      return { jobsPerSecond: (jobs / ms) * 1000, ms };
    },
    async settings() {
      const config = async (key: string) => {
        try {
          const reply = (await admin.config('GET', key)) as string[];
          return reply[1] ?? null;
        } catch {
          return 'unavailable (CONFIG disabled)';
        }
      };
      const server = await admin.info('server');
      return {
        redis_version: /redis_version:(\S+)/.exec(server)?.[1] ?? null,
        appendonly: await config('appendonly'),
        appendfsync: await config('appendfsync'),
        save: await config('save'),
      };
    },
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      // Anything still under our prefix (events stream, meta) goes too.
      const left = await admin.keys(`${prefix}:*`);
      if (left.length > 0) await admin.del(...left);
      await admin.quit();
    },
  };
}

async function openContenders(context: BenchContext, skipped: Record<string, string>): Promise<Contender[]> {
  const contenders: Contender[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-'));
  const sqlite = await openStore({ databaseUrl: '', dataDir });
  await sqlite.migrate();
  contenders.push(
    sqlContender('sqlite', sqlite, 'WAL, synchronous=FULL (fsync per commit)', async () =>
      rmSync(dataDir, { recursive: true, force: true }),
    ),
  );

  const postgres = await createBenchPostgres('queue');
  if (postgres.ok) {
    const store = await openStore({ databaseUrl: postgres.value.url, dataDir: tmpdir(), poolSize: 10 });
    await store.migrate();
    contenders.push(sqlContender('postgres', store, 'server defaults (see settings)', postgres.value.drop));
  } else {
    skipped.postgres = postgres.reason;
    context.log(`PostgreSQL part skipped: ${postgres.reason}`);
  }

  const redis = await localRedis();
  if (redis.ok) contenders.push(await bullmqContender(redis.value));
  else {
    skipped.bullmq = redis.reason;
    context.log(`BullMQ part skipped: ${redis.reason}`);
  }
  return contenders;
}

const benchmark: Benchmark = {
  name: 'queue',
  description: `enqueue→complete of ${JOBS.toLocaleString('en-US')} jobs, ${CONCURRENCY} in flight: SQLite and PostgreSQL queue vs BullMQ`,
  async run(context) {
    const skipped: Record<string, string> = {};
    const contenders = await openContenders(context, skipped);
    const figures = new Map<Contender['key'], RoundFigures[]>();
    const settings: Record<string, unknown> = {};
    const raw: Record<string, { rowsPerSecond: number; rows: number }> = {};
    try {
      for (const contender of contenders) {
        settings[contender.key] = await contender.settings();
        if (contender.rawInsertRate) {
          context.log(`${contender.label}: single-row inserts`);
          raw[contender.key] = await contender.rawInsertRate();
        }
        context.log(`${contender.label}: warm-up (${WARMUP_JOBS} jobs)`);
        await contender.round(WARMUP_JOBS);
        figures.set(contender.key, []);
      }
      // Rounds alternate between systems so background load on the machine hits all of them alike.
      for (let r = 1; r <= ROUNDS; r++) {
        for (const contender of contenders) {
          await contender.betweenRounds?.();
          const result = await contender.round(JOBS);
          context.log(`round ${r} ${contender.label}: ${Math.round(result.jobsPerSecond)} jobs/s`);
          figures.get(contender.key)!.push(result);
        }
      }
    } finally {
      for (const contender of contenders) {
        await contender
          .close()
          .catch((error: unknown) => context.log(`cleanup of ${contender.label}: ${error}`));
      }
    }

    const summary = (key: Contender['key']) => {
      const rounds = figures.get(key);
      if (!rounds) return undefined;
      return {
        jobsPerSecond: round(median(rounds.map((f) => f.jobsPerSecond))),
        rounds: rounds.map((f) => ({
          jobsPerSecond: round(f.jobsPerSecond),
          ms: round(f.ms),
          ...(f.transactions === undefined ? {} : { transactions: f.transactions }),
          ...(f.opsPerTransaction === undefined ? {} : { opsPerTransaction: round(f.opsPerTransaction, 1) }),
        })),
        ...(raw[key]
          ? { singleRowInsertsPerSecond: round(raw[key].rowsPerSecond), singleRowInserts: raw[key].rows }
          : {}),
        settings: settings[key],
      };
    };
    const sqlite = summary('sqlite')!;
    const bullmq = summary('bullmq');
    const ceiling = bullmq?.jobsPerSecond ?? null;
    const table: Array<Record<string, string | number | null>> = contenders.map((contender) => {
      const s = summary(contender.key)!;
      const ops = figures.get(contender.key)!.map((f) => f.opsPerTransaction ?? Number.NaN);
      return {
        system: contender.label,
        durability: contender.durability,
        'jobs/s (median)': s.jobsPerSecond,
        'rounds jobs/s': s.rounds.map((f) => f.jobsPerSecond).join(' / '),
        'single-row inserts/s': s.singleRowInsertsPerSecond ?? null,
        'ops per commit': Number.isNaN(median(ops)) ? null : round(median(ops), 1),
        'vs BullMQ': ceiling ? round(s.jobsPerSecond / ceiling, 2) : null,
      };
    });
    for (const [part, reason] of Object.entries(skipped))
      table.push({ system: part, durability: `skipped: ${reason}` });
    return {
      unit: 'jobs/s',
      value: sqlite.jobsPerSecond,
      ceiling,
      goal: 'the durable embedded queue (SQLite, synchronous=FULL) at or above BullMQ end-to-end jobs/s at the same concurrency',
      met: ceiling !== null && sqlite.jobsPerSecond >= ceiling,
      details: {
        jobs: JOBS,
        concurrency: CONCURRENCY,
        producers: CONCURRENCY,
        rounds: ROUNDS,
        warmupJobs: WARMUP_JOBS,
        statistic: 'median of rounds',
        notes: [
          'one job = one enqueue call (validated payload) + claim + no-op handler + completion recorded',
          'SQL queue: completed jobs are deleted in the completing transaction',
          'PostgreSQL: VACUUM ANALYZE jobs before each round, standing in for autovacuum',
          'BullMQ: removeOnComplete, one Queue and one Worker (concurrency 50)',
        ],
        sqlite,
        postgres: summary('postgres') ?? { skipped: skipped.postgres },
        bullmq: bullmq ?? { skipped: skipped.bullmq },
        machine: { cpus: availableParallelism(), node: process.version },
      },
      table,
    };
  },
};

export default benchmark;
