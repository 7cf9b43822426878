/**
 * Sync benchmark (issue 6): a real sync on the script runtime ingesting a paginated API.
 *
 * The bulk API (bench/fixtures/bulk-api.ts) runs in a process of its own and serves 1,000,000
 * orders (≈300 bytes each) 1,000 per page. An engine in another process (library mode,
 * bench/fixtures/sync-engine.ts) runs the bench provider's `orders` sync through the proxy (auth
 * injection, request log), paginate, validation, hashing and the records store with change
 * detection, a checkpoint per page:
 * 1. first ingest of every record;
 * 2. a full re-sync after 1 % of the records changed at the API (delete detection on, so every
 *    unchanged record is marked seen).
 * Each part reports the engine process's peak RSS (VmHWM) and CPU per record. SQLite with the V8
 * flags of `patchbay start` (the headline) and with V8's defaults, and PostgreSQL when a local
 * server answers.
 * Ceiling, same run: this process fetching and parsing the same pages straight from the API
 * (no proxy, no validation, no database) — the rate the API and the JSON work allow at all.
 * Goals: ≥ 50,000 records/s first ingest, re-sync ≤ 30 s, RSS ≤ 250 MB.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ENGINE_NODE_FLAGS } from '../src/cli/node-flags.ts';
import { createBenchPostgres } from './lib/servers.ts';
import { round } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const RECORDS = Number(process.env.PATCHBAY_BENCH_RECORDS ?? 1_000_000);
const PAGE = 1_000;
const BULK_API = new URL('./fixtures/bulk-api.ts', import.meta.url).pathname;
const SYNC_ENGINE = new URL('./fixtures/sync-engine.ts', import.meta.url).pathname;
const INGEST_GOAL = 50_000;
const RESYNC_GOAL_MS = 30_000;
const RSS_GOAL_MB = 250;
/**
 * The engine runs with the V8 flags `patchbay start` uses (src/cli/node-flags.ts), and again with
 * V8's own defaults, as a host embedding the engine without flags would (library mode): V8's
 * default sizing lets garbage pile up well past the live set before collecting, so the same work
 * peaks far higher. Both in the same run.
 */
const AS_STARTED = `sqlite, ${ENGINE_NODE_FLAGS.join(' ')}`;
const V8_DEFAULTS = 'sqlite, V8 defaults';
const HEADLINE_ROUNDS = Number(process.env.PATCHBAY_BENCH_SYNC_ROUNDS ?? 3);

/** The median round's parts with each part's peak RSS raised to the highest any round reached. */
function withWorstPeak(
  median: { first: Part; resync: Part },
  rounds: { first: Part; resync: Part }[],
): { first: Part; resync: Part } {
  const worst = (part: 'first' | 'resync') => Math.max(...rounds.map((r) => r[part].peakRssMb));
  return {
    first: { ...median.first, peakRssMb: worst('first') },
    resync: { ...median.resync, peakRssMb: worst('resync') },
  };
}

interface Part {
  ms: number;
  recordsPerSecond: number;
  peakRssMb: number;
  cpuUsPerRecord: number;
  counts: Record<string, number>;
}

