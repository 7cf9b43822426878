/**
 * Delivery benchmark (issue 4), on the embedded SQLite database:
 *
 * 1. Throughput: a backlog of signed deliveries, each attempt durably recorded. The messages are
 *    created through the API of a `patchbay start --role api` process (no worker: they queue
 *    up), which is then stopped; a full `patchbay start` on the same data dir delivers them to a
 *    local receiver (fixtures/receiver.ts, its own process, verifying every signature with the
 *    official `standardwebhooks` library). Deliveries/s are read from the receiver's arrival
 *    times (the middle 80 %, excluding ramp-up and tail), and the run waits until the database
 *    shows every message succeeded.
 * 2. The ceiling, in the same run: an undici Pool posting the same body, signed the same way,
 *    to the same receiver, closed loop, on as many connections as the engine opened to it (its
 *    pool opens one only when the others are busy: the engine's delivery concurrency). Then the
 *    floor of any durable sender (fixtures/bare-durable-sender.ts): the same bodies, receiver and
 *    concurrency, with only a SQLite claim before each send and a commit of its outcome after.
 * 3. Latency: messages created through the API at a steady 1,000 per second (open loop); for
 *    each, the delay from sending the API request to the first attempt's arrival at the receiver,
 *    matched by message id (= webhook-id). The first seconds are a warm-up and not counted.
 *    The same at a light 50 events/s shows the pipeline's own delay apart from queueing.
 *
 * `PATCHBAY_BENCH_CPU_PROF=<dir>` runs the delivering engine with `--cpu-prof` into that
 * directory; `PATCHBAY_BENCH_WORKER_CONCURRENCY` sets its PATCHBAY_WORKER_CONCURRENCY.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { Pool } from 'undici';
import { type EngineProcess, startEngineProcess } from '../test/support/engine-process.ts';
import { freePort } from './fixtures/engine.ts';
import {
  createEndpoint,
  messageStatusCounts,
  percentile,
  postMessage,
  processCpuMs,
  sleep,
} from './fixtures/outbound-api.ts';
import { type Receiver, startReceiver } from './fixtures/receiver-process.ts';
import { round, runConcurrently } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const BACKLOG = 10_000;
const CREATE_CLIENTS = 64;
const RAW_MS = 5_000;
const RATE = 1_000;
const LATENCY_WARMUP_S = 2;
const LATENCY_S = 10;
/** A light load too, so that the pipeline's own delay shows apart from queueing at capacity. */
const LIGHT_RATE = 50;
const LIGHT_S = 5;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 50;
const DRAIN_TIMEOUT_MS = 300_000;

/** Epoch ms with sub-millisecond precision, comparable with the receiver's arrival times. */
const nowMs = () => performance.timeOrigin + performance.now();

interface Throughput {
  deliveries: number;
  perSecond: number;
  /** From the first to the last arrival, all deliveries. */
  overallPerSecond: number;
  /** From the engine's /ready to every message `succeeded` in the database. */
  recordedPerSecond: number;
  /** Connections the engine opened to the receiver: its delivery concurrency. */
  connections: number;
  duplicates: number;
  engineCpuUsPerDelivery: number;
  receiverCpuUsPerDelivery: number;
}

interface Raw {
  requests: number;
  perSecond: number;
  connections: number;
  errors: number;
  receiverCpuUsPerRequest: number;
  p50Ms: number;
  p99Ms: number;
}

interface Latency {
  events: number;
  measured: number;
  achievedPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  apiP50Ms: number;
  apiP99Ms: number;
  /** How far behind its schedule the generator sent, at most. */
  generatorMaxLagMs: number;
  apiErrors: number;
  engineCpuPercent: number;
}

