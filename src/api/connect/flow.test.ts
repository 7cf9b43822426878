import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { sqliteTestDatabase, type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { loadCatalog } from '../../catalog/index.ts';
import { createConnectSessionsService } from '../../connect/sessions.ts';
import type { Integration, IntegrationsService } from '../../integrations/types.ts';
import { createFakeConnectWorld, type FakeConnectWorld, REJECTED_SECRET } from './fixtures/flow-fakes.ts';
import { connectFlowRoutes } from './flow.ts';

const PUBLIC_URL = 'https://patchbay.example.com/';
const HOST = 'https://app.example.com';
const builtin = await loadCatalog();
// Two providers whose logos are not files: an https URL and a data URI.
const PNG_DOT =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const catalog = new Map(builtin);
catalog.set('remote-logo', {
  ...builtin.get('gumroad')!,
  name: 'remote-logo',
  logo: 'https://cdn.example.com/logo.svg',
});
catalog.set('inline-logo', {
  ...builtin.get('gumroad')!,
  name: 'inline-logo',
  logo: `data:image/png;base64,${PNG_DOT}`,
});

describe('connect flow routes', () => {
  let database: TestDatabase;
  let api: TestApi;
  let world: FakeConnectWorld;
  let shopify: Integration;
  let stripeKeys: Integration;
  let woocommerce: Integration;

  before(async () => {
    database = sqliteTestDatabase();
    // The clock the world uses is the API's, created by createTestApi: wire it after.
    const clockRef = { now: () => api.clock.now() };
    world = createFakeConnectWorld({ catalog, clock: clockRef, publicUrl: PUBLIC_URL });
    api = await createTestApi(database, {
      routes: [connectFlowRoutes(world.deps)],
      connectSessions: world.deps.sessions,
    });
    shopify = world.addIntegration(api.dev.id, 'shopify');
    stripeKeys = world.addIntegration(api.dev.id, 'stripe-api-key', { displayName: 'Stripe' });
    woocommerce = world.addIntegration(api.dev.id, 'woocommerce');
    world.addIntegration(api.dev.id, 'paypal', { enabled: false });
    // Stripe by Connect, the family of stripe-api-key: one tile for both.
    world.addIntegration(api.dev.id, 'stripe');
    world.addIntegration(api.prod.id, 'hubspot');
  });
  after(async () => {
    await api?.close();
    await database?.destroy();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const devSession = (extra: Parameters<FakeConnectWorld['addSession']>[0] | object = {}) =>
    world.addSession({ environmentId: api.dev.id, allowedOrigin: HOST, ...extra });

  describe('session token authentication', () => {
    it('answers a missing token with 401 unauthorized', async () => {
      const response = await api.app.inject({ url: '/connect/api/session' });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error.code, 'unauthorized');
      assert.equal(response.headers['www-authenticate'], 'Bearer');
    });

    it('answers an unknown token, or an API key, with 401 connect_session_invalid', async () => {
      for (const headers of [bearer('pb_cst_unknown'), api.devAuth]) {
        const response = await api.app.inject({ url: '/connect/api/session', headers });
        assert.equal(response.statusCode, 401);
        assert.equal(response.json().error.code, 'connect_session_invalid');
        assert.equal(response.headers['www-authenticate'], 'Bearer error="invalid_token"');
      }
    });

    it('answers an expired token with 401 connect_session_expired', async () => {
      const { token } = devSession({ expiresAt: api.clock.now() + 1000 });
      assert.equal(
        (await api.app.inject({ url: '/connect/api/session', headers: bearer(token) })).statusCode,
        200,
      );
      api.clock.advance(1000);
      const response = await api.app.inject({ url: '/connect/api/session', headers: bearer(token) });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error.code, 'connect_session_expired');
    });

    it('does not accept a session token where an API key is needed', async () => {
      const { token } = devSession();
      const response = await api.app.inject({ url: '/v1/environment', headers: bearer(token) });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error.code, 'invalid_api_key');
    });
  });

  describe('GET /connect/api/session', () => {
    it("lists the session's enabled, allowed integrations with their form fields and no secret", async () => {
      const { token } = devSession();
      const response = await api.app.inject({ url: '/connect/api/session', headers: bearer(token) });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['cache-control'], 'no-store');
      const body = response.json();
      assert.deepEqual(body.endUser, { id: 'user-1' });
      assert.equal(body.allowedOrigin, HOST);
      assert.equal(body.reconnect, null);
      // paypal is disabled; hubspot is prod's.
      assert.deepEqual(
        body.integrations.map((i: { key: string }) => i.key),
        ['shopify', 'stripe-api-key', 'woocommerce', 'stripe'],
      );
      const [shop, stripe, woo, connect] = body.integrations;
      assert.equal(shop.authMode, 'oauth2');
      assert.equal(shop.methodLabel, 'Connect with Shopify');
      assert.equal(shop.logoUrl, 'https://patchbay.example.com/connect/logos/shopify');
      assert.deepEqual(
        shop.connectionConfig.map((f: { key: string; required: boolean }) => [f.key, f.required]),
        [['shop', true]],
      );
      assert.deepEqual(shop.credentialFields, []);
      assert.equal(stripe.displayName, 'Stripe');
      assert.equal(stripe.methodLabel, 'Use my own keys');
      assert.equal(connect.methodLabel, 'Connect with Stripe');
      assert.deepEqual(
        stripe.credentialFields.map((f: { key: string; secret: boolean }) => [f.key, f.secret]),
        [
          ['secretKey', true],
          ['publishableKey', false],
        ],
      );
      assert.deepEqual(
        woo.credentialFields.map((f: { key: string; secret: boolean }) => [f.key, f.secret]),
        [
          ['username', true],
          ['password', true],
        ],
      );
      assert.doesNotMatch(response.body, /app-secret|app-client/);
    });

    it('offers Stripe as one tile with both ways to connect, where the first of them is listed', async () => {
      const { token } = devSession();
      const body = (await api.app.inject({ url: '/connect/api/session', headers: bearer(token) })).json();
      assert.deepEqual(body.tiles, [
        {
          key: 'shopify',
          provider: 'shopify',
          displayName: 'Shopify',
          description: catalog.get('shopify')!.description,
          logoUrl: 'https://patchbay.example.com/connect/logos/shopify',
          integrations: ['shopify'],
        },
        {
          key: 'stripe',
          provider: 'stripe',
          displayName: 'Stripe',
          description: catalog.get('stripe')!.description,
          logoUrl: 'https://patchbay.example.com/connect/logos/stripe',
          integrations: ['stripe', 'stripe-api-key'],
        },
        {
          key: 'woocommerce',
          provider: 'woocommerce',
          displayName: 'WooCommerce',
          description: catalog.get('woocommerce')!.description,
          logoUrl: 'https://patchbay.example.com/connect/logos/woocommerce',
          integrations: ['woocommerce'],
        },
      ]);
    });

    it('offers only the allowed way to connect when the session allows one of the family', async () => {
      // Listed as the environment lists them; the Stripe tile holds only the allowed way.
      const cases = [
        [
          'stripe-api-key',
          [
            ['stripe-api-key', 'Use my own keys'],
            ['woocommerce', 'Enter credentials'],
          ],
        ],
        [
          'stripe',
          [
            ['woocommerce', 'Enter credentials'],
            ['stripe', 'Connect with Stripe'],
          ],
        ],
      ] as const;
      for (const [allowed, offered] of cases) {
        const { token } = devSession({ allowedIntegrations: [allowed, 'woocommerce'] });
        const body = (await api.app.inject({ url: '/connect/api/session', headers: bearer(token) })).json();
        assert.deepEqual(
          body.integrations.map((i: { key: string; methodLabel: string }) => [i.key, i.methodLabel]),
          offered,
        );
        const stripeTile = body.tiles.find((tile: { provider: string }) => tile.provider === 'stripe');
        assert.deepEqual(stripeTile.integrations, [allowed]);
        assert.equal(body.tiles.length, 2);
      }
    });

    it('offers only the allowed integrations', async () => {
      const { token } = devSession({ allowedIntegrations: ['woocommerce'] });
      const body = (await api.app.inject({ url: '/connect/api/session', headers: bearer(token) })).json();
      assert.deepEqual(
        body.integrations.map((i: { key: string }) => i.key),
        ['woocommerce'],
      );
      assert.deepEqual(
        body.tiles.map((tile: { key: string; integrations: string[] }) => [tile.key, tile.integrations]),
        [['woocommerce', ['woocommerce']]],
      );
    });

    it("offers only the connection's integration when the session reconnects", async () => {
      const connection = world.addConnection({
        environmentId: api.dev.id,
        integrationId: shopify.id,
        connectionConfig: { shop: 'acme.myshopify.com' },
      });
      const { token } = devSession({ connectionId: connection.id });
      const body = (await api.app.inject({ url: '/connect/api/session', headers: bearer(token) })).json();
      assert.deepEqual(
        body.integrations.map((i: { key: string }) => i.key),
        ['shopify'],
      );
      assert.deepEqual(
        body.tiles.map((tile: { integrations: string[] }) => tile.integrations),
        [['shopify']],
      );
      assert.deepEqual(body.reconnect, {
        connectionId: connection.id,
        integration: 'shopify',
        provider: 'shopify',
        connectionConfig: { shop: 'acme.myshopify.com' },
      });
    });
  });

  describe('POST /connect/api/oauth/start', () => {
    it('returns the authorization URL for an allowed OAuth integration', async () => {
      const { token, session } = devSession();
      const response = await api.app.inject({
        method: 'POST',
        url: '/connect/api/oauth/start',
        headers: bearer(token),
        payload: { integration: 'shopify', connectionConfig: { shop: 'acme.myshopify.com' } },
      });
      assert.equal(response.statusCode, 200);
      assert.match(response.json().authorizationUrl, /^https:\/\/provider\.example\/authorize\?state=/);
      assert.deepEqual(world.started.at(-1), {
        sessionId: session.id,
        integration: 'shopify',
        connectionConfig: { shop: 'acme.myshopify.com' },
      });
    });

    it('refuses an integration the session does not allow with 403 integration_not_allowed', async () => {
      const { token } = devSession({ allowedIntegrations: ['stripe-api-key'] });
      const count = world.started.length;
      for (const integration of ['shopify', shopify.id, 'paypal']) {
        const response = await api.app.inject({
          method: 'POST',
          url: '/connect/api/oauth/start',
          headers: bearer(token),
          payload: { integration, connectionConfig: { shop: 'acme.myshopify.com' } },
        });
        assert.equal(response.statusCode, 403, integration);
        assert.equal(response.json().error.code, 'integration_not_allowed');
      }
      assert.equal(world.started.length, count);
    });

    it('refuses a disabled integration, and another integration than the reconnect target', async () => {
      const connection = world.addConnection({ environmentId: api.dev.id, integrationId: stripeKeys.id });
      for (const [extra, integration] of [
        [{}, 'paypal'],
        [{ connectionId: connection.id }, 'shopify'],
      ] as const) {
        const { token } = devSession(extra);
        const response = await api.app.inject({
          method: 'POST',
          url: '/connect/api/oauth/start',
          headers: bearer(token),
          payload: { integration, connectionConfig: { shop: 'acme.myshopify.com' } },
        });
        assert.equal(response.statusCode, 403);
        assert.equal(response.json().error.code, 'integration_not_allowed');
      }
    });

    it('cannot use an integration of another environment: a dev session gets not_found for a prod one', async () => {
      const { token } = devSession();
      const response = await api.app.inject({
        method: 'POST',
        url: '/connect/api/oauth/start',
        headers: bearer(token),
        payload: { integration: 'hubspot' },
      });
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().error.code, 'not_found');
    });

    it('passes on the auth module errors (bad config, non-OAuth integration)', async () => {
      const { token } = devSession();
      const bad = await api.app.inject({
        method: 'POST',
        url: '/connect/api/oauth/start',
        headers: bearer(token),
        payload: { integration: 'shopify', connectionConfig: { shop: 'evil.example.com' } },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'validation_failed');
      const keyBased = await api.app.inject({
        method: 'POST',
        url: '/connect/api/oauth/start',
        headers: bearer(token),
        payload: { integration: 'woocommerce' },
      });
      assert.equal(keyBased.json().error.code, 'auth_mode_unsupported');
    });
  });

  describe('POST /connect/api/credentials', () => {
    const wooValues = { username: 'ck_abc', password: 'cs_def' };

    it("saves the connection for the session's end user", async () => {
      const { token, session } = devSession();
      const response = await api.app.inject({
        method: 'POST',
        url: '/connect/api/credentials',
        headers: bearer(token),
        payload: {
          integration: 'woocommerce',
          connectionConfig: { storeUrl: 'https://shop.example.com' },
          values: wooValues,
        },
      });
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.match(body.connectionId, /^conn_/);
      assert.deepEqual(
        { ...body, connectionId: null },
        {
          connectionId: null,
          integration: 'woocommerce',
          provider: 'woocommerce',
        },
      );
      const { environmentId, input } = world.saved.at(-1)!;
      assert.equal(environmentId, api.dev.id);
      assert.equal(input.integrationId, woocommerce.id);
      assert.deepEqual(input.endUser, session.endUser);
      assert.deepEqual(input.credentials, { type: 'basic', username: 'ck_abc', password: 'cs_def' });
      assert.deepEqual(input.connectionConfig, { storeUrl: 'https://shop.example.com' });
      assert.equal(input.connectionId, null);
      assert.doesNotMatch(response.body, /cs_def/);
    });

    it('reconnects the session’s connection', async () => {
      const connection = world.addConnection({ environmentId: api.dev.id, integrationId: stripeKeys.id });
      const { token } = devSession({ connectionId: connection.id });
      const response = await api.app.inject({
        method: 'POST',
        url: '/connect/api/credentials',
        headers: bearer(token),
        payload: { integration: 'stripe-api-key', values: { secretKey: 'sk_test_abc' } },
      });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().connectionId, connection.id);
      assert.equal(world.saved.at(-1)!.input.connectionId, connection.id);
    });

    it('answers rejected credentials with 400 credentials_rejected, saving nothing and logging no value', async () => {
      const { token } = devSession();
      const count = world.saved.length;
      const response = await api.app.inject({
        method: 'POST',
        url: '/connect/api/credentials',
        headers: bearer(token),
        payload: { integration: 'stripe-api-key', values: { secretKey: REJECTED_SECRET } },
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.code, 'credentials_rejected');
      assert.equal(world.saved.length, count);
      assert.doesNotMatch(api.logs.text(), new RegExp(`${REJECTED_SECRET}|cs_def`));
    });

    it('refuses an unknown body field and a disallowed integration', async () => {
      const { token } = devSession({ allowedIntegrations: ['shopify'] });
      const extra = await api.app.inject({
        method: 'POST',
        url: '/connect/api/credentials',
        headers: bearer(token),
        payload: { integration: 'shopify', secret: 'x' },
      });
      assert.equal(extra.statusCode, 400);
      assert.equal(extra.json().error.code, 'validation_failed');
      const refused = await api.app.inject({
        method: 'POST',
        url: '/connect/api/credentials',
        headers: bearer(token),
        payload: { integration: 'woocommerce', values: wooValues },
      });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().error.code, 'integration_not_allowed');
    });
  });

  describe('GET /connect/oauth/callback', () => {
    async function startFor(extra: object = {}) {
      const { token, session } = devSession(extra);
      const start = await api.app.inject({
        method: 'POST',
        url: '/connect/api/oauth/start',
        headers: bearer(token),
        payload: { integration: 'shopify', connectionConfig: { shop: 'acme.myshopify.com' } },
      });
      const state = new URL(start.json().authorizationUrl).searchParams.get('state')!;
      return { session, state };
    }

    it('saves the connection and answers a page that posts the result to the connect page', async () => {
      const connection = world.addConnection({ environmentId: api.dev.id, integrationId: shopify.id });
      const { session, state } = await startFor({ connectionId: connection.id });
      const response = await api.app.inject({ url: `/connect/oauth/callback?code=abc&state=${state}` });
      assert.equal(response.statusCode, 200);
      assert.match(response.headers['content-type'] as string, /^text\/html/);
      assert.match(response.body, new RegExp(`data-connection-id="${connection.id}"`));
      assert.match(response.body, /data-status="success"/);
      assert.match(response.body, /data-origin="https:\/\/patchbay\.example\.com"/);
      assert.match(response.body, /<script src="\.\.\/assets\/callback\.js" defer><\/script>/);
      assert.doesNotMatch(response.body, /<script>|at-state|rt-state/);
      const { input } = world.saved.at(-1)!;
      assert.equal(input.connectionId, connection.id);
      assert.deepEqual(input.endUser, session.endUser);
      assert.equal(input.credentials.type, 'oauth2');
      assert.equal(input.metadata.code, 'abc');
    });

    it('answers a replayed state with a 400 error page that still posts the error', async () => {
      const { state } = await startFor();
      await api.app.inject({ url: `/connect/oauth/callback?code=abc&state=${state}` });
      const replay = await api.app.inject({ url: `/connect/oauth/callback?code=abc&state=${state}` });
      assert.equal(replay.statusCode, 400);
      assert.match(replay.body, /data-status="error"/);
      assert.match(replay.body, /data-error-code="oauth_state_invalid"/);
      assert.match(replay.body, /<script src="\.\.\/assets\/callback\.js" defer>/);
    });

    it('answers a provider error with 400 and an expired session with 401, saving nothing', async () => {
      const count = world.saved.length;
      const denied = await api.app.inject({ url: '/connect/oauth/callback?error=access_denied&state=x' });
      assert.equal(denied.statusCode, 400);
      assert.match(denied.body, /data-error-code="oauth_provider_error"/);

      const { state } = await startFor({ expiresAt: api.clock.now() + 60_000 });
      api.clock.advance(60_000);
      const expired = await api.app.inject({ url: `/connect/oauth/callback?code=abc&state=${state}` });
      assert.equal(expired.statusCode, 401);
      assert.match(expired.body, /data-error-code="connect_session_expired"/);
      assert.equal(world.saved.length, count);
    });

    it('escapes what it renders', async () => {
      const response = await api.app.inject({
        url: `/connect/oauth/callback?error=${encodeURIComponent('"><script>alert(1)</script>')}`,
      });
      assert.equal(response.statusCode, 400);
      assert.doesNotMatch(response.body, /<script>alert/);
      assert.match(response.body, /&quot;&gt;&lt;script&gt;/);
    });
  });

  describe('pages, assets, logos and headers', () => {
    function assertStrictHeaders(headers: Record<string, unknown>, frameAncestors: string) {
      const csp = String(headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, new RegExp(`frame-ancestors ${frameAncestors}(;|$)`));
      assert.equal(headers['referrer-policy'], 'no-referrer');
      assert.equal(headers['cache-control'], 'no-store');
      assert.equal(headers['x-content-type-options'], 'nosniff');
    }

    it('serves the connect page without inline script, framable only by the session’s host origin', async () => {
      const plain = await api.app.inject({ url: '/connect' });
      assert.equal(plain.statusCode, 200);
      assert.match(plain.headers['content-type'] as string, /^text\/html/);
      assertStrictHeaders(plain.headers, "'none'");
      assert.match(plain.body, /<script src="connect\/assets\/connect\.js" defer><\/script>/);
      assert.doesNotMatch(plain.body, /<script>|\son[a-z]+=|style="/);

      const { token } = devSession();
      const framed = await api.app.inject({ url: `/connect?session=${token}` });
      assertStrictHeaders(framed.headers, HOST);
      const noOrigin = world.addSession({ environmentId: api.dev.id, allowedOrigin: null });
      assertStrictHeaders(
        (await api.app.inject({ url: `/connect?session=${noOrigin.token}` })).headers,
        "'none'",
      );
      assertStrictHeaders((await api.app.inject({ url: '/connect?session=pb_cst_bad' })).headers, "'none'");
    });

    it('serves its script and styles, and nothing else from its folder', async () => {
      const script = await api.app.inject({ url: '/connect/assets/connect.js' });
      assert.equal(script.statusCode, 200);
      assert.match(script.headers['content-type'] as string, /^text\/javascript/);
      assert.match(
        (await api.app.inject({ url: '/connect/assets/connect.css' })).headers['content-type'] as string,
        /^text\/css/,
      );
      assert.equal((await api.app.inject({ url: '/connect/assets/callback.js' })).statusCode, 200);
      for (const url of [
        '/connect/assets/connect.html',
        '/connect/assets/..%2Fflow.ts',
        '/connect/assets/toString',
      ]) {
        assert.equal((await api.app.inject({ url })).statusCode, 404, url);
      }
    });

    it('serves callback pages with the same strict headers', async () => {
      const response = await api.app.inject({ url: '/connect/oauth/callback?state=nope&code=x' });
      assertStrictHeaders(response.headers, "'none'");
    });

    it('keeps session tokens and authorization codes out of the request log', async () => {
      const { token } = devSession();
      await api.app.inject({ url: `/connect?session=${token}` });
      await api.app.inject({ url: '/connect/oauth/callback?state=nope&code=the-authorization-code' });
      const logs = api.logs.text();
      assert.match(logs, /"route":"\/connect\/oauth\/callback"/);
      assert.doesNotMatch(logs, new RegExp(`${token}|the-authorization-code`));
    });

    it("serves a provider's logo file as SVG that cannot run scripts; 404 for an unknown provider", async () => {
      const logo = await api.app.inject({ url: '/connect/logos/shopify' });
      assert.equal(logo.statusCode, 200);
      assert.match(logo.headers['content-type'] as string, /^image\/svg\+xml/);
      assert.match(String(logo.headers['content-security-policy']), /sandbox/);
      assert.match(logo.body, /<svg/);
      assert.equal((await api.app.inject({ url: '/connect/logos/nope' })).statusCode, 404);
    });

    it('redirects to an https logo, decodes a data URI logo, and inlines data URIs in the session API', async () => {
      const remote = await api.app.inject({ url: '/connect/logos/remote-logo' });
      assert.equal(remote.statusCode, 302);
      assert.equal(remote.headers.location, 'https://cdn.example.com/logo.svg');
      const inline = await api.app.inject({ url: '/connect/logos/inline-logo' });
      assert.equal(inline.headers['content-type'], 'image/png');
      assert.deepEqual(inline.rawPayload, Buffer.from(PNG_DOT, 'base64'));

      world.addIntegration(api.dev.id, 'inline-logo');
      const { token } = devSession({ allowedIntegrations: ['inline-logo'] });
      const body = (await api.app.inject({ url: '/connect/api/session', headers: bearer(token) })).json();
      assert.equal(body.integrations[0].logoUrl, `data:image/png;base64,${PNG_DOT}`);
    });

    it('documents the page API in a valid OpenAPI document, under "Connect page"', async () => {
      const document = (await api.app.inject({ url: '/openapi.json' })).json();
      const result = await new Validator().validate(document);
      assert.equal(result.valid, true, JSON.stringify(result.errors));
      for (const path of ['/connect/api/session', '/connect/api/oauth/start', '/connect/api/credentials']) {
        const operation = Object.values(document.paths[path] as Record<string, { tags: string[] }>)[0]!;
        assert.deepEqual(operation.tags, ['Connect page'], path);
      }
      assert.equal(document.paths['/connect/oauth/callback'], undefined);
    });
  });
});