async function startBulkApi(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BULK_API, String(RECORDS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { url: line.trim(), child };
}

/** The ceiling: every page fetched and parsed by this process, nothing else. */
async function fetchAll(url: string): Promise<number> {
  const started = performance.now();
  let after: string | null = '0';
  let count = 0;
  while (after !== null) {
    const response = await fetch(`${url}/v1/orders?after=${after}&limit=${PAGE}`, {
      headers: { authorization: 'Bearer bench' },
    });
    const body = (await response.json()) as { data: unknown[]; next: string | null };
    count += body.data.length;
    after = body.next;
  }
  if (count !== RECORDS) throw new Error(`the API served ${count} records, not ${RECORDS}`);
  return RECORDS / ((performance.now() - started) / 1000);
}

/** Runs both parts in an engine process of their own (its peak RSS is the engine's alone). */
async function runOn(
  label: string,
  api: string,
  database: { dataDir: string; databaseUrl?: string },
  nodeArgs: string[] = [],
) {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      SYNC_ENGINE,
      label,
      api,
      String(RECORDS),
      database.dataDir,
      ...(database.databaseUrl ? [database.databaseUrl] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${label}: the engine process exited with ${code}`);
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { first: Part; resync: Part };
}

const benchmark: Benchmark = {
  name: 'sync',
  description: `a sync ingesting ${RECORDS.toLocaleString('en-US')} records from a paginated API with change detection (records/s), then a full re-sync with 1 % changed`,
  async run(context) {
    const { url: api, child } = await startBulkApi();
    try {
      context.log('ceiling: fetching and parsing every page directly');
      const ceiling = Math.round(await fetchAll(api));
      const results: Record<string, Awaited<ReturnType<typeof runOn>>> = {};
      const runSqlite = async (name: string, nodeArgs: readonly string[]) => {
        const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-sync-'));
        try {
          return await runOn(name, api, { dataDir }, [...nodeArgs]);
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      };
      // The headline configuration runs HEADLINE_ROUNDS times (a fresh engine and database each)
      // and its median round by first-ingest rate is reported: single runs on this shared
      // machine moved by ±10 %.
      const rounds: Awaited<ReturnType<typeof runOn>>[] = [];
      for (let n = 1; n <= HEADLINE_ROUNDS; n++)
        rounds.push(await runSqlite(`${AS_STARTED} (round ${n})`, ENGINE_NODE_FLAGS));
      const byRate = [...rounds].sort((a, b) => a.first.recordsPerSecond - b.first.recordsPerSecond);
      // Memory is reported at its worst over the rounds, not the median round's.
      results[AS_STARTED] = withWorstPeak(byRate[Math.floor(byRate.length / 2)]!, rounds);
      results[V8_DEFAULTS] = await runSqlite(V8_DEFAULTS, []);
      const postgres = await createBenchPostgres('sync');
      let postgresSkipped: string | null = null;
      if (postgres.ok) {
        const pgDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-sync-pg-'));
        try {
          results.postgres = await runOn(
            'postgres',
            api,
            { databaseUrl: postgres.value.url, dataDir: pgDir },
            [...ENGINE_NODE_FLAGS],
          );
        } finally {
          rmSync(pgDir, { recursive: true, force: true });
          await postgres.value.drop();
        }
      } else {
        postgresSkipped = postgres.reason;
        context.log(`postgres skipped: ${postgres.reason}`);
      }
      const sqlite = results[AS_STARTED]!;
      const defaults = results[V8_DEFAULTS]!;
      const table = Object.entries(results).flatMap(([db, r]) => [
        {
          database: db,
          part: 'first ingest',
          'records/s': r.first.recordsPerSecond,
          seconds: round(r.first.ms / 1000, 1),
          'peak RSS MB': r.first.peakRssMb,
          'engine CPU µs/record': r.first.cpuUsPerRecord,
          'API ceiling records/s': ceiling,
        },
        {
          database: db,
          part: 're-sync, 1 % changed',
          'records/s': r.resync.recordsPerSecond,
          seconds: round(r.resync.ms / 1000, 1),
          'peak RSS MB': r.resync.peakRssMb,
          'engine CPU µs/record': r.resync.cpuUsPerRecord,
          'API ceiling records/s': ceiling,
        },
      ]);
      const peakOf = (r: { first: Part; resync: Part }) => Math.max(r.first.peakRssMb, r.resync.peakRssMb);
      const meets = (r: { first: Part; resync: Part }) =>
        r.first.recordsPerSecond >= INGEST_GOAL && r.resync.ms <= RESYNC_GOAL_MS && peakOf(r) <= RSS_GOAL_MB;
      return {
        unit: 'records/s',
        value: sqlite.first.recordsPerSecond,
        ceiling,
        goal: `≥ ${INGEST_GOAL.toLocaleString('en-US')} records/s first ingest, re-sync ≤ ${RESYNC_GOAL_MS / 1000} s, RSS ≤ ${RSS_GOAL_MB} MB, the engine as \`patchbay start\` runs it, on SQLite and on PostgreSQL (when reachable)`,
        met: meets(sqlite) && (results.postgres === undefined || meets(results.postgres)),
        details: {
          records: RECORDS,
          pageSize: PAGE,
          ceiling,
          results,
          postgresSkipped,
          metOnSqlite: meets(sqlite),
          metOnPostgres: results.postgres === undefined ? null : meets(results.postgres),
          metWithV8Defaults: meets(defaults),
          headlineRounds: rounds.map((r) => ({
            firstRecordsPerSecond: r.first.recordsPerSecond,
            resyncSeconds: round(r.resync.ms / 1000, 1),
            peakRssMb: Math.max(r.first.peakRssMb, r.resync.peakRssMb),
          })),
        },
        table,
      };
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  },
};

export default benchmark;
