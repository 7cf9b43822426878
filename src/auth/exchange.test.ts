// biome-ignore-all lint/suspicious/noTemplateCurlyInString: provider definition templates are `${name}` strings
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sqliteTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import type { AuthConfig } from '../catalog/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import { type AuthFixture, CALLBACK_URL, openAuthFixture, testDefinition } from './fixtures/auth-fixture.ts';
import { startTokenServer, type TokenServer } from './fixtures/token-server.ts';

const SECRET = 'app-client-secret-Q93mz';
const CODE = 'auth-code-7c1f2e';

describe('code exchange against providers that are not spec-perfect', () => {
  let database: TestDatabase;
  let f: AuthFixture;
  let server: TokenServer;

  before(async () => {
    database = sqliteTestDatabase();
    f = await openAuthFixture(database);
    server = await startTokenServer();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });
  after(async () => {
    await server?.close();
    await f?.store.close();
    await database?.destroy();
  });

  function provider(
    auth: Partial<AuthConfig<'oauth2'>>,
    baseUrl = `${server.origin}/api`,
  ): ResolvedIntegration {
    return f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: `${server.origin}/authorize`,
          tokenUrl: `${server.origin}/token`,
          refresh: false,
          ...auth,
        } as AuthConfig<'oauth2'>,
        baseUrl,
      }),
      { clientId: 'app-client', clientSecret: SECRET },
    );
  }

  async function callbackFor(integration: ResolvedIntegration): Promise<URL> {
    const start = await f.auth.startAuthorization({
      session: f.session(),
      integration,
      connectionConfig: {},
    });
    const state = new URL(start.authorizationUrl).searchParams.get('state')!;
    return new URL(`${CALLBACK_URL}?code=${CODE}&state=${encodeURIComponent(state)}`);
  }

  it('reads a Shopify-style response (no token_type) and posts the code with client_secret_post', async () => {
    server.answer = () => ({
      status: 200,
      body: { access_token: 'shpat_abc', scope: 'read_orders,read_products' },
    });
    const integration = provider({});
    const result = await f.auth.completeAuthorization(await callbackFor(integration));
    assert.deepEqual(result.credentials, {
      type: 'oauth2',
      accessToken: 'shpat_abc',
      scope: 'read_orders,read_products',
    });
    assert.deepEqual(result.metadata, {});
    const body = Object.fromEntries(new URLSearchParams(server.requests[0]?.body));
    assert.deepEqual(body, {
      grant_type: 'authorization_code',
      code: CODE,
      redirect_uri: CALLBACK_URL,
      client_id: 'app-client',
      client_secret: SECRET,
    });
  });

  it('reads metadata from the token response (nested paths, secret fields left out) and the metadata request', async () => {
    server.answer = (request) => {
      if (request.path === '/token') {
        return {
          status: 200,
          body: {
            ok: true,
            access_token: 'xoxb-token-1',
            token_type: 'bot',
            team: { id: 'T0123', name: 'Acme' },
            page_token: 'EAAGsecret',
            livemode: true,
          },
        };
      }
      if (
        request.path === '/oauth2/metadata?team=T0123' &&
        request.headers.authorization === 'OAuth xoxb-token-1'
      ) {
        return { status: 200, body: { dc: 'us6', accountname: 'Acme Records', page_secret: 'EAAGpage2' } };
      }
      return { status: 401, body: { error: 'invalid_token' } };
    };
    const integration = provider({
      tokenResponse: { okPath: 'ok' } as AuthConfig<'oauth2'>['tokenResponse'],
      connectionMetadata: {
        tokenResponse: {
          teamId: { path: 'team.id', example: 'T1', secret: false },
          pageToken: { path: 'page_token', example: 'EAAG', secret: true },
          livemode: { path: 'livemode', example: 'true', secret: false },
        },
        request: {
          method: 'GET',
          url: `${server.origin}/oauth2/metadata?team=\${teamId}`,
          headers: { Authorization: 'OAuth ${accessToken}' },
          fields: {
            dc: { path: 'dc', example: 'us6', secret: false },
            accountName: { path: 'accountname', example: 'A', secret: false },
            pageSecret: { path: 'page_secret', example: 'EAAG', secret: true },
          },
        },
      },
    });
    const result = await f.auth.completeAuthorization(await callbackFor(integration));
    assert.deepEqual(result.metadata, {
      teamId: 'T0123',
      livemode: 'true',
      dc: 'us6',
      accountName: 'Acme Records',
    });
    // Secret fields are derived credentials: kept with the tokens (encrypted), usable by the proxy.
    assert.equal(result.credentials.type, 'oauth2');
    assert.deepEqual(result.credentials.type === 'oauth2' && result.credentials.secrets, {
      pageToken: 'EAAGsecret',
      pageSecret: 'EAAGpage2',
    });
    assert.equal(server.requests.length, 2);
  });

  it('fails with oauth_exchange_failed (502) when the metadata request is refused', async () => {
    server.answer = (request) =>
      request.path === '/token'
        ? { status: 200, body: { access_token: 'tok', token_type: 'bearer' } }
        : { status: 403, body: { error: 'forbidden' } };
    const integration = provider({
      connectionMetadata: {
        request: {
          method: 'GET',
          url: `${server.origin}/whoami`,
          headers: { Authorization: 'Bearer ${accessToken}' },
          fields: { userId: { path: 'id', example: 'u1', secret: false } },
        },
      },
    });
    await assert.rejects(f.auth.completeAuthorization(await callbackFor(integration)), (error: unknown) => {
      assert.ok(isPatchbayError(error, 'oauth_exchange_failed'));
      assert.equal(error.status, 502);
      assert.deepEqual(error.details, { stage: 'metadata', status: 403 });
      return true;
    });
  });

  it('sends JSON token requests and reads expires_at (Square style)', async () => {
    server.answer = () => ({
      status: 200,
      body: {
        access_token: 'EAAA1',
        token_type: 'bearer',
        expires_at: '2026-01-31T00:00:00Z',
        refresh_token: 'r1',
        merchant_id: 'ML2P',
      },
    });
    const integration = provider({
      tokenRequestFormat: 'json',
      refresh: true,
      tokenResponse: { expiresAtPath: 'expires_at' } as AuthConfig<'oauth2'>['tokenResponse'],
      connectionMetadata: {
        tokenResponse: { merchantId: { path: 'merchant_id', example: 'M', secret: false } },
      },
    });
    const result = await f.auth.completeAuthorization(await callbackFor(integration));
    assert.deepEqual(result.credentials, {
      type: 'oauth2',
      accessToken: 'EAAA1',
      refreshToken: 'r1',
      expiresAt: Date.parse('2026-01-31T00:00:00Z'),
      tokenType: 'bearer',
    });
    assert.deepEqual(result.metadata, { merchantId: 'ML2P' });
    assert.deepEqual(JSON.parse(server.requests[0]!.body), {
      grant_type: 'authorization_code',
      code: CODE,
      redirect_uri: CALLBACK_URL,
      client_id: 'app-client',
      client_secret: SECRET,
    });
  });

  it('reports a refused code as oauth_exchange_failed with the OAuth error, never the secret or the code', async () => {
    server.answer = () => ({
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: `code ${CODE} is invalid for client secret ${SECRET}`,
      },
    });
    await assert.rejects(f.auth.completeAuthorization(await callbackFor(provider({}))), (error: unknown) => {
      assert.ok(isPatchbayError(error, 'oauth_exchange_failed'));
      assert.equal(error.status, 400);
      assert.deepEqual(error.details, { status: 400, error: 'invalid_grant' });
      const shown = `${error.message} ${JSON.stringify(error.details)}`;
      assert.equal(shown.includes(SECRET) || shown.includes(CODE), false);
      return true;
    });
    const logged = f.logs.text();
    assert.equal(logged.includes(SECRET) || logged.includes(CODE), false);
  });

  it('reports an unavailable token endpoint as provider_unreachable (502)', async () => {
    server.answer = () => ({ status: 503, body: 'maintenance' });
    await assert.rejects(f.auth.completeAuthorization(await callbackFor(provider({}))), (error: unknown) => {
      assert.ok(isPatchbayError(error, 'provider_unreachable'));
      assert.equal(error.status, 502);
      return true;
    });
  });

  it('validates connection config before storing a state', async () => {
    const regional = f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: 'https://${loginHost}/services/oauth2/authorize',
          tokenUrl: 'https://${loginHost}/services/oauth2/token',
          refresh: true,
          pkce: true,
        },
        baseUrl: 'https://api.example.com',
        connectionConfig: [
          {
            key: 'loginHost',
            label: 'Login host',
            example: 'login.salesforce.com',
            default: 'login.salesforce.com',
            options: [
              { value: 'login.salesforce.com', label: 'Production' },
              { value: 'test.salesforce.com', label: 'Sandbox' },
            ],
          },
        ],
      }),
    );
    const before = await f.store.db.selectFrom('oauth_states').select('state_hash').execute();
    await assert.rejects(
      f.auth.startAuthorization({
        session: f.session(),
        integration: regional,
        connectionConfig: { loginHost: 'evil.com' },
      }),
      (error: unknown) => {
        assert.ok(isPatchbayError(error, 'validation_failed'));
        assert.deepEqual(error.details, {
          issues: [
            {
              in: 'connectionConfig',
              path: 'loginHost',
              message: 'Login host must be one of the offered options',
              code: 'option',
            },
          ],
        });
        return true;
      },
    );
    assert.equal(
      (await f.store.db.selectFrom('oauth_states').select('state_hash').execute()).length,
      before.length,
    );
    // The default applies when the field is left out.
    const start = await f.auth.startAuthorization({
      session: f.session(),
      integration: regional,
      connectionConfig: {},
    });
    assert.ok(start.authorizationUrl.startsWith('https://login.salesforce.com/services/oauth2/authorize?'));
  });

  it('refuses a session of another environment as not_found', async () => {
    const session = { ...f.session(), environmentId: 'env_other' };
    await assert.rejects(
      f.auth.startAuthorization({ session, integration: provider({}), connectionConfig: {} }),
      (error: unknown) => isPatchbayError(error, 'not_found'),
    );
  });
});