describe('connect session routes without a sessions service', () => {
  it('answer 500: the server is misconfigured, not the caller', async () => {
    const database = sqliteTestDatabase();
    const world = createFakeConnectWorld({ catalog, clock: { now: () => 0 }, publicUrl: PUBLIC_URL });
    const api = await createTestApi(database, { routes: [connectFlowRoutes(world.deps)] });
    try {
      const response = await api.app.inject({
        url: '/connect/api/session',
        headers: { authorization: 'Bearer x' },
      });
      assert.equal(response.statusCode, 500);
      assert.equal(response.json().error.code, 'internal_error');
    } finally {
      await api.close();
      await database.destroy();
    }
  });
});

describe('connect session rate limits', () => {
  it('count per session: one session over the limit does not stop another', async () => {
    const database = sqliteTestDatabase();
    let now = 0;
    const world = createFakeConnectWorld({ catalog, clock: { now: () => now }, publicUrl: PUBLIC_URL });
    const api = await createTestApi(database, {
      routes: [connectFlowRoutes(world.deps)],
      connectSessions: world.deps.sessions,
      config: { apiRateLimit: 2 },
    });
    now = api.clock.now();
    try {
      const first = world.addSession({ environmentId: api.dev.id });
      const second = world.addSession({ environmentId: api.dev.id });
      const call = (token: string) =>
        api.app.inject({ url: '/connect/api/session', headers: { authorization: `Bearer ${token}` } });
      assert.equal((await call(first.token)).statusCode, 200);
      assert.equal((await call(first.token)).statusCode, 200);
      const limited = await call(first.token);
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'rate_limited');
      assert.equal((await call(second.token)).statusCode, 200);
    } finally {
      await api.close();
      await database.destroy();
    }
  });
});

