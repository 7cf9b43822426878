// biome-ignore-all lint/suspicious/noExplicitAny: the test reads JSON answers loosely and asserts on their fields
/**
 * Connect end to end against a real OAuth 2.0 authorization server (oidc-provider): a host page
 * opens the connect page with the SDK, the end user picks the integration, signs in at the
 * provider in a popup, and the connection comes back to the host. Then the engine refreshes the
 * expired token (the provider rotates the refresh token), and after the grant is revoked at the
 * provider the connection turns `reauth_required` with its event. Everything runs in one engine
 * with the embedded database; the browser is Debian's Chromium driven by playwright-core.
 * At the end, a secret scan: no token, client secret or API key in the logs, in any API answer,
 * or in plaintext in the database files.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createPatchbay, type Patchbay } from '../../src/engine/index.ts';
import { listEvents } from '../../src/events/index.ts';
import { createLogger, createMemoryDestination, type MemoryDestination } from '../../src/logger/index.ts';
import type { Credentials } from '../../src/ports/connections.ts';
import { generateKeyString } from '../../src/vault/index.ts';
import { ShiftedClock } from '../support/library-engine.ts';
import { type OidcTestServer, startOidcTestServer } from '../support/oidc.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const FIXTURE_PROVIDERS = new URL('../fixtures/providers/', import.meta.url).pathname;
const missing = existsSync(CHROMIUM)
  ? null
  : `connect OAuth browser test skipped: no ${CHROMIUM} (apt-get install chromium)`;
if (missing && process.env.CI === 'true') throw new Error(`${missing}; CI must run it`);
if (missing) console.log(`# ${missing}`);

const sdkSource = stripTypeScriptTypes(
  readFileSync(new URL('../../sdk/src/connect.ts', import.meta.url), 'utf8'),
);
const HOST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host app</title>
<script type="module" src="/host.js"></script></head>
<body><button id="connect">Connect an account</button><pre id="out"></pre></body></html>`;
const HOST_SCRIPT = `import { connect } from '/sdk/connect.js';
const params = new URLSearchParams(location.search);
document.getElementById('connect').addEventListener('click', () => {
  connect({ sessionToken: params.get('token'), baseUrl: params.get('base') }).then(
    (result) => { window.result = result; document.getElementById('out').textContent = JSON.stringify(result); },
    (error) => { window.connectError = { code: error.code, message: error.message }; },
  );
});`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('connect through the connect page against oidc-provider', { skip: missing ?? false }, () => {
  const clock = new ShiftedClock();
  let dataDir: string;
  let logs: MemoryDestination;
  let engine: Patchbay;
  let oidc: OidcTestServer;
  let browser: Browser;
  let hostServer: Server;
  let hostOrigin: string;
  let baseUrl: string;
  let apiKey: string;
  /** Every API answer body the test received, for the secret scan. */
  const answers: string[] = [];
  /** Every secret seen during the test, for the secret scan. */
  const secrets = new Set<string>();

  async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    answers.push(text);
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  }

  async function storedCredentials(connectionId: string, environmentId: string): Promise<Credentials> {
    const context = await engine.services.providers.connections.load(environmentId, connectionId);
    if (context.credentials.type !== 'oauth2') throw new Error('expected OAuth credentials');
    secrets.add(context.credentials.accessToken);
    if (context.credentials.refreshToken) secrets.add(context.credentials.refreshToken);
    return context.credentials;
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'patchbay-connect-e2e-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    oidc = await startOidcTestServer({
      redirectUris: [`${baseUrl}/connect/oauth/callback`],
      accessTokenTtl: 3600,
    });
    secrets.add(oidc.clientSecret);
    logs = createMemoryDestination();
    engine = await createPatchbay({
      config: {
        dataDir,
        port,
        publicUrl: baseUrl,
        encryptionKeys: generateKeyString(),
        providerDirs: FIXTURE_PROVIDERS,
        allowPrivateNetworks: 'loopback',
        // No worker: the scheduled refresh job must not refresh behind the test's back.
        role: 'api',
      },
      logger: createLogger({ level: 'trace', destination: logs }),
      clock,
    });
    const report = await engine.start();
    apiKey = report.firstApiKey ?? '';
    assert.match(apiKey, /^pb_sk_dev_/);
    secrets.add(apiKey);

    hostServer = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://host').pathname;
      const [type, body] =
        path === '/host.js'
          ? ['text/javascript', HOST_SCRIPT]
          : path === '/sdk/connect.js'
            ? ['text/javascript', sdkSource]
            : ['text/html', HOST_PAGE];
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8` });
      res.end(body);
    });
    await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
    hostOrigin = `http://127.0.0.1:${(hostServer.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => hostServer?.close(resolve));
    await engine?.stop();
    await oidc?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('connects in code + PKCE, refreshes with rotation, and turns reauth_required after revocation', async () => {
    const integration = await api('POST', '/v1/integrations', {
      provider: 'oidc-test',
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      settings: { baseUrls: { 'https://oidc.example.test': oidc.origin } },
    });
    assert.equal(integration.status, 201, JSON.stringify(integration.body));
    assert.equal(integration.body.hasClientSecret, true);
    const session = await api('POST', '/v1/connect/sessions', {
      endUser: { id: 'user-42', email: 'ada@example.com' },
      allowedOrigin: hostOrigin,
    });
    assert.equal(session.status, 201, JSON.stringify(session.body));
    // The one answer meant to carry a secret (the session token, shown once) is not scanned.
    answers.pop();
    secrets.add(session.body.token);

    // The host page opens the connect page; the end user picks the tile and approves at the provider.
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    // Nothing in this test may leave the machine: any request to another host fails loudly.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
    const host = await context.newPage();
    await host.goto(`${hostOrigin}/?token=${session.body.token}&base=${encodeURIComponent(baseUrl)}`);
    const connectPopup = host.waitForEvent('popup');
    await host.click('#connect');
    const popup: Page = await connectPopup;
    await popup.waitForSelector('.tile[data-integration="oidc-test"]');
    mkdirSync(ARTIFACTS, { recursive: true });
    await popup.screenshot({ path: new URL('connect-oauth-tiles.png', ARTIFACTS).pathname, fullPage: true });
    const providerPopup = popup.waitForEvent('popup');
    await popup.click('.tile[data-integration="oidc-test"]');
    const provider = await providerPopup;
    await provider.waitForSelector('#approve');
    const authorizeUrl = new URL(provider.url());
    assert.equal(authorizeUrl.origin, oidc.origin);
    await provider.screenshot({ path: new URL('connect-oauth-provider.png', ARTIFACTS).pathname });
    await provider.click('#approve').catch((error: Error) => {
      if (!/closed/.test(error.message)) throw error;
    });
    await host.waitForFunction(`'result' in window || 'connectError' in window`, undefined, {
      timeout: 20_000,
    });
    assert.equal(
      await host.evaluate(`'connectError' in window`),
      false,
      String(await host.evaluate('JSON.stringify(window.connectError)')),
    );
    const result = (await host.evaluate('window.result')) as { connectionId: string; integration: string };
    await host.screenshot({ path: new URL('connect-oauth-host.png', ARTIFACTS).pathname });
    await context.close();
    assert.equal(result.integration, 'oidc-test');
    assert.equal(oidc.tokenRequests.authorization_code, 1);

    // The connection: active, metadata from the provider, credentials never shown.
    const connection = await api('GET', `/v1/connections/${result.connectionId}`);
    assert.equal(connection.status, 200);
    assert.equal(connection.body.status, 'active');
    assert.equal(connection.body.metadata.accountId, 'user-1');
    const environmentId = connection.body.environmentId as string;
    const first = await storedCredentials(result.connectionId, environmentId);
    assert.ok(first.type === 'oauth2' && first.refreshToken, 'a refresh token was issued');

    // Stored encrypted: the raw column is a vault envelope without the tokens in it.
    const raw = await engine.store.db
      .selectFrom('connections')
      .select('credentials')
      .where('id', '=', result.connectionId)
      .executeTakeFirstOrThrow();
    assert.match(raw.credentials ?? '', /^pbv1\./);
    assert.ok(!raw.credentials?.includes(first.accessToken));

    // Calls through the proxy carry the token; no refresh while it is fresh.
    const me = await api('GET', '/proxy/me', undefined, { 'patchbay-connection-id': result.connectionId });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.sub, 'user-1');
    assert.equal(oidc.tokenRequests.refresh_token, 0);

    // Two hours later the token has expired: the next call refreshes first, and the provider rotates.
    clock.offset += 2 * 3600_000;
    const afterExpiry = await api('GET', '/proxy/me', undefined, {
      'patchbay-connection-id': result.connectionId,
    });
    assert.equal(afterExpiry.status, 200, JSON.stringify(afterExpiry.body));
    assert.equal(oidc.tokenRequests.refresh_token, 1);
    const second = await storedCredentials(result.connectionId, environmentId);
    assert.ok(second.type === 'oauth2' && first.type === 'oauth2');
    assert.notEqual(second.accessToken, first.accessToken);
    assert.ok(second.refreshToken && second.refreshToken !== first.refreshToken, 'the refresh token rotated');
    // The provider no longer accepts the old refresh token.
    const reuse = await fetch(`${oidc.origin}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: first.refreshToken ?? '',
        client_id: oidc.clientId,
        client_secret: oidc.clientSecret,
      }),
    });
    assert.equal(reuse.status, 400);
    assert.equal(((await reuse.json()) as { error: string }).error, 'invalid_grant');

    // The end user revokes the app at the provider: the next refresh is refused for good.
    const revoked = await fetch(`${oidc.origin}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: second.refreshToken ?? '',
        token_type_hint: 'refresh_token',
        client_id: oidc.clientId,
        client_secret: oidc.clientSecret,
      }),
    });
    assert.equal(revoked.status, 200);
    clock.offset += 2 * 3600_000;
    const refusals = oidc.tokenRequests.refresh_token;
    const afterRevoke = await api('GET', '/proxy/me', undefined, {
      'patchbay-connection-id': result.connectionId,
    });
    assert.equal(afterRevoke.status, 409);
    assert.equal(afterRevoke.body.error.code, 'connection_reauth_required');
    assert.equal(oidc.tokenRequests.refresh_token, refusals + 1);
    // Never retried in a loop: the next call fails at once without asking the provider.
    const again = await api('GET', '/proxy/me', undefined, { 'patchbay-connection-id': result.connectionId });
    assert.equal(again.status, 409);
    assert.equal(oidc.tokenRequests.refresh_token, refusals + 1);
    const reauth = await api('GET', `/v1/connections/${result.connectionId}`);
    assert.equal(reauth.body.status, 'reauth_required');
    const events = await listEvents(engine.store.db, environmentId, {});
    assert.deepEqual(
      events.map((event) => event.type),
      ['connection.created', 'connection.reauth_required'],
    );

    // The request log has the proxied calls (the refused refresh's call never reached the API).
    await engine.services.providers.requestLog.flush();
    const logged = await engine.store.db
      .selectFrom('request_logs')
      .selectAll()
      .where('connection_id', '=', result.connectionId)
      .execute();
    assert.deepEqual(
      logged.map((row) => [row.method, row.path, row.status]),
      [
        ['GET', '/me', 200],
        ['GET', '/me', 200],
      ],
    );
  });

  it('leaves no secret in the logs, the API answers or the database files', async () => {
    await engine.services.providers.requestLog.flush();
    const logText = logs.text();
    const files = readdirSync(dataDir)
      .filter((name) => name.startsWith('patchbay.db'))
      .map((name) => readFileSync(join(dataDir, name)));
    assert.ok(files.length > 0);
    assert.ok(secrets.size >= 6, `secrets collected: ${secrets.size}`);
    for (const secret of secrets) {
      const label = `${secret.slice(0, 6)}… (${secret.length} chars)`;
      assert.ok(!logText.includes(secret), `${label} appears in the logs`);
      for (const answer of answers) assert.ok(!answer.includes(secret), `${label} appears in an API answer`);
      for (const file of files)
        assert.ok(!file.includes(Buffer.from(secret)), `${label} appears in the database file`);
    }
  });
});
