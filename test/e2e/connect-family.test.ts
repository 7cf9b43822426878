// biome-ignore-all lint/suspicious/noExplicitAny: the test reads JSON answers loosely and asserts on their fields
/**
 * A provider family on the connect page, in a real browser against the Stripe emulator: Stripe
 * by Connect OAuth (`stripe`) and by the end user's own keys (`stripe-api-key`) are one "Stripe"
 * tile with "Connect with Stripe" and "Use my own keys" side by side. Each button is used as an end
 * user would — the keys checked by the emulator's `GET /v1/account`, the OAuth sign-in through
 * the emulator's `/oauth/authorize` and `/oauth/token` — and the connection made is of the
 * method's own provider. One engine with the embedded database; Debian's Chromium driven by
 * playwright-core, skipped with a printed reason where it is not installed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type StripeSandbox, startStripeSandbox } from '../../sandbox/index.ts';
import { createPatchbay, type Patchbay } from '../../src/engine/index.ts';
import { createLogger, createMemoryDestination } from '../../src/logger/index.ts';
import { generateKeyString } from '../../src/vault/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const missing = existsSync(CHROMIUM)
  ? null
  : `connect family browser test skipped: no ${CHROMIUM} (apt-get install chromium)`;
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
const SETTLED = `'result' in window || 'connectError' in window`;

// The family's tile and its two buttons.
const STRIPE_TILE = '.tile-family[data-tile="stripe"]';
const CONNECT_BUTTON = 'button.method[data-integration="stripe"]';
const KEYS_BUTTON = 'button.method[data-integration="stripe-api-key"]';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An action whose own effect closes the page may fail with "closed": that is its success. */
function closedOnly(error: Error): void {
  if (!/closed/.test(error.message)) throw error;
}