// The page API with the real, store-backed sessions service (the other dependencies stay fakes).
for (const target of await testDatabases()) {
  describe(`connect page API with stored sessions on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    let world: FakeConnectWorld;
    let sessions: ReturnType<typeof createConnectSessionsService>;
    before(async () => {
      database = await target.create!();
      world = createFakeConnectWorld({
        catalog,
        clock: { now: () => api.clock.now() },
        publicUrl: PUBLIC_URL,
      });
      // The service needs the API's store, the API needs the service: bind it late.
      const late = {
        authenticate: (token: string) => sessions.authenticate(token),
        get: (environmentId: string, id: string) => sessions.get(environmentId, id),
      };
      api = await createTestApi(database, {
        routes: [connectFlowRoutes({ ...world.deps, sessions: late })],
        connectSessions: late,
      });
      sessions = createConnectSessionsService({
        store: api.store,
        integrations: world.deps.integrations as IntegrationsService,
        connections: world.deps.connections,
        clock: api.clock,
      });
      world.addIntegration(api.dev.id, 'woocommerce');
      world.addIntegration(api.prod.id, 'hubspot');
    });
    after(async () => {
      await api?.close();
      await database?.destroy();
    });

    it('authenticates a stored session token until it expires, in its own environment only', async () => {
      const dev = await sessions.create(api.dev.id, {
        endUser: { id: 'u1' },
        allowedOrigin: HOST,
        ttlSeconds: 60,
      });
      const prod = await sessions.create(api.prod.id, { endUser: { id: 'u1' } });
      const call = (token: string) =>
        api.app.inject({ url: '/connect/api/session', headers: { authorization: `Bearer ${token}` } });
      const keys = async (token: string) =>
        (await call(token)).json().integrations.map((i: { key: string }) => i.key);
      assert.deepEqual(await keys(dev.token), ['woocommerce']);
      assert.deepEqual(await keys(prod.token), ['hubspot']);
      const frame = await api.app.inject({ url: `/connect?session=${dev.token}` });
      assert.match(
        String(frame.headers['content-security-policy']),
        /frame-ancestors https:\/\/app\.example\.com/,
      );

      const refused = await api.app.inject({
        method: 'POST',
        url: '/connect/api/credentials',
        headers: { authorization: `Bearer ${dev.token}` },
        payload: { integration: 'hubspot' },
      });
      assert.equal(refused.statusCode, 404);
      assert.equal(refused.json().error.code, 'not_found');

      api.clock.advance(60_000);
      const expired = await call(dev.token);
      assert.equal(expired.statusCode, 401);
      assert.equal(expired.json().error.code, 'connect_session_expired');
      // Change the last character (to one it is not), so the token is another, unknown one.
      const tampered = `${dev.token.slice(0, -1)}${dev.token.endsWith('A') ? 'B' : 'A'}`;
      assert.equal((await call(tampered)).json().error.code, 'connect_session_invalid');
    });
  });
}
