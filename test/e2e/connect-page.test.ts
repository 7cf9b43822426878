/**
 * The connect page in a real browser (Debian's Chromium driven by playwright-core): a host page on
 * another origin calls the SDK's connect(), the page opens in a popup, the user connects a
 * key-based integration, and an OAuth one through a second popup that the (fake) provider sends
 * back to the callback. Auth, connections, integrations and sessions are fakes; the routes, the
 * page, its script and the SDK are the real ones.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  createFakeConnectWorld,
  type FakeConnectWorld,
  REJECTED_SECRET,
} from '../../src/api/connect/fixtures/flow-fakes.ts';
import { connectFlowRoutes } from '../../src/api/connect/flow.ts';
import { loadCatalog } from '../../src/catalog/index.ts';
import { createTestApi, type TestApi } from '../support/api.ts';
import { sqliteTestDatabase, type TestDatabase } from '../support/databases.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const missing = existsSync(CHROMIUM)
  ? null
  : `connect page browser test skipped: no ${CHROMIUM} (apt-get install chromium)`;
if (missing && process.env.CI === 'true') throw new Error(`${missing}; CI must run it`);
if (missing) console.log(`# ${missing}`);

// The SDK's connect(), as the browser gets it from a bundler: TypeScript with the types removed.
const sdkSource = stripTypeScriptTypes(
  readFileSync(new URL('../../sdk/src/connect.ts', import.meta.url), 'utf8'),
);

const HOST_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host app</title>
<script type="module" src="/host.js"></script></head>
<body><h1>Host app</h1><button id="connect">Connect an account</button><pre id="out"></pre></body></html>`;

// Records everything: the result, the error, the page's events, and every message that arrived.
const HOST_SCRIPT = `import { connect } from '/sdk/connect.js';
const params = new URLSearchParams(location.search);
window.events = [];
window.messages = [];
window.addEventListener('message', (event) => window.messages.push(event.data));
document.getElementById('connect').addEventListener('click', () => {
  connect({ sessionToken: params.get('token'), baseUrl: params.get('base'), onEvent: (e) => window.events.push(e) }).then(
    (result) => { window.result = result; document.getElementById('out').textContent = JSON.stringify(result); },
    (error) => { window.connectError = { name: error.name, code: error.code, message: error.message }; },
  );
});`;

/** A host page that embeds the connect page instead of opening a popup. */
function framedPage(src: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host app (framed)</title>
<script>window.messages = []; addEventListener('message', (e) => window.messages.push({ origin: e.origin, data: e.data }));</script>
</head><body><iframe title="Connect" src="${src}" width="480" height="640"></iframe></body></html>`;
}

/** A page standing in for the provider's consent screen: "Allow" goes to Patchbay's callback. */
function consentPage(callback: string, state: string): string {
  const href = `${callback}?code=granted-code&state=${encodeURIComponent(state)}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Provider</title></head>
<body><h1>Allow Patchbay Demo to access your shop?</h1><a id="allow" href="${href.replace(/&/g, '&amp;')}">Allow</a></body></html>`;
}

// Browser-side expressions are strings: the project's types have no DOM library.
const SETTLED = `'result' in window || 'connectError' in window`;

/** An action whose own effect closes the page may fail with "closed": that is its success. */
function closedOnly(error: Error): void {
  if (!/closed/.test(error.message)) throw error;
}

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('connect page in a browser', { skip: missing ?? false }, () => {
  let database: TestDatabase;
  let api: TestApi;
  let world: FakeConnectWorld;
  let browser: Browser;
  let publicUrl: string;
  let hostOrigin: string;
  const servers: Server[] = [];

  before(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const catalog = await loadCatalog();

    // The fake provider's consent page, on its own origin.
    const provider = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://provider');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(consentPage(`${publicUrl}/connect/oauth/callback`, url.searchParams.get('state') ?? ''));
    });
    servers.push(provider);
    const providerPort = await listen(provider);

    database = sqliteTestDatabase();
    world = createFakeConnectWorld({
      catalog,
      clock: { now: () => api.clock.now() },
      publicUrl,
      authorizationUrl: `http://127.0.0.1:${providerPort}/authorize`,
    });
    api = await createTestApi(database, {
      routes: [connectFlowRoutes(world.deps)],
      connectSessions: world.deps.sessions,
    });
    world.addIntegration(api.dev.id, 'stripe-api-key');
    world.addIntegration(api.dev.id, 'shopify');
    world.addIntegration(api.dev.id, 'woocommerce');
    world.addIntegration(api.dev.id, 'paypal');
    await api.app.listen({ host: '127.0.0.1', port });

    const host = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://host');
      const [type, body] =
        url.pathname === '/host.js'
          ? ['text/javascript', HOST_SCRIPT]
          : url.pathname === '/sdk/connect.js'
            ? ['text/javascript', sdkSource]
            : url.pathname === '/framed'
              ? [
                  'text/html; charset=utf-8',
                  framedPage(`${publicUrl}/connect?session=${url.searchParams.get('token')}`),
                ]
              : ['text/html; charset=utf-8', HOST_PAGE];
      response.writeHead(200, { 'content-type': type });
      response.end(body);
    });
    servers.push(host);
    hostOrigin = `http://127.0.0.1:${await listen(host)}`;

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
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await api?.close();
    await database?.destroy();
  });

  /** Opens the host page for a new session and clicks its button; returns the host and the popup. */
  async function openConnect(extra: object = {}): Promise<{ host: Page; popup: Page; token: string }> {
    const { token } = world.addSession({ environmentId: api.dev.id, allowedOrigin: hostOrigin, ...extra });
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    const host = await context.newPage();
    await host.goto(`${hostOrigin}/?token=${token}&base=${encodeURIComponent(publicUrl)}`);
    const opened = host.waitForEvent('popup');
    await host.click('#connect');
    const popup = await opened;
    await popup.waitForSelector('.tile');
    return { host, popup, token };
  }

  it('connects a key-based integration and hands the host page its connection id', async () => {
    const { host, popup, token } = await openConnect();
    // The token left the address bar as soon as the page read it.
    assert.equal(popup.url(), `${publicUrl}/connect`);
    assert.ok(!popup.url().includes(token));
    const tiles = await popup.$$eval('.tile .tile-name', (names) => names.map((n) => n.textContent));
    assert.deepEqual(tiles, ['Stripe (API keys)', 'Shopify', 'WooCommerce', 'PayPal']);
    mkdirSync(ARTIFACTS, { recursive: true });
    await popup.screenshot({ path: new URL('connect-page.png', ARTIFACTS).pathname, fullPage: true });
    // A phone-width window: nothing overflows sideways.
    await popup.setViewportSize({ width: 320, height: 640 });
    assert.equal(await popup.evaluate('document.documentElement.scrollWidth <= 320'), true);
    await popup.screenshot({ path: new URL('connect-page-narrow.png', ARTIFACTS).pathname, fullPage: true });

    // A message from the wrong origin (the host page's own) claiming success is ignored.
    await host.evaluate(`
      window.postMessage({ type: 'patchbay:connect', status: 'success', connectionId: 'conn_forged' }, '*');
      window.postMessage({ type: 'marker' }, '*');
    `);
    await host.waitForFunction(`window.messages.some((m) => m.type === 'marker')`);

    await popup.click('.tile[data-integration="stripe-api-key"]');
    const secret = popup.locator('#field-secretKey');
    assert.equal(await secret.getAttribute('type'), 'password');
    assert.equal(await popup.evaluate('document.activeElement.id'), 'field-secretKey');
    assert.equal(await popup.locator('label[for="field-secretKey"]').textContent(), 'Secret key');

    // Checked in the page before anything is sent.
    await secret.fill('not-a-key');
    await popup.click('#submit');
    assert.equal(await secret.getAttribute('aria-invalid'), 'true');
    assert.match(
      (await popup.locator('#field-secretKey-error').textContent()) ?? '',
      /Secret key should look like/,
    );

    // Refused by the provider: the API's message is shown, and the host hears of it as an event.
    await popup.fill('#field-publishableKey', 'pk_test_abc');
    await secret.fill(REJECTED_SECRET);
    await popup.click('#submit');
    await popup.waitForSelector('#error:not([hidden])');
    assert.match((await popup.locator('#error-text').textContent()) ?? '', /refused these credentials/);
    await popup.screenshot({ path: new URL('connect-page-error.png', ARTIFACTS).pathname, fullPage: true });

    await secret.fill('sk_test_goodkey');
    // Enter submits; on success the SDK closes the popup, possibly before press() returns.
    await Promise.all([
      popup.waitForEvent('close'),
      popup.press('#field-secretKey', 'Enter').catch(closedOnly),
    ]);
    await host.waitForFunction(SETTLED);
    const result = await host.evaluate('window.result');
    const saved = world.saved.at(-1)!;
    assert.deepEqual(result, {
      connectionId: saved.connection.id,
      integration: 'stripe-api-key',
      provider: 'stripe-api-key',
    });
    assert.deepEqual(saved.input.credentials, {
      type: 'api_key',
      values: { secretKey: 'sk_test_goodkey', publishableKey: 'pk_test_abc' },
    });
    const events = (await host.evaluate('window.events')) as Array<{ name: string }>;
    assert.deepEqual(
      events.map((e) => e.name),
      ['ready', 'selected', 'error'],
    );
    await host.context().close();
  });

  it('connects an OAuth integration through the provider popup and the callback', async () => {
    const { host, popup } = await openConnect();
    await popup.click('.tile[data-integration="shopify"]');
    await popup.fill('#field-shop', 'acme-store.myshopify.com');
    const opened = popup.waitForEvent('popup');
    await popup.click('#submit');
    const oauth = await opened;
    await oauth.waitForSelector('#allow');
    assert.match(oauth.url(), /\/authorize\?state=/);
    await oauth.click('#allow').catch(closedOnly);
    await host.waitForFunction(SETTLED);
    assert.equal(await host.evaluate(`'connectError' in window`), false);
    const result = await host.evaluate('window.result');
    const { input, connection } = world.saved.at(-1)!;
    assert.deepEqual(result, { connectionId: connection.id, integration: 'shopify', provider: 'shopify' });
    assert.deepEqual(input.connectionConfig, { shop: 'acme-store.myshopify.com' });
    assert.equal(input.credentials.type, 'oauth2');
    assert.equal(input.metadata.code, 'granted-code');
    await host.context().close();
  });

  it('rejects with window_closed when the user closes the connect window', async () => {
    const { host, popup } = await openConnect();
    // Client credentials pasted per connection, with a choice of environment (PayPal).
    await popup.click('.tile[data-integration="paypal"]');
    assert.equal(await popup.evaluate(`document.getElementById('field-apiHost').tagName`), 'SELECT');
    assert.equal(await popup.locator('#field-apiHost').inputValue(), 'api-m.paypal.com');
    assert.equal(await popup.locator('#field-clientId').getAttribute('type'), 'text');
    assert.equal(await popup.locator('#field-clientSecret').getAttribute('type'), 'password');
    assert.equal(await popup.locator('label[for="field-webhookId"]').textContent(), 'Webhook ID (optional)');
    await popup.screenshot({ path: new URL('connect-page-form.png', ARTIFACTS).pathname, fullPage: true });
    await popup.close();
    await host.waitForFunction(`'connectError' in window`);
    const error = await host.evaluate('window.connectError');
    assert.deepEqual(error, {
      name: 'PatchbayConnectError',
      code: 'window_closed',
      message: 'The connect window was closed before connecting.',
    });
    await host.context().close();
  });

  it('rejects with cancelled when the user presses Cancel, and the window closes', async () => {
    const { host, popup } = await openConnect();
    await Promise.all([popup.waitForEvent('close'), popup.click('#cancel').catch(closedOnly)]);
    await host.waitForFunction(`'connectError' in window`);
    assert.equal(((await host.evaluate('window.connectError')) as { code: string }).code, 'cancelled');
    await host.context().close();
  });

  it('works framed by the host origin, posting the result to the parent window', async () => {
    const { token } = world.addSession({ environmentId: api.dev.id, allowedOrigin: hostOrigin });
    const context = await browser.newContext();
    const host = await context.newPage();
    await host.goto(`${hostOrigin}/framed?token=${token}`);
    const frame = host.frameLocator('iframe');
    await frame.locator('.tile[data-integration="woocommerce"]').click();
    await frame.locator('#field-storeUrl').fill('https://shop.example.com');
    await frame.locator('#field-username').fill('ck_framed');
    await frame.locator('#field-password').fill('cs_framed');
    await frame.locator('#submit').click();
    await host.waitForFunction(`window.messages.some((m) => m.data.type === 'patchbay:connect')`);
    const messages = (await host.evaluate('window.messages')) as Array<{
      origin: string;
      data: { type: string };
    }>;
    const result = messages.find((m) => m.data.type === 'patchbay:connect')!;
    assert.deepEqual(result, {
      origin: publicUrl,
      data: {
        type: 'patchbay:connect',
        status: 'success',
        connectionId: world.saved.at(-1)!.connection.id,
        integration: 'woocommerce',
        provider: 'woocommerce',
      },
    });
    await context.close();
  });

  it('posts nothing when the session has no allowed origin, and says the window can be closed', async () => {
    const { host, popup } = await openConnect({ allowedOrigin: null });
    await popup.click('.tile[data-integration="woocommerce"]');
    await popup.fill('#field-storeUrl', 'https://shop.example.com');
    await popup.fill('#field-username', 'ck_abc');
    await popup.fill('#field-password', 'cs_def');
    await popup.click('#submit');
    await popup.waitForSelector('#done:not([hidden])');
    assert.equal(await popup.locator('#done-text').textContent(), 'You can close this window.');
    const messages = await host.evaluate('window.messages');
    assert.deepEqual(messages, []);
    await host.context().close();
  });
});
