/**
 * Start-up benchmark: time from spawning `patchbay start` (the package's launcher,
 * bin/patchbay.js, under this Node) to the first 200 from /ready, and the resident memory of the
 * idle engine, for a first start (fresh data dir: migrations, key generation, bootstrap) and for
 * restarts. Before them, and outside the goal, one start with an empty module compile cache, as
 * the first run after an install or an upgrade (every module type-stripped and compiled); the
 * first start and the restarts then use what it cached, as every later start does. The
 * ceiling is the same measurement of a bare node:http server that answers at once: the floor the
 * runtime itself sets on this machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_NODE_FLAGS } from '../src/cli/node-flags.ts';
import { median, round } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const RESTARTS = 5;
const IDLE_SETTLE_MS = 2_000;
const READY_TIMEOUT_MS = 30_000;
const TARGET_READY_MS = 1_500;
const TARGET_RSS_MB = 150;
const PATCHBAY = new URL('../bin/patchbay.js', import.meta.url).pathname;
/** `patchbay start` as `npm start` runs it: the launcher under the engine's V8 flags. */
const START = [process.execPath, ...ENGINE_NODE_FLAGS, PATCHBAY, 'start'];

const BARE_SERVER = `
const http = require('node:http');
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

const benchmark: Benchmark = {
  name: 'startup',
  description: 'time to /ready and idle RSS of `patchbay start` on the embedded default',
  async run({ log }) {
    const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-startup-'));
    const installDataDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-startup-install-'));
    const compileCache = mkdtempSync(join(tmpdir(), 'patchbay-bench-compile-cache-'));
    const env = { PATCHBAY_DATA_DIR: dataDir, NODE_COMPILE_CACHE: compileCache };
    try {
      log('bare node:http server (the floor)…');
      const bare: number[] = [];
      for (let i = 0; i < RESTARTS; i++) {
        bare.push((await measure([process.execPath, '-e', BARE_SERVER], {}, '/')).readyMs);
      }

      log('patchbay start after an install: empty compile cache, fresh data dir…');
      const install = await measure(START, { ...env, PATCHBAY_DATA_DIR: installDataDir }, '/ready', true);
      log('patchbay start, first start on a fresh data dir…');
      const first = await measure(START, env, '/ready', true);
      log(`patchbay start, ${RESTARTS} restarts…`);
      const restarts = [];
      for (let i = 0; i < RESTARTS; i++) {
        restarts.push(await measure(START, env, '/ready', i === 0));
      }

      const readyMs = round(median(restarts.map((r) => r.readyMs)));
      const bareMs = round(median(bare));
      const idleRssMb = round(Math.max(first.idleRssMb ?? 0, restarts[0]?.idleRssMb ?? 0), 1);
      const met =
        readyMs <= TARGET_READY_MS && first.readyMs <= TARGET_READY_MS && idleRssMb <= TARGET_RSS_MB;
      return {
        unit: 'ms to /ready (restart, median)',
        value: readyMs,
        ceiling: bareMs,
        goal: `time to ready ≤ ${TARGET_READY_MS} ms (first start and restarts) and idle RSS ≤ ${TARGET_RSS_MB} MB`,
        met,
        details: {
          afterInstallReadyMs: round(install.readyMs),
          idleRssMbAfterInstall: install.idleRssMb,
          firstStartReadyMs: round(first.readyMs),
          restartReadyMs: restarts.map((r) => round(r.readyMs)),
          bareNodeReadyMs: bare.map((b) => round(b)),
          idleRssMbFirstStart: first.idleRssMb,
          idleRssMbRestart: restarts[0]?.idleRssMb,
          node: process.versions.node,
        },
        table: [
          {
            process: 'patchbay start (after install, not in the goal)',
            'ms to ready': round(install.readyMs),
            'idle RSS MB': install.idleRssMb,
          },
          {
            process: 'patchbay start (first start)',
            'ms to ready': round(first.readyMs),
            'idle RSS MB': first.idleRssMb,
          },
          {
            process: 'patchbay start (restart, median)',
            'ms to ready': readyMs,
            'idle RSS MB': restarts[0]?.idleRssMb ?? null,
          },
          { process: 'bare node:http (floor)', 'ms to ready': bareMs, 'idle RSS MB': null },
        ],
      };
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(installDataDir, { recursive: true, force: true });
      rmSync(compileCache, { recursive: true, force: true });
    }
  },
};

export default benchmark;

async function measure(
  command: string[],
  env: Record<string, string>,
  path: string,
  sampleRss = false,
): Promise<{ readyMs: number; idleRssMb: number | null }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), {
    env: {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      PORT: String(port),
      PATCHBAY_PORT: String(port),
      PATCHBAY_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: 'ignore',
  });
  try {
    await waitReady(child, `http://127.0.0.1:${port}${path}`, started);
    const readyMs = performance.now() - started;
    let idleRssMb: number | null = null;
    if (sampleRss) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
      idleRssMb = rssMb(child.pid!);
    }
    return { readyMs, idleRssMb };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

async function waitReady(child: ChildProcess, url: string, started: number): Promise<void> {
  while (performance.now() - started < READY_TIMEOUT_MS) {
    if (child.exitCode !== null)
      throw new Error(`the process exited with ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} was not ready within ${READY_TIMEOUT_MS} ms`);
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return round(kb / 1024, 1);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
