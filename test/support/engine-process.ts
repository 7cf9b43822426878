/**
 * Engine processes for end-to-end tests and benchmarks: `patchbay start` as a child process with
 * exactly the PATCHBAY_* settings given, waited for until its banner is printed and `/ready`
 * answers 200. Several may share one database (the same SQLite data dir, or one PostgreSQL URL),
 * like the processes of a scaled-out deployment.
 *
 * @example
 * const env = sharedEngineEnv({ dataDir, databaseUrl: '' });
 * const [a, b] = await startEngineProcesses(2, env);
 * // a.firstApiKey is the dev key (printed by the first start of the database only)
 * await Promise.all([a.stop(), b.stop()]);
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { generateKeyString } from '../../src/vault/index.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** Provider definitions of the tests (`sandbox-oauth`, `oidc-test`), for PATCHBAY_PROVIDER_DIRS. */
export const TEST_PROVIDERS_DIR = new URL('../fixtures/providers/', import.meta.url).pathname;

export interface EngineProcessOptions {
  /** PATCHBAY_* settings of the child; no PATCHBAY_* variable of this process is inherited. */
  env: Record<string, string>;
  /** Arguments after `start`, e.g. `['--role', 'api']`. */
  args?: string[];
  /** How long to wait for the banner and `/ready`. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface EngineProcess {
  readonly pid: number;
  /** Where the API listens (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** Everything the process wrote to stderr up to its banner. */
  readonly banner: string;
  /** The dev API key: printed only by the start that created the database's environments. */
  readonly firstApiKey: string | null;
  /** What the process wrote to stdout so far (its JSON log lines). */
  logs(): string;
  /** The log lines written so far, parsed (complete only once the process has exited). */
  logEntries(): Array<Record<string, unknown>>;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Settings for engine processes sharing one database: the same data dir and database URL, one
 * encryption key for all (a generated key file in the data dir would do for SQLite, but not for
 * processes on different data dirs), loopback allowed for the sandbox, the test providers.
 * Each process still needs its own port: startEngineProcess picks a free one.
 */
export function sharedEngineEnv(database: { dataDir: string; databaseUrl: string }): Record<string, string> {
  return {
    PATCHBAY_DATA_DIR: database.dataDir,
    PATCHBAY_DATABASE_URL: database.databaseUrl,
    PATCHBAY_ENCRYPTION_KEYS: generateKeyString(),
    PATCHBAY_ALLOW_PRIVATE_NETWORKS: 'loopback',
    PATCHBAY_PROVIDER_DIRS: TEST_PROVIDERS_DIR,
    PATCHBAY_LOG_LEVEL: 'warn',
  };
}

/**
 * Starts `patchbay start` and resolves once `/ready` answers 200; rejects with what the process
 * printed when it exits or does not get ready in time. Without PATCHBAY_PORT in `env` a free
 * port is chosen, and PATCHBAY_PUBLIC_URL defaults to the process's own URL (OAuth callbacks
 * are built from it).
 */
export async function startEngineProcess(options: EngineProcessOptions): Promise<EngineProcess> {
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const port = options.env.PATCHBAY_PORT ?? String(await freePort());
  const env = {
    PATCHBAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...options.env,
    PATCHBAY_PORT: port,
  };
  const child = spawn(process.execPath, [MAIN, 'start', ...(options.args ?? [])], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as unknown as ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  // Both pipes are always drained: a child blocked on a full pipe would stall mid-request.
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    return exited;
  };

  const deadline = performance.now() + timeoutMs;
  let url: string | undefined;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`patchbay start exited with ${child.exitCode ?? child.signalCode}:\n${stderr}`);
      }
      if (performance.now() > deadline) {
        throw new Error(`patchbay start was not ready within ${timeoutMs} ms:\n${stderr}`);
      }
      url ??= /API\s+(http:\/\/\S+)/.exec(stderr)?.[1];
      if (url && (await isReady(url))) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }

  return {
    pid: child.pid as number,
    url,
    banner: stderr,
    firstApiKey: /(pb_sk_dev_[A-Za-z0-9]+)/.exec(stderr)?.[1] ?? null,
    logs: () => stdout,
    logEntries: () => parseLogLines(stdout),
    stop,
  };
}

/**
 * Starts `count` processes on the settings `env`: the first one alone (it applies migrations
 * and creates the environments, printing the dev key), the others together once it is ready.
 */
export async function startEngineProcesses(
  count: number,
  env: Record<string, string>,
  options: Omit<EngineProcessOptions, 'env'> = {},
): Promise<EngineProcess[]> {
  const first = await startEngineProcess({ ...options, env });
  const rest = await Promise.allSettled(
    Array.from({ length: count - 1 }, () => startEngineProcess({ ...options, env })),
  );
  const started = [first, ...rest.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
  const failed = rest.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll(started);
    throw failed.reason;
  }
  return started;
}

/** Stops every process (SIGTERM), in parallel; resolves with their exit codes. */
export function stopAll(processes: readonly EngineProcess[]): Promise<Array<number | null>> {
  return Promise.all(processes.map((p) => p.stop()));
}

/** JSON log lines; anything else on stdout (and a line cut short) is skipped. */
function parseLogLines(text: string): Array<Record<string, unknown>> {
  const entries: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      entries.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line still being written.
    }
  }
  return entries;
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ready`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** The child's environment: this one minus every PATCHBAY_* variable, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('PATCHBAY_')),
  );
  return { ...base, NODE_NO_WARNINGS: '1', ...env };
}

/** A port nothing listens on right now (the kernel's pick, released at once). */
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
