/**
 * Proxy benchmark: what going through `/proxy/*` costs compared with calling the provider
 * directly, in the same run against the same local server.
 *
 * Processes: this one generates the load (undici Pool, closed loop: each connection sends its
 * next request when the previous answer is read); a bare node:http upstream answers a small JSON
 * body; `patchbay start` (embedded SQLite, the default) proxies to it for an API-key connection
 * made through the connect page's API; and a bare Node.js pass-through proxy (no auth, database
 * or log) shows the floor any Node proxy has on this machine. The paths alternate in rounds, so
 * that all of them see the same background load, first with CONCURRENCY connections (throughput),
 * then with one (latency without queueing: the fairer "added latency" figure). The CPU time each
 * process used per request is read from /proc, which stays meaningful on a busy machine.
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
const ROUNDS = 5;
const ROUND_MS = 2_000;
const SINGLE_WARMUP_MS = 1_000;
const SINGLE_ROUND_MS = 1_000;
const TARGET_ADDED_P50_MS = 1;
const TARGET_RATIO = 0.7;
const UPSTREAM_KEY = 'bench_k3yForTheBenchmarkUpstream';
const PROVIDERS = fileURLToPath(new URL('./fixtures/providers/', import.meta.url));
const UPSTREAM = fileURLToPath(new URL('./fixtures/upstream-server.ts', import.meta.url));
const BARE_PROXY = fileURLToPath(new URL('./fixtures/bare-proxy.ts', import.meta.url));
const TICK_MS = 1000 / 100; // /proc/<pid>/stat counts CPU time in USER_HZ ticks (100 on Linux).

export interface Path {
  label: string;
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** The process between the load generator and the upstream, if any. */
  proxyPid: number | null;
}

interface Tally {
  latencies: number[];
  errors: number;
  ms: number;
  proxyCpuMs: number;
  upstreamCpuMs: number;
  generatorCpuMs: number;
}

interface Measurement {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU time per request of the proxy process (null for direct calls), of the upstream and of the load generator, µs. */
  proxyCpuUs: number | null;
  upstreamCpuUs: number;
  generatorCpuUs: number;
}

const benchmark: Benchmark = {
  name: 'proxy',
  description: 'added latency and throughput of /proxy/* vs direct calls to the same local server',
  async run({ log }) {
    const children: Spawned[] = [];
    let engine: EngineProcess | undefined;
    try {
      const upstream = await spawnServer(UPSTREAM, { BENCH_UPSTREAM_KEY: UPSTREAM_KEY });
      children.push(upstream);
      const bare = await spawnServer(BARE_PROXY, {
        BENCH_UPSTREAM_KEY: UPSTREAM_KEY,
        BENCH_UPSTREAM_URL: upstream.url,
      });
      children.push(bare);
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

      const paths: Path[] = [
        {
          label: 'direct',
          origin: upstream.url,
          path: '/v1/account',
          headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
          proxyPid: null,
        },
        {
          label: 'bare Node proxy',
          origin: bare.url,
          path: '/proxy/v1/account',
          headers: {},
          proxyPid: bare.pid,
        },
        {
          label: 'patchbay /proxy',
          origin: engine.url,
          path: '/proxy/v1/account',
          headers: { authorization: `Bearer ${engine.apiKey}`, 'patchbay-connection-id': connectionId },
          proxyPid: engine.pid,
        },
      ];

      log(
        `${CONCURRENCY} connections: ${WARMUP_MS} ms warm-up per path, ${ROUNDS} rounds of ${ROUND_MS} ms per path…`,
      );
      const many = await compare(paths, CONCURRENCY, WARMUP_MS, ROUND_MS, upstream.pid);
      log(
        `1 connection: ${SINGLE_WARMUP_MS} ms warm-up per path, ${ROUNDS} rounds of ${SINGLE_ROUND_MS} ms per path…`,
      );
      const one = await compare(paths, 1, SINGLE_WARMUP_MS, SINGLE_ROUND_MS, upstream.pid);

      const [directMany, bareMany, proxiedMany] = many as [Measurement, Measurement, Measurement];
      const [directOne, bareOne, proxiedOne] = one as [Measurement, Measurement, Measurement];
      const addedP50 = round(proxiedOne.p50 - directOne.p50, 3);
      const ratio = proxiedMany.perSecond / directMany.perSecond;
      const errors = [...many, ...one].reduce((sum, m) => sum + m.errors, 0);
      const met = errors === 0 && addedP50 <= TARGET_ADDED_P50_MS && ratio >= TARGET_RATIO;
      const row = (path: Path, connections: number, m: Measurement, direct: Measurement) => {
        const isDirect = m === direct;
        return {
          path: path.label,
          conns: connections,
          requests: m.requests,
          errors: m.errors,
          'req/s': round(m.perSecond),
          'of direct': isDirect ? null : `${round((m.perSecond / direct.perSecond) * 100, 1)} %`,
          'p50 ms': round(m.p50, 3),
          'p99 ms': round(m.p99, 3),
          'added p50': isDirect ? null : round(m.p50 - direct.p50, 3),
          'added p99': isDirect ? null : round(m.p99 - direct.p99, 3),
          'proxy CPU µs/req': m.proxyCpuUs === null ? null : round(m.proxyCpuUs),
          'upstream µs/req': round(m.upstreamCpuUs),
          'loadgen µs/req': round(m.generatorCpuUs),
        };
      };
      return {
        unit: `req/s through the proxy (${CONCURRENCY} connections)`,
        value: round(proxiedMany.perSecond),
        ceiling: round(directMany.perSecond),
        goal: `added p50 ≤ ${TARGET_ADDED_P50_MS} ms (1 connection) and proxied throughput ≥ ${TARGET_RATIO * 100} % of direct (${CONCURRENCY} connections), no errors`,
        met,
        details: {
          addedP50Ms: addedP50,
          addedP99Ms: round(proxiedOne.p99 - directOne.p99, 3),
          addedP50MsAtConcurrency: round(proxiedMany.p50 - directMany.p50, 3),
          addedP99MsAtConcurrency: round(proxiedMany.p99 - directMany.p99, 3),
          throughputRatio: round(ratio, 3),
          bareProxyThroughputRatio: round(bareMany.perSecond / directMany.perSecond, 3),
          bareProxyAddedP50Ms: round(bareOne.p50 - directOne.p50, 3),
          engineCpuUsPerRequest: round(proxiedMany.proxyCpuUs ?? Number.NaN),
          bareProxyCpuUsPerRequest: round(bareMany.proxyCpuUs ?? Number.NaN),
          measurements: Object.fromEntries(
            paths.map((path, i) => [
              path.label,
              { [`${CONCURRENCY} connections`]: many[i], '1 connection': one[i] },
            ]),
          ),
          rounds: ROUNDS,
          roundMs: ROUND_MS,
          singleRoundMs: SINGLE_ROUND_MS,
          database: 'embedded SQLite (default)',
          cpus: availableParallelism(),
          loadAverage: loadavg().map((value) => round(value, 2)),
          node: process.versions.node,
        },
        table: [
          ...paths.map((path, i) => row(path, CONCURRENCY, many[i]!, directMany)),
          ...paths.map((path, i) => row(path, 1, one[i]!, directOne)),
        ],
      };
    } finally {
      await engine?.stop();
      for (const child of children.reverse()) await child.stop();
    }
  },
};