const benchmark: Benchmark = {
  name: 'delivery',
  description:
    'signed webhook deliveries/s (attempts durably recorded) vs raw loopback HTTP; event → first attempt delay at 1,000 events/s',
  async run({ log }) {
    const receiver = await startReceiver();
    const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-delivery-'));
    const port = await freePort();
    const profileDir = process.env.PATCHBAY_BENCH_CPU_PROF;
    const workerConcurrency = process.env.PATCHBAY_BENCH_WORKER_CONCURRENCY;
    const env: Record<string, string> = {
      PATCHBAY_DATA_DIR: dataDir,
      PATCHBAY_PORT: String(port),
      PATCHBAY_ALLOW_PRIVATE_NETWORKS: 'loopback',
      PATCHBAY_API_RATE_LIMIT: '100000000',
      PATCHBAY_LOG_LEVEL: 'warn',
      ...(workerConcurrency ? { PATCHBAY_WORKER_CONCURRENCY: workerConcurrency } : {}),
    };
    const api = new Pool(`http://127.0.0.1:${port}`, {
      connections: CREATE_CLIENTS,
      keepAliveTimeout: 10_000,
    });
    let engine: EngineProcess | undefined;
    try {
      // 1. The backlog, queued by an API-only process.
      engine = await startEngineProcess({ env: { ...env, PATCHBAY_ROLE: 'api' } });
      const apiKey = engine.firstApiKey;
      if (!apiKey) throw new Error(`no dev API key in the banner:\n${engine.banner}`);
      const endpoint = await createEndpoint(api, apiKey, receiver.webhookUrl);
      await receiver.configure({ secret: endpoint.secret });
      log(`creating a backlog of ${BACKLOG} messages through the API (role api, ${CREATE_CLIENTS} clients)…`);
      const ingestStart = performance.now();
      const ingestCpuBefore = processCpuMs(engine.pid);
      await runConcurrently(BACKLOG, CREATE_CLIENTS, async (n) => {
        const outcome = await postMessage(api, apiKey, {
          eventType: 'bench.delivery',
          data: { n, note: 'backlog' },
        });
        if (!outcome.ok || outcome.ids.length !== 1)
          throw new Error(`message ${n}: ${JSON.stringify(outcome)}`);
      });
      const ingestPerSecond = (BACKLOG / (performance.now() - ingestStart)) * 1000;
      // The API process's CPU per message created (routing, validation, fan-out, the commit).
      const ingestCpuUsPerMessage = ((processCpuMs(engine.pid) - ingestCpuBefore) * 1000) / BACKLOG;
      log(
        `backlog queued at ${Math.round(ingestPerSecond)} messages/s (API CPU ${Math.round(ingestCpuUsPerMessage)} µs/message); restarting with workers…`,
      );
      await engine.stop();
      const body = samplePayload(dataDir);

      // 2. The engine delivers the backlog.
      await receiver.reset();
      engine = await startEngineProcess({
        env: {
          ...env,
          ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
        },
      });
      const throughput = await drain(engine, receiver, dataDir, log);
      log(
        `engine: ${Math.round(throughput.perSecond)} deliveries/s on ${throughput.connections} connections (engine CPU ${Math.round(throughput.engineCpuUsPerDelivery)} µs/delivery); raw client at the same concurrency…`,
      );

      // 3. The raw loopback ceiling at the same concurrency.
      // The engine's pool opens a connection only when its others are busy: the connections the
      // receiver saw are the deliveries the engine had in flight at most.
      const raw = await rawCeiling(receiver, endpoint.secret, body, Math.max(1, throughput.connections));
      log(`raw: ${Math.round(raw.perSecond)} requests/s with ${raw.connections} connections`);
      // 3b. The floor of any durable sender: claim, sign, send, commit the outcome — nothing else.
      const bare = await bareDurableSender(receiver, endpoint.secret, body, raw.connections, dataDir);
      log(
        `bare durable sender: ${Math.round(bare.perSecond)} deliveries/s (${round((bare.perSecond / raw.perSecond) * 100, 1)} % of raw, CPU ${Math.round(bare.cpuUsPerDelivery)} µs/delivery)`,
      );

      // 4. Event → first attempt at a steady rate.
      log(`latency: ${RATE} events/s for ${LATENCY_WARMUP_S} + ${LATENCY_S} s…`);
      await receiver.reset();
      const latency = await steadyLatency(engine, api, apiKey, receiver, RATE, LATENCY_WARMUP_S, LATENCY_S);
      log(`latency: p50 ${round(latency.p50Ms, 2)} ms, p99 ${round(latency.p99Ms, 2)} ms`);
      log(`light load: ${LIGHT_RATE} events/s for 1 + ${LIGHT_S} s…`);
      await receiver.reset();
      const light = await steadyLatency(engine, api, apiKey, receiver, LIGHT_RATE, 1, LIGHT_S);
      log(`light load: p50 ${round(light.p50Ms, 2)} ms, p99 ${round(light.p99Ms, 2)} ms`);
      await engine.stop();

      const ratio = throughput.perSecond / raw.perSecond;
      const met = ratio >= TARGET_RATIO && latency.p99Ms <= TARGET_P99_MS;
      return {
        unit: 'signed deliveries/s, each attempt durably recorded (SQLite)',
        value: round(throughput.perSecond),
        ceiling: round(raw.perSecond),
        goal: `≥ ${TARGET_RATIO * 100} % of the raw loopback rate at the same concurrency, and p99 event → first attempt ≤ ${TARGET_P99_MS} ms at ${RATE.toLocaleString('en-US')} events/s`,
        met,
        details: {
          throughput: roundAll(throughput),
          raw: roundAll(raw),
          bareDurableSender: { ...roundAll(bare), ratioToRaw: round(bare.perSecond / raw.perSecond, 3) },
          throughputRatio: round(ratio, 3),
          latency: roundAll(latency),
          lightLoadLatency: { eventsPerSecond: LIGHT_RATE, ...roundAll(light) },
          backlog: BACKLOG,
          ingestPerSecond: round(ingestPerSecond),
          ingestCpuUsPerMessage: round(ingestCpuUsPerMessage),
          bodyBytes: Buffer.byteLength(body),
          workerConcurrency: workerConcurrency ? Number(workerConcurrency) : 'default',
          database: 'embedded SQLite (default)',
          cpus: availableParallelism(),
          loadAverage: loadavg().map((value) => round(value, 2)),
          node: process.versions.node,
        },
        table: [
          {
            run: 'patchbay delivery (backlog)',
            requests: throughput.deliveries,
            conns: throughput.connections,
            'req/s': round(throughput.perSecond),
            'of raw': `${round(ratio * 100, 1)} %`,
            'p50 ms': null,
            'p99 ms': null,
            'sender CPU µs/req': round(throughput.engineCpuUsPerDelivery),
            'receiver CPU µs/req': round(throughput.receiverCpuUsPerDelivery),
          },
          {
            run: 'raw undici Pool → receiver (ceiling)',
            requests: raw.requests,
            conns: raw.connections,
            'req/s': round(raw.perSecond),
            'of raw': null,
            'p50 ms': round(raw.p50Ms, 3),
            'p99 ms': round(raw.p99Ms, 3),
            'sender CPU µs/req': null,
            'receiver CPU µs/req': round(raw.receiverCpuUsPerRequest),
          },
          {
            run: 'bare durable sender (floor)',
            requests: bare.deliveries,
            conns: raw.connections,
            'req/s': round(bare.perSecond),
            'of raw': `${round((bare.perSecond / raw.perSecond) * 100, 1)} %`,
            'p50 ms': null,
            'p99 ms': null,
            'sender CPU µs/req': round(bare.cpuUsPerDelivery),
            'receiver CPU µs/req': round(bare.receiverCpuUsPerRequest),
          },
          ...latencyRows(RATE, latency),
          ...latencyRows(LIGHT_RATE, light),
        ],
      };
    } finally {
      await engine?.stop();
      await api.close().catch(() => {});
      await receiver.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

export default benchmark;

const BARE_SENDER = new URL('./fixtures/bare-durable-sender.ts', import.meta.url).pathname;

interface BareSender {
  deliveries: number;
  perSecond: number;
  cpuUsPerDelivery: number;
  receiverCpuUsPerRequest: number;
}

/**
 * The floor of any durable webhook sender on this machine (fixtures/bare-durable-sender.ts, its
 * own process): the backlog's size, the same body, secret, receiver and concurrency.
 */
async function bareDurableSender(
  receiver: Receiver,
  secret: string,
  body: string,
  connections: number,
  dataDir: string,
): Promise<BareSender> {
  const dir = mkdtempSync(join(dataDir, 'bare-'));
  const bodyFile = join(dir, 'body.json');
  writeFileSync(bodyFile, body);
  await receiver.reset();
  const receiverCpuBefore = processCpuMs(receiver.pid);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [BARE_SENDER, receiver.origin, secret, bodyFile, String(connections), String(BACKLOG), dir],
    { env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  const receiverCpuMs = processCpuMs(receiver.pid) - receiverCpuBefore;
  const result = JSON.parse(stdout) as {
    deliveries: number;
    failed: number;
    ms: number;
    cpuUsPerDelivery: number;
  };
  const stats = await receiver.stats();
  if (result.failed > 0 || stats.invalid > 0)
    throw new Error(`bare sender: ${result.failed} failed, ${stats.invalid} not verified`);
  return {
    deliveries: result.deliveries,
    perSecond: (result.deliveries / result.ms) * 1000,
    cpuUsPerDelivery: result.cpuUsPerDelivery,
    receiverCpuUsPerRequest: (receiverCpuMs * 1000) / stats.requests,
  };
}

/** The stored body of one backlog message: what the raw client sends too. */
function samplePayload(dataDir: string): string {
  const db = new DatabaseSync(join(dataDir, 'patchbay.db'), { readOnly: true });
  try {
    const row = db.prepare('select payload from messages limit 1').get() as { payload: string } | undefined;
    if (!row) throw new Error('no message in the database');
    return row.payload;
  } finally {
    db.close();
  }
}

async function drain(
  engine: EngineProcess,
  receiver: Receiver,
  dataDir: string,
  log: (message: string) => void,
): Promise<Throughput> {
  const readyAt = performance.now();
  const engineCpuBefore = processCpuMs(engine.pid);
  const receiverCpuBefore = processCpuMs(receiver.pid);
  let lastLog = performance.now();
  const stats = await receiver.waitFor(
    (current) => {
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(`draining: ${current.distinctOk}/${BACKLOG}`);
      }
      return current.distinctOk >= BACKLOG;
    },
    DRAIN_TIMEOUT_MS,
    20,
  );
  const engineCpuMs = processCpuMs(engine.pid) - engineCpuBefore;
  const receiverCpuMs = processCpuMs(receiver.pid) - receiverCpuBefore;
  if (stats.invalid > 0)
    throw new Error(`${stats.invalid} deliveries failed verification: ${stats.invalidSamples.join(' | ')}`);
  for (;;) {
    if ((messageStatusCounts(dataDir).succeeded ?? 0) >= BACKLOG) break;
    if (performance.now() - readyAt > DRAIN_TIMEOUT_MS) {
      throw new Error(
        `not every message recorded as succeeded: ${JSON.stringify(messageStatusCounts(dataDir))}`,
      );
    }
    await sleep(10);
  }
  const recordedMs = performance.now() - readyAt;
  const arrivals = [...(await receiver.arrivals()).values()]
    .map((arrival) => arrival.firstArrivalMs)
    .sort((a, b) => a - b);
  const at = (fraction: number) =>
    arrivals[Math.min(arrivals.length - 1, Math.floor(fraction * arrivals.length))]!;
  const middle = (at(0.9) - at(0.1)) / 1000;
  const overall = (arrivals.at(-1)! - arrivals[0]!) / 1000;
  return {
    deliveries: stats.requests,
    perSecond: (0.8 * arrivals.length) / middle,
    overallPerSecond: arrivals.length / overall,
    recordedPerSecond: (BACKLOG / recordedMs) * 1000,
    connections: stats.connections,
    duplicates: stats.duplicates,
    engineCpuUsPerDelivery: (engineCpuMs * 1000) / stats.requests,
    receiverCpuUsPerDelivery: (receiverCpuMs * 1000) / stats.requests,
  };
}

/** Closed loops on `connections` connections for RAW_MS, each request signed like a delivery. */
async function rawCeiling(
  receiver: Receiver,
  secret: string,
  body: string,
  connections: number,
): Promise<Raw> {
  await receiver.reset();
  const pool = new Pool(receiver.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const signer = new Webhook(secret);
  const latencies: number[] = [];
  let errors = 0;
  let sequence = 0;
  const send = async () => {
    const id = `msg_raw${(sequence++).toString(36)}`;
    const now = new Date();
    const response = await pool.request({
      method: 'POST',
      path: '/webhooks',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(id, now, body),
      },
      body,
    });
    await response.body.text();
    return response.statusCode === 200;
  };
  try {
    // Warm-up: open the connections.
    await Promise.all(Array.from({ length: connections * 4 }, send));
    await receiver.reset();
    const receiverCpuBefore = processCpuMs(receiver.pid);
    const end = performance.now() + RAW_MS;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          const sent = performance.now();
          const ok = await send().catch(() => false);
          if (ok) latencies.push(performance.now() - sent);
          else errors += 1;
        }
      }),
    );
    const receiverCpuMs = processCpuMs(receiver.pid) - receiverCpuBefore;
    const stats = await receiver.stats();
    if (stats.invalid > 0)
      throw new Error(`raw requests failed verification: ${stats.invalidSamples.join(' | ')}`);
    return {
      requests: latencies.length,
      perSecond: (latencies.length / RAW_MS) * 1000,
      connections,
      errors,
      receiverCpuUsPerRequest: (receiverCpuMs * 1000) / stats.requests,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    await pool.close();
  }
}

