/**
 * Proactive rate limiting, end to end: a provider limited to 20 requests per 3 seconds (the
 * sandbox-limited fixture: Gumroad's 120 per minute at a scale a test can wait for) receives 50
 * concurrent proxy calls through `/proxy/*` of a real engine. The sandbox, the provider here, does
 * not enforce the limit itself: it accepts and timestamps every request, so what it saw is exactly
 * what the engine sent. It must never have seen more than the limit in any 2-second window, and
 * every call must complete with 200 (none refused, none answered 429).
 *
 * `npm run bench -- rate-limit` runs the same property at full scale (120/minute, 300 calls).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type OAuthSandbox, startOAuthSandbox } from '../../sandbox/index.ts';
import { createPatchbay, type Patchbay } from '../../src/engine/index.ts';
import { createLogger, createMemoryDestination } from '../../src/logger/index.ts';
import { generateKeyString } from '../../src/vault/index.ts';

const FIXTURE_PROVIDERS = fileURLToPath(new URL('../fixtures/providers/', import.meta.url));
const LIMIT = 20;
const WINDOW_MS = 3_000;
const CALLS = 50;
const CLIENT = { clientId: 'limited-app', clientSecret: 'limited-app-secret' };

describe('proxy rate limiting against a limited provider', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-e2e-rate-'));
  const logs = createMemoryDestination();
  let engine: Patchbay;
  let sandbox: OAuthSandbox;
  let base: string;
  let apiKey: string;

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    sandbox = await startOAuthSandbox({
      clients: [{ ...CLIENT, redirectUris: [`${base}/connect/oauth/callback`] }],
      // Tokens that never expire: the calls measure rate limiting, not refresh.
      accessTokenTtlSeconds: null,
    });
    engine = await createPatchbay({
      env: {},
      config: {
        dataDir,
        encryptionKeys: generateKeyString(),
        port,
        allowPrivateNetworks: 'loopback',
        providerDirs: FIXTURE_PROVIDERS,
        // The API key's own limit (600/minute by default) is not what this test is about.
        apiRateLimit: 100_000,
        shutdownTimeoutMs: 2_000,
      },
      logger: createLogger({ level: 'info', destination: logs }),
    });
    const report = await engine.start();
    assert.ok(report.firstApiKey);
    apiKey = report.firstApiKey;
  });

  after(async () => {
    await engine?.stop();
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`${CALLS} concurrent calls: never more than ${LIMIT} per ${WINDOW_MS} ms at the provider, all 200`, async (t) => {
    const created = await api('POST', '/v1/integrations', {
      provider: 'sandbox-limited',
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      settings: { baseUrls: { '*': sandbox.url } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const connectionId = await connectOAuth('sandbox-limited', 'rate-limit-user');
    sandbox.stats.reset();

    const started = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: CALLS }, async () => {
        const response = await fetch(`${base}/proxy/me`, {
          headers: { authorization: `Bearer ${apiKey}`, 'patchbay-connection-id': connectionId },
        });
        const body = (await response.json()) as { subject?: string };
        assert.equal(response.status === 200 ? body.subject : 'sandbox-user', 'sandbox-user');
        return response.status;
      }),
    );
    const elapsedMs = performance.now() - started;

    assert.deepEqual(
      statuses.filter((status) => status !== 200),
      [],
      'every call completes with 200',
    );
    assert.equal(sandbox.stats.api.accepted, CALLS, 'the provider received each call once');
    assert.equal(sandbox.stats.tooManyRequests, 0, 'the provider never answered 429');
    const peak = sandbox.stats.maxInAnyWindow(WINDOW_MS);
    // How close the pacing came to the limit: the shortest span of LIMIT + 1 consecutive
    // requests must stay at least one window long.
    const times = sandbox.stats.acceptedApiRequests.map((request) => request.at).sort((a, b) => a - b);
    const spans = times.slice(LIMIT).map((at, i) => at - times[i]!);
    t.diagnostic(
      `${CALLS} calls in ${Math.round(elapsedMs)} ms; at most ${peak} in any ${WINDOW_MS} ms; ` +
        `shortest span of ${LIMIT + 1} requests ${Math.min(...spans)} ms`,
    );
    assert.ok(
      peak <= LIMIT,
      `the provider saw ${peak} requests within ${WINDOW_MS} ms; the limit is ${LIMIT}`,
    );
    // Pacing is the point: without it, the 50 calls would all land within a few milliseconds.
    assert.ok(
      elapsedMs >= ((CALLS - LIMIT) * WINDOW_MS) / LIMIT,
      `${CALLS} calls finished in ${Math.round(elapsedMs)} ms: faster than the limit allows`,
    );
  });

  async function api(
    method: string,
    path: string,
    body?: unknown,
    bearer = apiKey,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /**
   * An end user connects over OAuth without a browser: connect session → the page's
   * `oauth/start` → the sandbox's authorization endpoint (it approves at once and redirects) →
   * Patchbay's callback. Returns the new connection's id.
   */
  async function connectOAuth(integration: string, endUserId: string): Promise<string> {
    const session = await api('POST', '/v1/connect/sessions', { endUser: { id: endUserId } });
    assert.equal(session.status, 201, JSON.stringify(session.body));
    const token = session.body.token as string;
    const start = await api('POST', '/connect/api/oauth/start', { integration }, token);
    assert.equal(start.status, 200, JSON.stringify(start.body));
    const authorize = await fetch(start.body.authorizationUrl as string, { redirect: 'manual' });
    await authorize.arrayBuffer();
    const callback = authorize.headers.get('location');
    assert.equal(authorize.status, 302, 'the sandbox approves and redirects');
    if (!callback) assert.fail('the sandbox redirected without a location');
    assert.ok(callback.startsWith(`${base}/connect/oauth/callback?`), callback);
    const landed = await fetch(callback);
    await landed.arrayBuffer();
    assert.equal(landed.status, 200, 'the callback page reports success');
    const list = await api('GET', `/v1/connections?endUserId=${encodeURIComponent(endUserId)}`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const connections = list.body.data as Array<{ id: string; status: string }>;
    assert.equal(connections.length, 1);
    assert.equal(connections[0]!.status, 'active');
    return connections[0]!.id;
  }
});

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