export default benchmark;

/** Warms every path up, then runs them one after the other for ROUNDS rounds. */
async function compare(
  paths: Path[],
  connections: number,
  warmupMs: number,
  roundMs: number,
  upstreamPid: number,
): Promise<Measurement[]> {
  const pools = paths.map(
    (path) => new Pool(path.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 }),
  );
  try {
    for (const [i, path] of paths.entries()) await drive(pools[i]!, path, connections, warmupMs);
    const tallies = paths.map(emptyTally);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, path] of paths.entries()) {
        const before = cpuSnapshot(path.proxyPid, upstreamPid);
        const result = await drive(pools[i]!, path, connections, roundMs);
        const after = cpuSnapshot(path.proxyPid, upstreamPid);
        const tally = tallies[i]!;
        for (const latency of result.latencies) tally.latencies.push(latency);
        tally.errors += result.errors;
        tally.ms += roundMs;
        tally.proxyCpuMs += after.proxy - before.proxy;
        tally.upstreamCpuMs += after.upstream - before.upstream;
        tally.generatorCpuMs += after.generator - before.generator;
      }
    }
    return tallies.map((tally, i) => summarize(tally, paths[i]!.proxyPid !== null));
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

/**
 * `connections` closed loops against `path` for `ms`: each sends its next request once the
 * previous answer's body is read. Answers that arrive after `ms` are not counted.
 */
export async function drive(
  pool: Pool,
  path: Path,
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
          const response = await pool.request({ path: path.path, method: 'GET', headers: path.headers });
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
  return { latencies: [], errors: 0, ms: 0, proxyCpuMs: 0, upstreamCpuMs: 0, generatorCpuMs: 0 };
}

function summarize(tally: Tally, proxied: boolean): Measurement {
  const sorted = Float64Array.from(tally.latencies).sort();
  const requests = sorted.length;
  const perRequest = (cpuMs: number) => (requests > 0 ? (cpuMs * 1000) / requests : Number.NaN);
  return {
    requests,
    errors: tally.errors,
    perSecond: (requests / tally.ms) * 1000,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    proxyCpuUs: proxied ? perRequest(tally.proxyCpuMs) : null,
    upstreamCpuUs: perRequest(tally.upstreamCpuMs),
    generatorCpuUs: perRequest(tally.generatorCpuMs),
  };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** CPU time (user + system) used so far by the proxy process, the upstream and this process, ms. */
function cpuSnapshot(
  proxyPid: number | null,
  upstreamPid: number,
): { proxy: number; upstream: number; generator: number } {
  const usage = process.cpuUsage();
  return {
    proxy: proxyPid === null ? 0 : processCpuMs(proxyPid),
    upstream: processCpuMs(upstreamPid),
    generator: (usage.user + usage.system) / 1000,
  };
}

export function processCpuMs(pid: number): number {
  // After the command name (in parentheses, may contain spaces): utime and stime are the 12th
  // and 13th fields, i.e. the 14th and 15th of the whole line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

interface Spawned {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Runs a server script of bench/fixtures that prints its port, as a process of its own. */
export async function spawnServer(script: string, env: Record<string, string>): Promise<Spawned> {
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  };
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null) => reject(new Error(`${script} exited with ${code}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /^(\d+)\n/.exec(out);
      if (match) {
        child.off('exit', onExit);
        resolve(Number(match[1]));
      }
    });
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop };
}