describe('a provider family on the connect page, against the Stripe emulator', {
  skip: missing ?? false,
}, () => {
  let dataDir: string;
  let stripe: StripeSandbox;
  let engine: Patchbay;
  let browser: Browser;
  let hostServer: Server;
  let hostOrigin: string;
  let baseUrl: string;
  let apiKey: string;

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  }

  /** Opens the host page for a new session, clicks its button, and returns the connect popup. */
  async function openConnect(session: object = {}): Promise<{ host: Page; popup: Page }> {
    const created = await api('POST', '/v1/connect/sessions', {
      endUser: { id: 'seller-7' },
      allowedOrigin: hostOrigin,
      ...session,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const context = await browser.newContext({ viewport: { width: 900, height: 760 } });
    // Nothing may leave the machine: any request to another host fails loudly.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
    const host = await context.newPage();
    await host.goto(`${hostOrigin}/?token=${created.body.token}&base=${encodeURIComponent(baseUrl)}`);
    const opened = host.waitForEvent('popup');
    await host.click('#connect');
    const popup = await opened;
    await popup.waitForSelector('.tile');
    return { host, popup };
  }

  async function settledResult(
    host: Page,
  ): Promise<{ connectionId: string; integration: string; provider: string }> {
    await host.waitForFunction(SETTLED, undefined, { timeout: 20_000 });
    assert.equal(
      await host.evaluate(`'connectError' in window`),
      false,
      String(await host.evaluate('JSON.stringify(window.connectError)')),
    );
    return (await host.evaluate('window.result')) as {
      connectionId: string;
      integration: string;
      provider: string;
    };
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'patchbay-connect-family-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    stripe = await startStripeSandbox({
      accounts: [{ redirectUris: [`${baseUrl}/connect/oauth/callback`] }],
      rateLimit: false,
    });
    engine = await createPatchbay({
      config: {
        dataDir,
        port,
        publicUrl: baseUrl,
        encryptionKeys: generateKeyString(),
        allowPrivateNetworks: 'loopback',
        role: 'api',
      },
      logger: createLogger({ level: 'warn', destination: createMemoryDestination() }),
    });
    apiKey = (await engine.start()).firstApiKey ?? '';
    assert.match(apiKey, /^pb_sk_dev_/);

    // Both of Stripe's ways, pointed at the emulator, and a provider of its own beside them.
    const sandboxed = { settings: { baseUrls: { '*': stripe.url } } };
    for (const body of [
      {
        provider: 'stripe',
        clientId: stripe.platform.clientId,
        clientSecret: stripe.platform.secretKey,
        ...sandboxed,
      },
      { provider: 'woocommerce' },
      { provider: 'stripe-api-key', ...sandboxed },
    ]) {
      const created = await api('POST', '/v1/integrations', body);
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }

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
    await stripe?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows Stripe once, both ways side by side, and connects with the end user’s own keys', async () => {
    const { host, popup } = await openConnect();
    const names = await popup.$$eval('.tile .tile-name', (nodes) => nodes.map((n) => n.textContent));
    assert.deepEqual(names, ['Stripe', 'WooCommerce']);
    const group = popup.getByRole('group', { name: 'Stripe' });
    assert.deepEqual(await group.getByRole('button').allTextContents(), [
      'Connect with Stripe',
      'Use my own keys',
    ]);
    const connectBox = (await popup.locator(CONNECT_BUTTON).boundingBox())!;
    const keysBox = (await popup.locator(KEYS_BUTTON).boundingBox())!;
    assert.equal(connectBox.y, keysBox.y, 'side by side');
    assert.ok(keysBox.x >= connectBox.x + connectBox.width);
    mkdirSync(ARTIFACTS, { recursive: true });
    await popup.screenshot({ path: new URL('connect-family.png', ARTIFACTS).pathname, fullPage: true });
    // A phone-width window: stacked, nothing overflowing sideways.
    await popup.setViewportSize({ width: 320, height: 700 });
    assert.equal(await popup.evaluate('document.documentElement.scrollWidth <= 320'), true);
    const stacked = [
      (await popup.locator(CONNECT_BUTTON).boundingBox())!,
      (await popup.locator(KEYS_BUTTON).boundingBox())!,
    ];
    assert.ok(stacked[1]!.y >= stacked[0]!.y + stacked[0]!.height, 'stacked on a narrow window');
    await popup.screenshot({
      path: new URL('connect-family-narrow.png', ARTIFACTS).pathname,
      fullPage: true,
    });
    await popup.setViewportSize({ width: 900, height: 760 });

    // By keyboard: Tab from one way to the other, Enter opens the form, Escape comes back to it.
    await popup.focus(CONNECT_BUTTON);
    await popup.keyboard.press('Tab');
    assert.equal(await popup.evaluate('document.activeElement.dataset.integration'), 'stripe-api-key');
    await popup.keyboard.press('Enter');
    await popup.waitForSelector('#form-view:not([hidden])');
    assert.equal(await popup.locator('#form-title').textContent(), 'Stripe');
    assert.equal(await popup.evaluate('document.activeElement.id'), 'field-secretKey');
    await popup.keyboard.press('Escape');
    await popup.waitForSelector('#choose:not([hidden])');
    assert.equal(await popup.evaluate('document.activeElement.dataset.integration'), 'stripe-api-key');
    await popup.keyboard.press('Enter');
    await popup.waitForSelector('#form-view:not([hidden])');

    // A key the emulator does not know: its GET /v1/account answers 401, and the page says so.
    const checks = () => stripe.stats.byPath['GET /v1/account'] ?? 0;
    const before = checks();
    await popup.fill('#field-secretKey', 'sk_test_unknownKey0000000000000000');
    await popup.click('#submit');
    await popup.waitForSelector('#error:not([hidden])');
    assert.match(
      (await popup.locator('#error-text').textContent()) ?? '',
      /did not accept the credentials \(it answered 401\)/,
    );
    assert.equal(checks(), before + 1);

    // The platform's own secret key: accepted, and the connection is an own-keys one.
    await popup.fill('#field-secretKey', stripe.platform.secretKey);
    await popup.fill('#field-publishableKey', stripe.platform.publishableKey);
    await Promise.all([popup.waitForEvent('close'), popup.click('#submit').catch(closedOnly)]);
    const result = await settledResult(host);
    assert.equal(result.integration, 'stripe-api-key');
    assert.equal(result.provider, 'stripe-api-key');
    assert.equal(checks(), before + 2);
    const connection = await api('GET', `/v1/connections/${result.connectionId}`);
    assert.equal(connection.status, 200);
    assert.equal(connection.body.provider, 'stripe-api-key');
    assert.equal(connection.body.status, 'active');
    assert.equal(connection.body.endUser.id, 'seller-7');
    assert.equal(stripe.stats.oauth.authorize, 0);
    await host.context().close();
  });

  it('connects by Stripe Connect from the same tile, without moving the tile while it starts', async () => {
    const { host, popup } = await openConnect();
    const tileBefore = (await popup.locator(STRIPE_TILE).boundingBox())!;
    // Hold the start of the authorization, so the page is seen while it says so.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await popup.route('**/connect/api/oauth/start', async (route) => {
      await released;
      await route.continue();
    });
    const providerPopup = popup.waitForEvent('popup');
    await popup.click(CONNECT_BUTTON);
    await popup.waitForFunction(`document.getElementById('status').textContent === 'Opening Stripe…'`);
    assert.deepEqual((await popup.locator(STRIPE_TILE).boundingBox())!, tileBefore, 'no layout shift');
    assert.equal(await popup.locator(KEYS_BUTTON).isDisabled(), true);
    release();
    // The emulator approves at once and redirects to the callback, which posts and closes.
    const provider = await providerPopup;
    await provider.waitForEvent('close', { timeout: 20_000 }).catch(closedOnly);
    const result = await settledResult(host);
    assert.equal(result.integration, 'stripe');
    assert.equal(result.provider, 'stripe');
    assert.equal(stripe.stats.oauth.authorize, 1);
    assert.equal(stripe.stats.oauth.token, 1);
    const connection = await api('GET', `/v1/connections/${result.connectionId}`);
    assert.equal(connection.body.provider, 'stripe');
    assert.equal(connection.body.status, 'active');
    assert.match(connection.body.metadata.stripeAccountId, /^acct_/);
    await host.context().close();
  });

  it('shows only the allowed way when the session allows one of the two', async () => {
    for (const [allowed, name] of [
      ['stripe-api-key', 'Stripe (API keys)'],
      ['stripe', 'Stripe'],
    ] as const) {
      const { host, popup } = await openConnect({ allowedIntegrations: [allowed] });
      assert.equal(await popup.locator('button.method').count(), 0);
      assert.equal(await popup.locator('.tile').count(), 1);
      const tile = popup.locator(`button.tile[data-integration="${allowed}"]`);
      assert.equal(await tile.locator('.tile-name').textContent(), name);
      await host.context().close();
    }
  });
});