function latencyRows(rate: number, latency: Latency): Array<Record<string, string | number | null>> {
  const empty = { conns: null, 'of raw': null, 'sender CPU µs/req': null, 'receiver CPU µs/req': null };
  return [
    {
      run: `event → first attempt at ${rate.toLocaleString('en-US')}/s`,
      requests: latency.measured,
      'req/s': round(latency.achievedPerSecond),
      'p50 ms': round(latency.p50Ms, 2),
      'p99 ms': round(latency.p99Ms, 2),
      ...empty,
    },
    {
      run: `  its POST /v1/messages calls`,
      requests: latency.measured,
      'req/s': null,
      'p50 ms': round(latency.apiP50Ms, 2),
      'p99 ms': round(latency.apiP99Ms, 2),
      ...empty,
    },
  ];
}

/** Open loop: message n is sent at start + n / rate s, whatever the previous answers do. */
async function steadyLatency(
  engine: EngineProcess,
  api: Pool,
  apiKey: string,
  receiver: Receiver,
  rate: number,
  warmupS: number,
  seconds: number,
): Promise<Latency> {
  const total = rate * (warmupS + seconds);
  const warmup = rate * warmupS;
  const sentAt = new Map<string, { sentMs: number; apiMs: number }>();
  let apiErrors = 0;
  let maxLag = 0;
  const inFlight = new Set<Promise<void>>();
  const fire = (n: number, scheduledMs: number) => {
    const sentMs = nowMs();
    maxLag = Math.max(maxLag, sentMs - scheduledMs);
    const call = postMessage(api, apiKey, { eventType: 'bench.latency', data: { n } }).then((outcome) => {
      if (!outcome.ok || outcome.ids.length !== 1) {
        apiErrors += 1;
        return;
      }
      if (n >= warmup) sentAt.set(outcome.ids[0]!, { sentMs, apiMs: nowMs() - sentMs });
    });
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
  };
  const startMs = nowMs();
  const cpuBefore = processCpuMs(engine.pid);
  let measureStartMs = startMs;
  let cpuMeasureBefore = cpuBefore;
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowMs() - startMs) * rate) / 1000) + 1);
    while (sent < due) {
      if (sent === warmup) {
        measureStartMs = nowMs();
        cpuMeasureBefore = processCpuMs(engine.pid);
      }
      fire(sent, startMs + (sent * 1000) / rate);
      sent += 1;
    }
    await sleep(1);
  }
  const sendEndMs = nowMs();
  const cpuAfter = processCpuMs(engine.pid);
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  await receiver.waitFor((stats) => stats.distinct >= total - apiErrors, DRAIN_TIMEOUT_MS, 20);
  const arrivals = await receiver.arrivals();
  const delays: number[] = [];
  const apiTimes: number[] = [];
  for (const [id, { sentMs, apiMs }] of sentAt) {
    const arrival = arrivals.get(id);
    if (!arrival) throw new Error(`message ${id} never reached the receiver`);
    delays.push(arrival.firstArrivalMs - sentMs);
    apiTimes.push(apiMs);
  }
  const measuredSeconds = (sendEndMs - measureStartMs) / 1000;
  return {
    events: total,
    measured: delays.length,
    achievedPerSecond: (total - warmup) / measuredSeconds,
    p50Ms: percentile(delays, 50),
    p90Ms: percentile(delays, 90),
    p99Ms: percentile(delays, 99),
    maxMs: Math.max(...delays),
    apiP50Ms: percentile(apiTimes, 50),
    apiP99Ms: percentile(apiTimes, 99),
    generatorMaxLagMs: maxLag,
    apiErrors,
    engineCpuPercent: ((cpuAfter - cpuMeasureBefore) / (sendEndMs - measureStartMs)) * 100,
  };
}

function roundAll<T extends object>(figures: T): Record<string, number> {
  return Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, round(value as number, 3)]));
}
