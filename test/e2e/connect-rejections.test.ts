// biome-ignore-all lint/suspicious/noExplicitAny: the test reads JSON answers loosely and asserts on their fields
/**
 * Every way a connect attempt can be forged or go stale is refused with its own code, end to end:
 * an engine (embedded database) in front of the sandbox OAuth server, driven over HTTP the way
 * the connect page and the provider's redirects drive it.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type OAuthSandbox, startOAuthSandbox } from '../../sandbox/index.ts';
import type { Patchbay } from '../../src/engine/index.ts';
import { connectHeadless } from '../support/connect-flow.ts';
import { type LibraryEngine, ShiftedClock, startLibraryEngine } from '../support/library-engine.ts';

const FIXTURE_PROVIDERS = new URL('../fixtures/providers/', import.meta.url).pathname;
const SANDBOX_ORIGIN = 'https://sandbox-oauth.example.test';

describe('connect rejections', () => {
  const clock = new ShiftedClock();
  let harness: LibraryEngine;
  let engine: Patchbay;
  let sandbox: OAuthSandbox;
  let baseUrl: string;
  let devKey: string;
  let prodKey: string;

  async function call(method: string, path: string, bearer: string, body?: unknown) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  }

  async function session(bearer: string, extra: object = {}): Promise<string> {
    const created = await call('POST', '/v1/connect/sessions', bearer, {
      endUser: { id: 'user-7' },
      ...extra,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.token as string;
  }

  /** Starts an authorization and follows the provider's redirect: the callback URL it gives. */
  async function authorize(token: string, integration = 'sandbox-oauth'): Promise<URL> {
    const start = await call('POST', '/connect/api/oauth/start', token, {
      integration,
      connectionConfig: {},
    });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    const redirect = await fetch(start.body.authorizationUrl as string, { redirect: 'manual' });
    await redirect.arrayBuffer();
    assert.equal(redirect.status, 302);
    return new URL(redirect.headers.get('location') ?? '');
  }

  async function callback(url: URL): Promise<{ status: number; code: string | undefined }> {
    const page = await fetch(url);
    const html = await page.text();
    return { status: page.status, code: /data-error-code="([^"]*)"/.exec(html)?.[1] };
  }

  before(async () => {
    sandbox = await startOAuthSandbox({ clients: [], rotateRefreshTokens: true, requirePkce: true });
    harness = await startLibraryEngine({ config: { providerDirs: FIXTURE_PROVIDERS, role: 'api' }, clock });
    ({ engine, baseUrl, apiKey: devKey } = harness);
    const prod = await engine.services.environments.getEnvironmentByName('prod');
    prodKey = (await engine.services.environments.createKey(prod.id, { name: 'prod' })).secret;
    // The engine listens on a free port, so its callback URL is known only now: it is registered at
    // the provider and set as the integrations' redirect URI.
    sandbox.control.addClient({
      clientId: 'patchbay-app',
      clientSecret: 'sandbox-app-secret-7d1c',
      redirectUris: [`${baseUrl}/connect/oauth/callback`],
    });
    for (const key of [devKey, prodKey]) {
      const created = await call('POST', '/v1/integrations', key, {
        provider: 'sandbox-oauth',
        clientId: 'patchbay-app',
        clientSecret: 'sandbox-app-secret-7d1c',
        settings: {
          baseUrls: { [SANDBOX_ORIGIN]: sandbox.origin },
          redirectUri: `${baseUrl}/connect/oauth/callback`,
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
  });

  after(async () => {
    await harness?.stop();
    await sandbox?.close();
  });

  it('connects when nothing is tampered with (the baseline the other cases break)', async () => {
    const { connectionId } = await connectHeadless({
      engineUrl: baseUrl,
      apiKey: devKey,
      integration: 'sandbox-oauth',
    });
    assert.match(connectionId, /^conn_/);
  });

  it('refuses a replayed state: oauth_state_invalid', async () => {
    const url = await authorize(await session(devKey));
    assert.equal((await callback(url)).status, 200);
    assert.deepEqual(await callback(url), { status: 400, code: 'oauth_state_invalid' });
  });

  it('refuses a made-up state: oauth_state_invalid', async () => {
    const url = await authorize(await session(devKey));
    url.searchParams.set('state', 'x'.repeat(43));
    assert.deepEqual(await callback(url), { status: 400, code: 'oauth_state_invalid' });
  });

  it('fails the exchange when the PKCE verifier does not match the challenge: oauth_exchange_failed', async () => {
    const token = await session(devKey);
    const first = await authorize(token);
    const second = await authorize(token);
    // The first authorization's code, presented with the second one's state (and so its verifier).
    const crossed = new URL(second);
    crossed.searchParams.set('code', first.searchParams.get('code') ?? '');
    assert.deepEqual(await callback(crossed), { status: 400, code: 'oauth_exchange_failed' });
  });

  it('fails the exchange when the PKCE verifier is missing: oauth_exchange_failed', async () => {
    const url = await authorize(await session(devKey));
    // As if the verifier were lost between the redirect and the callback.
    await engine.store.db
      .updateTable('oauth_states')
      .set({ code_verifier: null })
      .where('consumed_at', 'is', null)
      .execute();
    assert.deepEqual(await callback(url), { status: 400, code: 'oauth_exchange_failed' });
  });

  it('fails the exchange when the redirect URI differs from the authorization request: oauth_exchange_failed', async () => {
    const url = await authorize(await session(devKey));
    await engine.store.db
      .updateTable('oauth_states')
      .set({ redirect_uri: `${baseUrl}/connect/oauth/elsewhere` })
      .where('consumed_at', 'is', null)
      .execute();
    assert.deepEqual(await callback(url), { status: 400, code: 'oauth_exchange_failed' });
  });

  it('is refused by the provider when the redirect URI is not registered (no redirect happens)', async () => {
    const changed = await call('PATCH', '/v1/integrations/sandbox-oauth', devKey, {
      settings: {
        baseUrls: { [SANDBOX_ORIGIN]: sandbox.origin },
        redirectUri: 'http://127.0.0.1:9/not-registered',
      },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    try {
      const start = await call('POST', '/connect/api/oauth/start', await session(devKey), {
        integration: 'sandbox-oauth',
        connectionConfig: {},
      });
      const refused = await fetch(start.body.authorizationUrl as string, { redirect: 'manual' });
      await refused.arrayBuffer();
      assert.equal(refused.status, 400);
      assert.equal(refused.headers.get('location'), null);
    } finally {
      await call('PATCH', '/v1/integrations/sandbox-oauth', devKey, {
        settings: {
          baseUrls: { [SANDBOX_ORIGIN]: sandbox.origin },
          redirectUri: `${baseUrl}/connect/oauth/callback`,
        },
      });
    }
  });

  it('refuses an expired session: connect_session_expired', async () => {
    const token = await session(devKey, { ttlSeconds: 60 });
    const url = await authorize(token);
    clock.offset += 2 * 60_000;
    try {
      const start = await call('POST', '/connect/api/oauth/start', token, {
        integration: 'sandbox-oauth',
        connectionConfig: {},
      });
      assert.equal(start.status, 401);
      assert.equal(start.body.error.code, 'connect_session_expired');
      // A callback for an authorization started before the session expired is refused too.
      assert.deepEqual(await callback(url), { status: 401, code: 'connect_session_expired' });
    } finally {
      clock.offset = 0;
    }
  });

  it("refuses another environment's session token, and an API key in its place", async () => {
    const prodSession = await session(prodKey);
    // The prod session cannot see dev's connections, nor create sessions (it is not an API key).
    const asKey = await call('GET', '/v1/connections', prodSession);
    assert.equal(asKey.status, 401);
    assert.equal(asKey.body.error.code, 'invalid_api_key');
    // A dev API key is not a session token.
    const asSession = await call('GET', '/connect/api/session', devKey);
    assert.equal(asSession.status, 401);
    assert.equal(asSession.body.error.code, 'connect_session_invalid');
    // A prod session only reaches prod's integrations: dev's connection ids are unknown to it.
    const dev = await connectHeadless({ engineUrl: baseUrl, apiKey: devKey, integration: 'sandbox-oauth' });
    const reconnect = await call('POST', '/v1/connect/sessions', prodKey, {
      endUser: { id: 'end-user-1' },
      connectionId: dev.connectionId,
    });
    assert.equal(reconnect.status, 404);
    assert.equal(reconnect.body.error.code, 'not_found');
  });

  describe('Shopify install', () => {
    const secret = 'shopify-app-secret-4b9e';
    let integrationId: string;

    /** An install query signed the way Shopify signs it: HMAC-SHA256 hex of the sorted `k=v&…`. */
    function signedInstall(params: Record<string, string>, key = secret): URLSearchParams {
      const message = Object.keys(params)
        .sort()
        .map((name) => `${name}=${params[name]}`)
        .join('&');
      return new URLSearchParams({
        ...params,
        hmac: createHmac('sha256', key).update(message).digest('hex'),
      });
    }

    before(async () => {
      const created = await call('POST', '/v1/integrations', devKey, {
        provider: 'shopify',
        clientId: 'shopify-app',
        clientSecret: secret,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      integrationId = created.body.id as string;
    });

    async function install(query: URLSearchParams) {
      const response = await fetch(`${baseUrl}/connect/install/${integrationId}?${query}`, {
        redirect: 'manual',
      });
      const html = await response.text();
      return {
        status: response.status,
        location: response.headers.get('location'),
        code: /data-error-code="([^"]*)"/.exec(html)?.[1],
      };
    }

    /** What Shopify sends, signed just now (by the engine's clock). */
    const genuine = () => ({
      host: 'YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ',
      shop: 'acme.myshopify.com',
      timestamp: String(Math.floor(clock.now() / 1000)),
    });

    it('sends a genuine install on to the provider, bound to a session for the shop', async () => {
      const answer = await install(signedInstall(genuine()));
      assert.equal(answer.status, 302);
      const target = new URL(answer.location ?? '');
      assert.equal(target.origin, 'https://acme.myshopify.com');
      assert.equal(target.pathname, '/admin/oauth/authorize');
      assert.equal(target.searchParams.get('client_id'), 'shopify-app');
      assert.ok(target.searchParams.get('state'));
      const session = await engine.store.db
        .selectFrom('connect_sessions')
        .select(['end_user_id', 'allowed_integrations'])
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      assert.equal(session.end_user_id, 'acme.myshopify.com');
      assert.deepEqual(JSON.parse(session.allowed_integrations ?? 'null'), ['shopify']);
    });

    it('refuses a tampered query, a wrong key and a missing signature: install_signature_invalid', async () => {
      const tampered = signedInstall(genuine());
      tampered.set('shop', 'evil.myshopify.com');
      assert.deepEqual(await install(tampered), {
        status: 401,
        location: null,
        code: 'install_signature_invalid',
      });
      assert.deepEqual(await install(signedInstall(genuine(), 'not-the-secret')), {
        status: 401,
        location: null,
        code: 'install_signature_invalid',
      });
      const unsigned = signedInstall(genuine());
      unsigned.delete('hmac');
      assert.equal((await install(unsigned)).code, 'install_signature_invalid');
    });

    it('refuses a genuine install replayed a year later: install_timestamp_invalid', async () => {
      const yearOld = { ...genuine(), timestamp: String(Math.floor(clock.now() / 1000) - 365 * 86_400) };
      assert.deepEqual(await install(signedInstall(yearOld)), {
        status: 401,
        location: null,
        code: 'install_timestamp_invalid',
      });
    });

    it('refuses a correctly signed shop that is not a Shopify shop domain: validation_failed', async () => {
      const answer = await install(signedInstall({ ...genuine(), shop: 'acme.example.com' }));
      assert.deepEqual(answer, { status: 400, location: null, code: 'validation_failed' });
    });

    it('answers not_found for an unknown integration', async () => {
      const response = await fetch(`${baseUrl}/connect/install/int_01jd0000000000000000000000?shop=x`);
      await response.text();
      assert.equal(response.status, 404);
    });
  });
});
