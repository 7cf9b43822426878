// biome-ignore-all lint/suspicious/noTemplateCurlyInString: provider definition templates are `${name}` strings
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sqliteTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { ConnectionContext, Credentials, ResolvedIntegration } from '../ports/connections.ts';
import { type AuthFixture, openAuthFixture, testDefinition } from './fixtures/auth-fixture.ts';
import { startTokenServer, type TokenServer } from './fixtures/token-server.ts';

const API_KEY = 'sk_test_51HkeyValue0123456789';

function rejectsWith(code: string, check?: (details: Record<string, unknown>, message: string) => void) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    check?.((error.details ?? {}) as Record<string, unknown>, error.message);
    return true;
  };
}

describe('key-based modes: connect with credentials and test', () => {
  let database: TestDatabase;
  let f: AuthFixture;
  let apiKey: ResolvedIntegration;
  let server: TokenServer;

  before(async () => {
    database = sqliteTestDatabase();
    f = await openAuthFixture(database);
    server = await startTokenServer();
    apiKey = f.addIntegration(
      testDefinition({
        auth: {
          mode: 'api_key',
          fields: [
            { key: 'apiKey', label: 'API key', secret: true, pattern: '^sk_(test|live)_[A-Za-z0-9]{10,}$' },
            { key: 'accountId', label: 'Account', secret: false },
            { key: 'publishableKey', label: 'Publishable key', secret: false, required: false },
          ],
          test: { method: 'GET', path: '/regions/${region}/me', expectedStatus: 200 },
        },
        baseUrl: 'https://api.acme.example.com',
        proxyHeaders: { Authorization: 'Bearer ${apiKey}' },
        connectionConfig: [
          {
            key: 'region',
            label: 'Region',
            example: 'eu',
            options: [
              { value: 'eu', label: 'EU' },
              { value: 'us', label: 'US' },
            ],
          },
        ],
      }),
      { clientId: null, clientSecret: null },
    );
  });
  beforeEach(() => {
    f.caller.calls.length = 0;
    f.caller.status = 200;
  });
  after(async () => {
    await server?.close();
    await f?.store.close();
    await database?.destroy();
  });

  it('accepts an API key the provider accepts, testing it through the ProviderCaller', async () => {
    const result = await f.auth.connectWithCredentials({
      integration: apiKey,
      environmentId: f.environmentId,
      connectionConfig: { region: 'eu' },
      values: { apiKey: API_KEY, accountId: 'acct 1/2' },
    });
    assert.deepEqual(result, {
      credentials: { type: 'api_key', values: { apiKey: API_KEY, accountId: 'acct 1/2' } },
      // The non-secret field is readable as metadata; the secret one never is.
      metadata: { accountId: 'acct 1/2' },
    });
    assert.equal(f.caller.calls.length, 1);
    const [call] = f.caller.calls;
    assert.equal(call?.target.connectionId, null);
    assert.equal(call?.target.environmentId, f.environmentId);
    assert.deepEqual(call?.target.credentials, result.credentials);
    assert.deepEqual(call?.target.connectionConfig, { region: 'eu' });
    assert.deepEqual(call?.request, { method: 'GET', path: '/regions/eu/me' });
  });

  it('takes an optional field when given, and keeps every non-secret value as metadata', async () => {
    const values = { apiKey: API_KEY, accountId: 'a1', publishableKey: 'pk_test_1' };
    const result = await f.auth.connectWithCredentials({
      integration: apiKey,
      environmentId: f.environmentId,
      connectionConfig: { region: 'us' },
      values,
    });
    assert.deepEqual(result, {
      credentials: { type: 'api_key', values },
      metadata: { accountId: 'a1', publishableKey: 'pk_test_1' },
    });
  });

  it('refuses an API key the provider rejects with credentials_rejected, without echoing it', async () => {
    f.caller.status = 401;
    await assert.rejects(
      f.auth.connectWithCredentials({
        integration: apiKey,
        environmentId: f.environmentId,
        connectionConfig: { region: 'eu' },
        values: { apiKey: API_KEY, accountId: 'a1' },
      }),
      rejectsWith('credentials_rejected', (details, message) => {
        assert.deepEqual(details, { status: 401 });
        assert.equal(`${message}${JSON.stringify(details)}`.includes(API_KEY), false);
      }),
    );
  });

  it('checks values against the fields before calling anyone', async () => {
    await assert.rejects(
      f.auth.connectWithCredentials({
        integration: apiKey,
        environmentId: f.environmentId,
        connectionConfig: { region: 'mars' },
        values: { apiKey: 'not-a-key', extra: 'x' },
      }),
      rejectsWith('validation_failed', (details, message) => {
        assert.deepEqual(
          (details.issues as Array<{ in: string; path: string; code: string }>).map(
            (i) => `${i.in}.${i.path}:${i.code}`,
          ),
          ['connectionConfig.region:option'],
        );
        assert.equal(message.includes('mars'), false);
      }),
    );
    await assert.rejects(
      f.auth.connectWithCredentials({
        integration: apiKey,
        environmentId: f.environmentId,
        connectionConfig: { region: 'us' },
        values: { apiKey: 'not-a-key', extra: 'x' },
      }),
      rejectsWith('validation_failed', (details, message) => {
        assert.deepEqual(
          (details.issues as Array<{ in: string; path: string; code: string }>).map(
            (i) => `${i.in}.${i.path}:${i.code}`,
          ),
          ['credentials.extra:unknown', 'credentials.apiKey:pattern', 'credentials.accountId:required'],
        );
        assert.equal(message.includes('not-a-key'), false);
      }),
    );
    assert.equal(f.caller.calls.length, 0);
  });

  it('refuses an integration of another environment as not_found', async () => {
    await assert.rejects(
      f.auth.connectWithCredentials({
        integration: apiKey,
        environmentId: 'env_other',
        connectionConfig: { region: 'eu' },
        values: { apiKey: API_KEY, accountId: 'a1' },
      }),
      rejectsWith('not_found'),
    );
  });

  it('connects basic auth (username and password) and tests it', async () => {
    const basic = f.addIntegration(
      testDefinition({
        auth: {
          mode: 'basic',
          username: { label: 'Consumer key', secret: false, pattern: '^ck_[a-f0-9]{8}$' },
          password: { label: 'Consumer secret' },
          test: { path: '/wp-json/wc/v3/system_status' },
        },
        baseUrl: 'https://shop.example.com',
        proxyHeaders: {},
        basicAuth: { username: '${username}', password: '${password}' },
      }),
    );
    const result = await f.auth.connectWithCredentials({
      integration: basic,
      environmentId: f.environmentId,
      connectionConfig: {},
      values: { username: 'ck_0123abcd', password: 'cs_secret' },
    });
    assert.deepEqual(result.credentials, { type: 'basic', username: 'ck_0123abcd', password: 'cs_secret' });
    assert.deepEqual(f.caller.calls[0]?.request, { method: 'GET', path: '/wp-json/wc/v3/system_status' });
    f.caller.status = 403;
    await assert.rejects(
      f.auth.connectWithCredentials({
        integration: basic,
        environmentId: f.environmentId,
        connectionConfig: {},
        values: { username: 'ck_0123abcd', password: 'wrong' },
      }),
      rejectsWith('credentials_rejected', (details) => assert.deepEqual(details, { status: 403 })),
    );
  });

  it('connects a provider without auth, with no test call', async () => {
    const none = f.addIntegration(
      testDefinition({ auth: { mode: 'none' }, baseUrl: 'https://hooks.example.com', proxyHeaders: {} }),
    );
    const result = await f.auth.connectWithCredentials({
      integration: none,
      environmentId: f.environmentId,
      connectionConfig: {},
      values: {},
    });
    assert.deepEqual(result, { credentials: { type: 'none' }, metadata: {} });
    assert.equal(f.caller.calls.length, 0);
  });

  it('refuses OAuth integrations (they connect through the redirect)', async () => {
    const oauth = f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: 'https://acme.example.com/authorize',
          tokenUrl: 'https://acme.example.com/token',
          refresh: false,
        },
        baseUrl: 'https://api.acme.example.com',
      }),
    );
    await assert.rejects(
      f.auth.connectWithCredentials({
        integration: oauth,
        environmentId: f.environmentId,
        connectionConfig: {},
        values: {},
      }),
      rejectsWith('auth_mode_unsupported'),
    );
    await assert.rejects(
      f.auth.startAuthorization({ session: f.session(), integration: apiKey, connectionConfig: {} }),
      rejectsWith('auth_mode_unsupported'),
    );
  });

  function connection(
    integration: ResolvedIntegration,
    credentials: Credentials,
    extra: Partial<ConnectionContext> = {},
  ): ConnectionContext {
    return {
      id: 'conn_01',
      environmentId: f.environmentId,
      status: 'active',
      endUserId: 'user-1',
      connectionConfig: { region: 'eu' },
      metadata: {},
      integration,
      credentials,
      expiresAt: null,
      updatedAt: f.clock.now(),
      ...extra,
    };
  }

  it('tests a stored connection with the definition test call', async () => {
    const stored = connection(apiKey, { type: 'api_key', values: { apiKey: API_KEY, accountId: 'a1' } });
    assert.deepEqual(await f.auth.test(stored), { ok: true, status: 200 });
    assert.equal(f.caller.calls[0]?.target.connectionId, 'conn_01');
    f.caller.status = 401;
    const refused = await f.auth.test(stored);
    assert.deepEqual(refused.ok === false && { status: refused.status, code: refused.code }, {
      status: 401,
      code: 'credentials_rejected',
    });
  });

  it('tests an OAuth connection with its metadata request, or says test_unsupported', async () => {
    server.answer = (request) =>
      request.headers.authorization === 'OAuth good-token'
        ? { status: 200, body: { dc: 'us6' } }
        : { status: 401, body: { error: 'invalid_token' } };
    const withRequest = f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: `${server.origin}/authorize`,
          tokenUrl: `${server.origin}/token`,
          refresh: false,
          connectionMetadata: {
            request: {
              url: `${server.origin}/oauth2/metadata`,
              headers: { Authorization: 'OAuth ${accessToken}' },
              fields: { dc: { path: 'dc', example: 'us6' } },
            },
          },
        },
        baseUrl: 'https://${dc}.api.example.com/3.0',
      }),
    );
    assert.deepEqual(
      await f.auth.test(connection(withRequest, { type: 'oauth2', accessToken: 'good-token' })),
      {
        ok: true,
        status: 200,
      },
    );
    const bad = await f.auth.test(connection(withRequest, { type: 'oauth2', accessToken: 'bad-token' }));
    assert.deepEqual(bad.ok === false && { status: bad.status, code: bad.code }, {
      status: 401,
      code: 'credentials_rejected',
    });

    const without = f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: 'https://acme.example.com/authorize',
          tokenUrl: 'https://acme.example.com/token',
          refresh: false,
        },
        baseUrl: 'https://api.acme.example.com',
      }),
    );
    const unsupported = await f.auth.test(connection(without, { type: 'oauth2', accessToken: 't' }));
    assert.deepEqual(unsupported.ok === false && { status: unsupported.status, code: unsupported.code }, {
      status: null,
      code: 'test_unsupported',
    });
  });
});
