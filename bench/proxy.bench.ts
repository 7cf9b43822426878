/**
 * Proxy benchmark: what going through `/proxy/*` costs compared with calling the provider
 * directly, in the same run against the same local server.
 *
 * Three processes: this one generates the load (undici Pool, closed loop: each connection sends
 * its next request when the previous answer is read), a bare node:http upstream answers a small
 * JSON body, and `patchbay start` (embedded SQLite, the default) proxies to it for an API-key
 * connection made through the connect page's API. Each path is measured the same way: a fixed
 * number of connections for a fixed time after a warm-up, then the same with one connection,
 * which gives the fairer "added latency" figure (no queueing in either process).
 *
 * `PATCHBAY_BENCH_CPU_PROF=<dir>` runs the engine with `--cpu-prof` into that directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import {
  connectWithCredentials,
  type EngineProcess,
  expectApi,
  startEngineProcess,
} from './fixtures/engine.ts';
import { round } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const CONCURRENCY = 16;
const WARMUP_MS = 2_000;
/** Direct and proxied alternate in rounds, so that both see the same background load. */
const ROUNDS = 5;
const ROUND_MS = 2_000;
const SINGLE_WARMUP_MS = 1_000;
const SINGLE_ROUND_MS = 1_000;
const TARGET_ADDED_P50_MS = 1;
const TARGET_RATIO = 0.7;
const UPSTREAM_KEY = 'bench_k3yForTheBenchmarkUpstream';
const PROVIDERS = fileURLToPath(new URL('./fixtures/providers/', import.meta.url));
const UPSTREAM = fileURLToPath(new URL('./fixtures/upstream-server.ts', import.meta.url));
const TICK_MS = 1000 / 100; // /proc/<pid>/stat counts CPU time in USER_HZ ticks (100 on Linux).

interface Target {
  origin: string;
  path: string;
  headers: Record<string, string>;
}

/** What one path's rounds added up to. */
interface Tally {
  latencies: number[];
  errors: number;
  ms: number;
  /** CPU time of the engine, of the upstream and of this load generator, ms. */
  engineCpuMs: number;
  upstreamCpuMs: number;
  generatorCpuMs: number;
}

interface Measurement {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Engine CPU time per request, µs (0 for direct calls: the engine is idle then). */
  engineCpuUsPerRequest: number;
  upstreamCpuUsPerRequest: number;
  generatorCpuUsPerRequest: number;
}

const benchmark: Benchmark = {
  name: 'proxy',
  description: `added latency and throughput of /proxy/* vs direct calls to the same local server`,
  async run({ log }) {
    const upstream = await startUpstream();
    let engine: EngineProcess | undefined;
    try {
      const profileDir = process.env.PATCHBAY_BENCH_CPU_PROF;
      engine = await startEngineProcess({
        env: { PATCHBAY_PROVIDER_DIRS: PROVIDERS },
        ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
      });
      await expectApi(
        engine,
        engine.apiKey,
        'POST',
        '/v1/integrations',
        { provider: 'bench-api', settings: { baseUrls: { '*': upstream.url } } },
        201,
      );
      const connectionId = await connectWithCredentials(engine, 'bench-api', { apiKey: UPSTREAM_KEY });
      log(
        `engine pid ${engine.pid} at ${engine.url}, connection ${connectionId}; upstream at ${upstream.url}`,
      );

      const direct: Target = {
        origin: upstream.url,
        path: '/v1/account',
        headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
      };
      const proxied: Target = {
        origin: engine.url,
        path: '/proxy/v1/account',
        headers: { authorization: `Bearer ${engine.apiKey}`, 'patchbay-connection-id': connectionId },
      };
      const pids = { engine: engine.pid, upstream: upstream.pid };

      log(
        `${CONCURRENCY} connections: ${WARMUP_MS} ms warm-up each, then ${ROUNDS} rounds of ${ROUND_MS} ms direct + ${ROUND_MS} ms proxied…`,
      );
      const [directMany, proxiedMany] = await compare(
        direct,
        proxied,
        CONCURRENCY,
        WARMUP_MS,
        ROUND_MS,
        pids,
      );
      log(
        `1 connection: ${SINGLE_WARMUP_MS} ms warm-up each, then ${ROUNDS} rounds of ${SINGLE_ROUND_MS} ms each…`,
      );
      const [directOne, proxiedOne] = await compare(
        direct,
        proxied,
        1,
        SINGLE_WARMUP_MS,
        SINGLE_ROUND_MS,
        pids,
      );

      const addedP50 = round(proxiedOne.p50 - directOne.p50, 3);
      const addedP99 = round(proxiedOne.p99 - directOne.p99, 3);
      const ratio = proxiedMany.perSecond / directMany.perSecond;
      const errors = directMany.errors + proxiedMany.errors + directOne.errors + proxiedOne.errors;
      const met = errors === 0 && addedP50 <= TARGET_ADDED_P50_MS && ratio >= TARGET_RATIO;
      const row = (path: string, connections: number, m: Measurement, reference?: Measurement) => ({
        path,
        conns: connections,
        requests: m.requests,
        errors: m.errors,
        'req/s': round(m.perSecond),
        'of direct': reference ? `${round((m.perSecond / reference.perSecond) * 100, 1)} %` : null,
        'p50 ms': round(m.p50, 3),
        'p99 ms': round(m.p99, 3),
        'added p50': reference ? round(m.p50 - reference.p50, 3) : null,
        'added p99': reference ? round(m.p99 - reference.p99, 3) : null,
        'engine µs/req': reference ? round(m.engineCpuUsPerRequest) : null,
        'upstream µs/req': round(m.upstreamCpuUsPerRequest),
        'loadgen µs/req': round(m.generatorCpuUsPerRequest),
      });
      return {
        unit: `req/s through the proxy (${CONCURRENCY} connections)`,
        value: round(proxiedMany.perSecond),
        ceiling: round(directMany.perSecond),
        goal: `added p50 ≤ ${TARGET_ADDED_P50_MS} ms (1 connection) and proxied throughput ≥ ${TARGET_RATIO * 100} % of direct (${CONCURRENCY} connections), no errors`,
        met,
        details: {
          addedP50Ms: addedP50,
          addedP99Ms: addedP99,
          addedP50MsAtConcurrency: round(proxiedMany.p50 - directMany.p50, 3),
          addedP99MsAtConcurrency: round(proxiedMany.p99 - directMany.p99, 3),
          throughputRatio: round(ratio, 3),
          engineCpuUsPerProxiedRequest: round(proxiedMany.engineCpuUsPerRequest),
          direct: { many: directMany, one: directOne },
          proxied: { many: proxiedMany, one: proxiedOne },
          concurrency: CONCURRENCY,
          rounds: ROUNDS,
          roundMs: ROUND_MS,
          database: 'embedded SQLite (default)',
          cpus: availableParallelism(),
          loadAverage: loadavg().map((value) => round(value, 2)),
          node: process.versions.node,
        },
        table: [
          row('direct', CONCURRENCY, directMany),
          row('proxy', CONCURRENCY, proxiedMany, directMany),
          row('direct', 1, directOne),
          row('proxy', 1, proxiedOne, directOne),
        ],
      };
    } finally {
      await engine?.stop();
      await upstream.stop();
    }
  },
};

