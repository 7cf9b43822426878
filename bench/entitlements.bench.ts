/**
 * Entitlements benchmark: what plan enforcement costs on the two hot paths.
 *
 * 1. The checks themselves, in this process: `beforeProxyCall` and `beforeAction` of a connection
 *    whose end user is on a plan with quotas and an action list (the cached path: plans, the end
 *    user's plan and the connection are remembered, the quota counter is in memory), the same
 *    calls with no plans in the environment, a hand-rolled peer (the check a host would write
 *    inline: a Map lookup and a counter compare) and the floor (an empty async call), µs per call.
 * 2. `/proxy/*` throughput with plans on and off in the same run: one `patchbay start` process,
 *    rounds alternating between no plans (the default plan deleted) and a default plan with a
 *    proxy-call quota (created again), next to direct calls and the bare Node proxy as in
 *    `npm run bench -- proxy`. The goal: plans on ≥ 95 % of plans off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { createPatchbay } from '../src/index.ts';
import { generateKeyString } from '../src/vault/index.ts';
import {
  connectWithCredentials,
  type EngineProcess,
  expectApi,
  startEngineProcess,
} from './fixtures/engine.ts';
import { round } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';
import { drive, type Path, percentile, spawnServer } from './proxy.bench.ts';

const CHECK_CALLS = 200_000;
const CONCURRENCY = 16;
const WARMUP_MS = 2_000;
const ROUNDS = 6;
const ROUND_MS = 2_000;
const TARGET_RATIO = 0.95;
const UPSTREAM_KEY = 'bench_k3yForTheBenchmarkUpstream';
const PROVIDERS = fileURLToPath(new URL('./fixtures/providers/', import.meta.url));
const UPSTREAM = fileURLToPath(new URL('./fixtures/upstream-server.ts', import.meta.url));
const BARE_PROXY = fileURLToPath(new URL('./fixtures/bare-proxy.ts', import.meta.url));

const PLAN = {
  key: 'pro',
  name: 'Pro',
  rank: 10,
  default: true,
  actions: ['send-email'],
  quotas: { proxyCalls: 1_000_000_000, actionRuns: 1_000_000_000 },
};

/** µs per call of `call`, run `count` times one after the other (after as many to warm up). */
async function perCall(count: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < count / 4; i++) await call();
  const start = performance.now();
  for (let i = 0; i < count; i++) await call();
  return ((performance.now() - start) * 1000) / count;
}

