/**
 * The refresh storm of issue 3, shared by its end-to-end test and its benchmark: engine processes
 * on one database, the OAuth sandbox with short-lived access tokens and rotating refresh tokens,
 * one connection made through the real connect flow, and many concurrent proxy calls on it once
 * its access token has expired.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';
import { type OAuthSandbox, startOAuthSandbox } from '../../sandbox/index.ts';
import { connectHeadless } from './connect-flow.ts';
import { type EngineProcess, sharedEngineEnv, startEngineProcesses, stopAll } from './engine-process.ts';

/** The provider fixture of test/fixtures/providers/sandbox-oauth, and the origin its URLs use. */
export const STORM_PROVIDER = 'sandbox-oauth';
const DEFINITION_ORIGIN = 'https://sandbox-oauth.example.test';
const CLIENT = { clientId: 'storm-app', clientSecret: 'storm-app-secret' };

export interface StormWorldOptions {
  /** The database every process uses: a SQLite data dir, or a PostgreSQL URL (and a data dir). */
  database: { dataDir: string; databaseUrl: string };
  /** Default 2. */
  processes?: number;
  /** Lifetime of the connection's first access token. Default 2 s. */
  accessTokenTtlSeconds?: number;
  /** PATCHBAY_LOG_LEVEL of the processes. Default `warn`. */
  logLevel?: string;
}

