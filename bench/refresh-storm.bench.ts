/**
 * Refresh storm benchmark (issue 3): two `patchbay start --role api` processes on one database,
 * one connection made through the connect flow against the OAuth sandbox (2 s access tokens,
 * rotating refresh tokens), then 1,000 concurrent proxied `GET /api/me` calls on the expired
 * token, half to each process. Measured: how long the storm takes to complete (the one refresh
 * included), calls/s and per-call latency. The ceiling is the same 1,000 calls sent straight to
 * the sandbox with a valid token, in the same run, through the same client.
 *
 * The sandbox must count exactly one refresh_token request and every call must answer 200: the
 * benchmark fails otherwise. Runs on SQLite (the headline) and on PostgreSQL when a local server
 * answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createStormWorld,
  directToken,
  fireStorm,
  percentile,
  proxyTargets,
  type StormResult,
  type StormWorld,
  waitUntilExpired,
} from '../test/support/refresh-storm.ts';
import { createBenchPostgres } from './lib/servers.ts';
import { round, withTimeout } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const CALLS = 1000;
const PART_TIMEOUT_MS = 90_000;

interface Figures {
  completionMs: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

interface DialectRun {
  storm: Figures;
  direct: Figures;
  refreshTokenRequests: number;
}

function figures(result: StormResult): Figures {
  return {
    completionMs: round(result.durationMs, 1),
    callsPerSecond: round((result.calls / result.durationMs) * 1000),
    p50Ms: round(percentile(result.latenciesMs, 50), 2),
    p99Ms: round(percentile(result.latenciesMs, 99), 2),
  };
}

/** The storm on one database, then the direct calls; throws when the storm's promise is broken. */
async function runOn(database: { dataDir: string; databaseUrl: string }, label: string): Promise<DialectRun> {
  // Starting the world is bounded by itself (each process must be ready within 30 s).
  const world = await createStormWorld({ database });
  try {
    return await withTimeout(`the ${label} storm`, PART_TIMEOUT_MS, measure(world));
  } finally {
    await world.close();
  }
}

async function measure(world: StormWorld): Promise<DialectRun> {
  await waitUntilExpired(world);
  const storm = await fireStorm(proxyTargets(world), CALLS, '/health');
  const refreshTokenRequests = world.sandbox.stats.token.refresh_token;
  if (storm.statuses[200] !== CALLS) {
    throw new Error(
      `only ${storm.statuses[200] ?? 0} of ${CALLS} proxied calls answered 200 (${JSON.stringify(storm.statuses)}): ${storm.failures.join(' | ')}`,
    );
  }
  if (refreshTokenRequests !== 1) {
    throw new Error(`the sandbox counted ${refreshTokenRequests} refresh_token requests; expected exactly 1`);
  }

  const token = await directToken(world.sandbox);
  const sandboxTarget = {
    url: world.sandbox.origin,
    path: '/api/me',
    headers: { authorization: `Bearer ${token}` },
  };
  // Two pools of 500 connections, as the storm has one per engine process.
  const direct = await fireStorm([sandboxTarget, sandboxTarget], CALLS, '/api/echo');
  if (direct.statuses[200] !== CALLS) {
    throw new Error(`direct calls: ${JSON.stringify(direct.statuses)}: ${direct.failures.join(' | ')}`);
  }
  return { storm: figures(storm), direct: figures(direct), refreshTokenRequests };
}

const benchmark: Benchmark = {
  name: 'refresh-storm',
  description: `${CALLS} concurrent proxy calls on an expired token from 2 engine processes on one database`,
  async run({ log }) {
    const runs: Partial<Record<'sqlite' | 'postgres', DialectRun>> = {};
    let postgresSkipped: string | null = null;

    log('SQLite: 2 processes on one data dir…');
    const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-storm-'));
    try {
      runs.sqlite = await runOn({ dataDir, databaseUrl: '' }, 'SQLite');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }

    const postgres = await createBenchPostgres('storm');
    if (postgres.ok) {
      log('PostgreSQL: 2 processes on one database…');
      const pgDataDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-storm-'));
      try {
        runs.postgres = await runOn({ dataDir: pgDataDir, databaseUrl: postgres.value.url }, 'PostgreSQL');
      } finally {
        rmSync(pgDataDir, { recursive: true, force: true });
        await postgres.value.drop();
      }
    } else {
      postgresSkipped = postgres.reason;
      log(`PostgreSQL skipped: ${postgres.reason}`);
    }

    const table: Array<Record<string, string | number | null>> = [];
    for (const [name, run] of Object.entries(runs)) {
      const label = name === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      table.push(
        {
          run: `proxied storm, ${label}`,
          'token requests': run.refreshTokenRequests,
          'completion ms': run.storm.completionMs,
          'calls/s': run.storm.callsPerSecond,
          'p50 ms': run.storm.p50Ms,
          'p99 ms': run.storm.p99Ms,
        },
        {
          run: `direct to sandbox (ceiling), ${label} run`,
          'token requests': null,
          'completion ms': run.direct.completionMs,
          'calls/s': run.direct.callsPerSecond,
          'p50 ms': run.direct.p50Ms,
          'p99 ms': run.direct.p99Ms,
        },
      );
    }
    if (postgresSkipped) table.push({ run: `PostgreSQL skipped: ${postgresSkipped}` });

    const headline = runs.sqlite!;
    return {
      unit: 'proxied calls/s during the storm (SQLite)',
      value: headline.storm.callsPerSecond,
      ceiling: headline.direct.callsPerSecond,
      goal: `exactly 1 token request and ${CALLS}/${CALLS} calls answered 200, on every database run`,
      // runOn throws when either promise is broken, so reaching here means it was kept.
      met: true,
      details: {
        calls: CALLS,
        processes: 2,
        accessTokenTtlSeconds: 2,
        refreshMarginSeconds: 1,
        ...runs,
        postgresSkipped,
        node: process.versions.node,
      },
      table,
    };
  },
};

export default benchmark;