async function measureChecks(log: (message: string) => void) {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-entitlements-'));
  const engine = await createPatchbay({
    config: { dataDir, port: 0, encryptionKeys: generateKeyString(), role: 'worker', logLevel: 'silent' },
  });
  try {
    const { providers, plans, environments } = engine.services;
    const environmentId = (await environments.getEnvironmentByName('dev')).id;
    const integration = await providers.integrations.create(environmentId, { provider: 'resend' });
    const connection = await providers.connections.save(environmentId, {
      integrationId: integration.id,
      endUser: { id: 'bench-user', email: null, organization: null },
      credentials: { type: 'api_key', values: { apiKey: 're_bench' } },
      connectionConfig: {},
      metadata: {},
    });
    const checks = plans.entitlements;
    const id = connection.id;
    log(`checks: ${CHECK_CALLS} calls each, plans off then on`);
    const off = {
      proxy: await perCall(CHECK_CALLS, () => checks.beforeProxyCall(environmentId, id)),
      action: await perCall(CHECK_CALLS, () => checks.beforeAction(environmentId, id, 'send-email')),
    };
    await plans.plans.create(environmentId, PLAN, 'bench');
    const on = {
      proxy: await perCall(CHECK_CALLS, () => checks.beforeProxyCall(environmentId, id)),
      action: await perCall(CHECK_CALLS, () => checks.beforeAction(environmentId, id, 'send-email')),
    };
    // What a host would write inline: its user's plan from a Map, a counter against the quota.
    const hostPlans = new Map([['bench-user', { quota: 1_000_000_000, actions: new Set(['send-email']) }]]);
    const used = new Map<string, number>();
    const peer = await perCall(CHECK_CALLS, async () => {
      const plan = hostPlans.get('bench-user');
      const count = used.get('bench-user') ?? 0;
      if (!plan || count >= plan.quota || !plan.actions.has('send-email')) throw new Error('refused');
      used.set('bench-user', count + 1);
    });
    const floor = await perCall(CHECK_CALLS, async () => {});
    await plans.meter.flush();
    return { off, on, peer, floor };
  } finally {
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Tally {
  latencies: number[];
  errors: number;
  ms: number;
}

async function measureThroughput(log: (message: string) => void) {
  const stops: Array<() => Promise<void>> = [];
  let engine: EngineProcess | undefined;
  try {
    const upstream = await spawnServer(UPSTREAM, { BENCH_UPSTREAM_KEY: UPSTREAM_KEY });
    stops.push(upstream.stop);
    const bare = await spawnServer(BARE_PROXY, {
      BENCH_UPSTREAM_KEY: UPSTREAM_KEY,
      BENCH_UPSTREAM_URL: upstream.url,
    });
    stops.push(bare.stop);
    engine = await startEngineProcess({ env: { PATCHBAY_PROVIDER_DIRS: PROVIDERS } });
    const running = engine;
    await expectApi(
      running,
      running.apiKey,
      'POST',
      '/v1/integrations',
      { provider: 'bench-api', settings: { baseUrls: { '*': upstream.url } } },
      201,
    );
    const connectionId = await connectWithCredentials(running, 'bench-api', { apiKey: UPSTREAM_KEY });
    const proxied = (label: string): Path => ({
      label,
      origin: running.url,
      path: '/proxy/v1/account',
      headers: { authorization: `Bearer ${running.apiKey}`, 'patchbay-connection-id': connectionId },
      proxyPid: running.pid,
    });
    const paths: Array<{ path: Path; before?: () => Promise<void> }> = [
      {
        path: {
          label: 'direct',
          origin: upstream.url,
          path: '/v1/account',
          headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
          proxyPid: null,
        },
      },
      {
        path: {
          label: 'bare Node proxy',
          origin: bare.url,
          path: '/proxy/v1/account',
          headers: {},
          proxyPid: bare.pid,
        },
      },
      {
        path: proxied('patchbay /proxy, plans off'),
        before: async () => {
          await expectApi(running, running.apiKey, 'DELETE', '/v1/plans/pro', undefined, 200);
        },
      },
      {
        path: proxied('patchbay /proxy, plans on'),
        before: async () => {
          await expectApi(running, running.apiKey, 'POST', '/v1/plans', PLAN, 201);
        },
      },
    ];
    await expectApi(running, running.apiKey, 'POST', '/v1/plans', PLAN, 201);
    const pools = paths.map(
      ({ path }) =>
        new Pool(path.origin, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 60_000 }),
    );
    try {
      log(`${CONCURRENCY} connections: warm-up, then ${ROUNDS} rounds of ${ROUND_MS} ms per path`);
      for (const [i, entry] of paths.entries()) {
        await entry.before?.();
        await drive(pools[i]!, entry.path, CONCURRENCY, WARMUP_MS);
      }
      const tallies: Tally[] = paths.map(() => ({ latencies: [], errors: 0, ms: 0 }));
      for (let r = 0; r < ROUNDS; r++) {
        for (const [i, entry] of paths.entries()) {
          await entry.before?.();
          const result = await drive(pools[i]!, entry.path, CONCURRENCY, ROUND_MS);
          const tally = tallies[i]!;
          tally.latencies.push(...result.latencies);
          tally.errors += result.errors;
          tally.ms += ROUND_MS;
        }
      }
      return paths.map(({ path }, i) => {
        const tally = tallies[i]!;
        const sorted = Float64Array.from(tally.latencies).sort();
        return {
          label: path.label,
          requests: sorted.length,
          errors: tally.errors,
          perSecond: (sorted.length / tally.ms) * 1000,
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
        };
      });
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
    }
  } finally {
    await engine?.stop();
    for (const stop of stops.reverse()) await stop();
  }
}

const benchmark: Benchmark = {
  name: 'entitlements',
  description: 'cost of plan checks on the proxy and action paths; /proxy throughput with plans on vs off',
  async run({ log }) {
    const checks = await measureChecks(log);
    const throughput = await measureThroughput(log);
    const [direct, bare, off, on] = throughput as [
      (typeof throughput)[number],
      (typeof throughput)[number],
      (typeof throughput)[number],
      (typeof throughput)[number],
    ];
    const ratio = on.perSecond / off.perSecond;
    const errors = throughput.reduce((sum, m) => sum + m.errors, 0);
    const us = (value: number) => round(value, 3);
    return {
      unit: `req/s through /proxy with plans on (${CONCURRENCY} connections)`,
      value: round(on.perSecond),
      ceiling: round(off.perSecond),
      goal: `/proxy throughput with plans on ≥ ${TARGET_RATIO * 100} % of plans off, in the same run, no errors`,
      met: errors === 0 && ratio >= TARGET_RATIO,
      details: {
        throughputRatio: round(ratio, 3),
        checkUs: {
          proxyPlansOn: us(checks.on.proxy),
          proxyPlansOff: us(checks.off.proxy),
          actionPlansOn: us(checks.on.action),
          actionPlansOff: us(checks.off.action),
          handRolledPeer: us(checks.peer),
          emptyAsyncCall: us(checks.floor),
        },
        throughput,
        ofDirect: {
          bare: round(bare.perSecond / direct.perSecond, 3),
          plansOff: round(off.perSecond / direct.perSecond, 3),
          plansOn: round(on.perSecond / direct.perSecond, 3),
        },
        node: process.versions.node,
      },
      table: [
        { measure: 'beforeProxyCall, plans on', value: `${us(checks.on.proxy)} µs/call` },
        { measure: 'beforeProxyCall, no plans', value: `${us(checks.off.proxy)} µs/call` },
        { measure: 'beforeAction, plans on', value: `${us(checks.on.action)} µs/call` },
        { measure: 'beforeAction, no plans', value: `${us(checks.off.action)} µs/call` },
        { measure: 'hand-rolled inline check (peer)', value: `${us(checks.peer)} µs/call` },
        { measure: 'empty async call (floor)', value: `${us(checks.floor)} µs/call` },
        ...throughput.map((m) => ({
          measure: `${m.label} (${CONCURRENCY} conns)`,
          value: `${round(m.perSecond)} req/s, p50 ${round(m.p50, 3)} ms, ${m.errors} errors, ${round((m.perSecond / direct.perSecond) * 100, 1)} % of direct`,
        })),
        { measure: 'plans on / plans off', value: `${round(ratio * 100, 1)} %` },
      ],
    };
  },
};

export default benchmark;