export interface StormWorld {
  readonly sandbox: OAuthSandbox;
  readonly engines: readonly EngineProcess[];
  /** One API key per engine: the dev key the first start printed, keys made through the API after. */
  readonly apiKeys: readonly string[];
  readonly connectionId: string;
  /** When the connection's first access token expires (epoch ms), as the engine stored it. */
  readonly expiresAt: number;
  /** Stops the processes (their logs stay readable) and the sandbox; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the sandbox and the engine processes, enables the sandbox provider and connects one
 * end user through the connect flow. Access tokens issued after that live an hour: the storm's
 * one refresh must be the only one, however long the storm takes.
 */
export async function createStormWorld(options: StormWorldOptions): Promise<StormWorld> {
  const ttlSeconds = options.accessTokenTtlSeconds ?? 2;
  const engines = await startEngineProcesses(
    options.processes ?? 2,
    {
      ...sharedEngineEnv(options.database),
      // Tokens are due for refresh 1 s before expiry (or at half their life, if shorter).
      PATCHBAY_REFRESH_MARGIN_SECONDS: '1',
      // The storm sends hundreds of requests per key within a second, far past the default limit.
      PATCHBAY_API_RATE_LIMIT: '1000000',
      PATCHBAY_LOG_LEVEL: options.logLevel ?? 'warn',
    },
    // API processes only: the worker's minute-by-minute refresh-due job could renew the token
    // before the storm begins, and the storm would then test nothing.
    { args: ['--role', 'api'] },
  );
  let sandbox: OAuthSandbox | undefined;
  try {
    sandbox = await startOAuthSandbox({
      clients: [{ ...CLIENT, redirectUris: engines.map((engine) => `${engine.url}/connect/oauth/callback`) }],
      accessTokenTtlSeconds: ttlSeconds,
      rotateRefreshTokens: true,
    });
    const first = engines[0]!;
    const devKey = first.firstApiKey;
    if (!devKey) throw new Error('the first engine process printed no API key: was the database not new?');
    await api(first.url, devKey, 'POST', '/v1/integrations', 201, {
      provider: STORM_PROVIDER,
      ...CLIENT,
      settings: { baseUrls: { [DEFINITION_ORIGIN]: sandbox.origin } },
    });
    const apiKeys = [devKey];
    for (const [index, engine] of engines.slice(1).entries()) {
      const created = await api<{ secret: string }>(engine.url, devKey, 'POST', '/v1/api-keys', 201, {
        name: `storm process ${index + 2}`,
      });
      apiKeys.push(created.secret);
    }

    const { connectionId } = await connectHeadless({
      engineUrl: first.url,
      apiKey: devKey,
      integration: STORM_PROVIDER,
    });
    sandbox.control.setAccessTokenTtl(3600);
    const connection = await api<{ expiresAt: string | null; status: string }>(
      first.url,
      devKey,
      'GET',
      `/v1/connections/${connectionId}`,
      200,
    );
    if (!connection.expiresAt) throw new Error('the connection has no token expiry');
    const openedSandbox = sandbox;
    let closing: Promise<void> | undefined;
    return {
      sandbox,
      engines,
      apiKeys,
      connectionId,
      expiresAt: Date.parse(connection.expiresAt),
      close() {
        closing ??= stopAll(engines).then(() => openedSandbox.close());
        return closing;
      },
    };
  } catch (error) {
    await stopAll(engines);
    await sandbox?.close();
    throw error;
  }
}

/** Waits until the connection's access token is past its expiry, by `slackMs` (default 250). */
export async function waitUntilExpired(world: StormWorld, slackMs = 250): Promise<void> {
  const wait = world.expiresAt + slackMs - Date.now();
  if (wait > 0) await delay(wait);
}

export interface StormTarget {
  /** Origin of the server. */
  url: string;
  /** The request path, e.g. `/proxy/api/me`. */
  path: string;
  headers: Record<string, string>;
}

export interface StormResult {
  calls: number;
  /** From the first request sent to the last body read. */
  durationMs: number;
  /** Per call, from sending to the end of its body, in call order. */
  latenciesMs: number[];
  /** Answers by HTTP status (network failures under 0). */
  statuses: Record<number, number>;
  /** Distinct `expires_at` of the `/api/me` answers: which access tokens the calls used. */
  tokensSeen: string[];
  /** The first few failures, for the assertion message. */
  failures: string[];
}

/** The proxied `GET /api/me` on each engine, each process with its own API key. */
export function proxyTargets(world: StormWorld): StormTarget[] {
  return world.engines.map((engine, index) => ({
    url: engine.url,
    path: '/proxy/api/me',
    headers: {
      authorization: `Bearer ${world.apiKeys[index]}`,
      'patchbay-connection-id': world.connectionId,
    },
  }));
}

/**
 * Sends `calls` requests at once, spread evenly over the targets (call i goes to target
 * i mod n), each target through its own pool with a connection per call, opened beforehand
 * (`warmPath`, answered without auth) so the storm measures requests, not TCP handshakes.
 */
export async function fireStorm(
  targets: readonly StormTarget[],
  calls: number,
  warmPath: string,
): Promise<StormResult> {
  const perTarget = Math.ceil(calls / targets.length);
  const pools = targets.map((target) => new Pool(target.url, { connections: perTarget }));
  try {
    await Promise.all(
      pools.map((pool) =>
        Promise.all(
          Array.from({ length: perTarget }, async () => {
            const { body } = await pool.request({ method: 'GET', path: warmPath });
            await body.dump();
          }),
        ),
      ),
    );

    const latenciesMs = new Array<number>(calls).fill(0);
    const statuses: Record<number, number> = {};
    const tokens = new Set<string>();
    const failures: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: calls }, async (_, index) => {
        const target = targets[index % targets.length]!;
        const pool = pools[index % targets.length]!;
        const sent = performance.now();
        let status = -1;
        let text = '';
        try {
          const response = await pool.request({ method: 'GET', path: target.path, headers: target.headers });
          status = response.statusCode;
          text = await response.body.text();
        } catch (error) {
          text = (error as Error).message;
        }
        latenciesMs[index] = performance.now() - sent;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200) {
          tokens.add(String((JSON.parse(text) as { expires_at: string | null }).expires_at));
        } else if (failures.length < 5) {
          failures.push(`${target.url}: ${status} ${text.slice(0, 300)}`);
        }
      }),
    );
    const durationMs = performance.now() - started;
    return { calls, durationMs, latenciesMs, statuses, tokensSeen: [...tokens].sort(), failures };
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

/**
 * An access token for `GET /api/me` straight from the sandbox (client credentials grant, counted
 * apart from refresh_token requests): what direct calls use as the ceiling.
 */
export async function directToken(sandbox: OAuthSandbox): Promise<string> {
  const response = await fetch(sandbox.endpoints.token, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !body.access_token) {
    throw new Error(`client credentials grant: ${response.status}`);
  }
  return body.access_token;
}

/** The p-th percentile (0–100, nearest rank) of some numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function api<T = unknown>(
  url: string,
  key: string,
  method: string,
  path: string,
  status: number,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status !== status) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}