export default benchmark;

/** Warms both paths up, then alternates them for ROUNDS rounds; returns [direct, proxied]. */
async function compare(
  direct: Target,
  proxied: Target,
  connections: number,
  warmupMs: number,
  roundMs: number,
  pids: { engine: number; upstream: number },
): Promise<[Measurement, Measurement]> {
  const pools = [direct, proxied].map(
    (target) => new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 }),
  ) as [Pool, Pool];
  try {
    await drive(pools[0], direct, connections, warmupMs);
    await drive(pools[1], proxied, connections, warmupMs);
    const tallies: [Tally, Tally] = [emptyTally(), emptyTally()];
    for (let i = 0; i < ROUNDS; i++) {
      for (const which of [0, 1] as const) {
        const before = cpuSnapshot(pids);
        const result = await drive(pools[which], which === 0 ? direct : proxied, connections, roundMs);
        const after = cpuSnapshot(pids);
        const tally = tallies[which];
        for (const latency of result.latencies) tally.latencies.push(latency);
        tally.errors += result.errors;
        tally.ms += roundMs;
        tally.engineCpuMs += after.engine - before.engine;
        tally.upstreamCpuMs += after.upstream - before.upstream;
        tally.generatorCpuMs += after.generator - before.generator;
      }
    }
    return [summarize(tallies[0]), summarize(tallies[1])];
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

/**
 * `connections` closed loops against `target` for `ms`: each sends its next request once the
 * previous answer's body is read. Answers that arrive after `ms` are not counted.
 */
async function drive(
  pool: Pool,
  target: Target,
  connections: number,
  ms: number,
): Promise<{ latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (;;) {
        const sent = performance.now();
        if (sent >= end) return;
        let ok = false;
        try {
          const response = await pool.request({ path: target.path, method: 'GET', headers: target.headers });
          await response.body.text();
          ok = response.statusCode === 200;
        } catch {
          ok = false;
        }
        const done = performance.now();
        if (done > end) return;
        if (ok) latencies.push(done - sent);
        else errors += 1;
      }
    }),
  );
  return { latencies, errors };
}

function emptyTally(): Tally {
  return { latencies: [], errors: 0, ms: 0, engineCpuMs: 0, upstreamCpuMs: 0, generatorCpuMs: 0 };
}

function summarize(tally: Tally): Measurement {
  const sorted = Float64Array.from(tally.latencies).sort();
  const requests = sorted.length;
  const perRequest = (cpuMs: number) => (requests > 0 ? (cpuMs * 1000) / requests : Number.NaN);
  return {
    requests,
    errors: tally.errors,
    perSecond: (requests / tally.ms) * 1000,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    engineCpuUsPerRequest: perRequest(tally.engineCpuMs),
    upstreamCpuUsPerRequest: perRequest(tally.upstreamCpuMs),
    generatorCpuUsPerRequest: perRequest(tally.generatorCpuMs),
  };
}

/** CPU time (user + system) used so far by the engine, the upstream and this process, ms. */
function cpuSnapshot(pids: { engine: number; upstream: number }): {
  engine: number;
  upstream: number;
  generator: number;
} {
  const usage = process.cpuUsage();
  return {
    engine: processCpuMs(pids.engine),
    upstream: processCpuMs(pids.upstream),
    generator: (usage.user + usage.system) / 1000,
  };
}

function processCpuMs(pid: number): number {
  // Fields after the command name (which is in parentheses and may contain spaces): utime is
  // the 14th field of the line, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

async function startUpstream(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [UPSTREAM], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', BENCH_UPSTREAM_KEY: UPSTREAM_KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the upstream server exited with ${code}`)));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /^(\d+)\n/.exec(out);
      if (match) resolve(Number(match[1]));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}
