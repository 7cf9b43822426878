// biome-ignore-all lint/suspicious/noTemplateCurlyInString: provider definition templates are `${name}` strings
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sqliteTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import type { AuthConfig } from '../catalog/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { ConnectionContext, Credentials, ResolvedIntegration } from '../ports/connections.ts';
import { type AuthFixture, openAuthFixture, testDefinition } from './fixtures/auth-fixture.ts';
import { startTokenServer, type TokenServer } from './fixtures/token-server.ts';

describe('revocation', () => {
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
    server.answer = () => ({ status: 200, body: '' });
  });
  after(async () => {
    await server?.close();
    await f?.store.close();
    await database?.destroy();
  });

  function provider(auth: Partial<AuthConfig<'oauth2'>>): ResolvedIntegration {
    return f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: `${server.origin}/authorize`,
          tokenUrl: `${server.origin}/token`,
          refresh: true,
          ...auth,
        } as AuthConfig<'oauth2'>,
        baseUrl: `${server.origin}/api`,
        connectionConfig: [{ key: 'shop', label: 'Shop', example: 'acme' }],
      }),
      { clientId: 'app-id', clientSecret: 'app-secret' },
    );
  }

  function connection(integration: ResolvedIntegration, credentials: Credentials): ConnectionContext {
    return {
      id: 'conn_01',
      environmentId: f.environmentId,
      status: 'active',
      endUserId: 'user-1',
      connectionConfig: { shop: 'acme' },
      metadata: { accountId: 'acct_42' },
      integration,
      credentials,
      expiresAt: null,
      updatedAt: f.clock.now(),
    };
  }

  it('posts the refresh token per RFC 7009 with client authentication', async () => {
    const integration = provider({ revokeUrl: `${server.origin}/revoke` });
    const result = await f.auth.revoke(
      connection(integration, { type: 'oauth2', accessToken: 'at-1', refreshToken: 'rt-1' }),
    );
    assert.deepEqual(result, { revoked: true });
    const request = server.requests[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/revoke');
    assert.match(String(request.headers['content-type']), /^application\/x-www-form-urlencoded/);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request.body)), {
      token: 'rt-1',
      token_type_hint: 'refresh_token',
      client_id: 'app-id',
      client_secret: 'app-secret',
    });
  });

  it('revokes the access token when there is no refresh token, with basic client auth', async () => {
    const integration = provider({
      revokeUrl: `${server.origin}/revoke`,
      tokenEndpointAuth: 'client_secret_basic',
    });
    await f.auth.revoke(connection(integration, { type: 'oauth2', accessToken: 'at-2' }));
    const request = server.requests[0]!;
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request.body)), {
      token: 'at-2',
      token_type_hint: 'access_token',
    });
    assert.equal(
      request.headers.authorization,
      `Basic ${Buffer.from('app%2Did:app%2Dsecret').toString('base64')}`,
    );
  });

  it('sends a definition revokeRequest exactly as written (form, JSON, DELETE with the token in the path)', async () => {
    const stripe = provider({
      revokeUrl: `${server.origin}/oauth/deauthorize`,
      revokeRequest: {
        method: 'POST',
        format: 'form',
        body: { client_id: '${clientId}', stripe_user_id: '${accountId}' },
        headers: { Authorization: 'Bearer ${clientSecret}' },
      },
      connectionMetadata: {
        tokenResponse: { accountId: { path: 'stripe_user_id', example: 'acct_1', secret: false } },
      },
    });
    assert.deepEqual(await f.auth.revoke(connection(stripe, { type: 'oauth2', accessToken: 'at' })), {
      revoked: true,
    });
    let request = server.requests.at(-1)!;
    assert.equal(request.headers.authorization, 'Bearer app-secret');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request.body)), {
      client_id: 'app-id',
      stripe_user_id: 'acct_42',
    });

    const square = provider({
      revokeUrl: `${server.origin}/oauth2/revoke`,
      revokeRequest: {
        method: 'POST',
        format: 'json',
        body: { client_id: '${clientId}', access_token: '${accessToken}' },
        headers: { Authorization: 'Client ${clientSecret}' },
      },
    });
    await f.auth.revoke(connection(square, { type: 'oauth2', accessToken: 'EAAA-tok' }));
    request = server.requests.at(-1)!;
    assert.deepEqual(JSON.parse(request.body), { client_id: 'app-id', access_token: 'EAAA-tok' });
    assert.equal(request.headers.authorization, 'Client app-secret');

    const hubspot = provider({
      revokeUrl: `${server.origin}/oauth/v1/refresh-tokens/\${refreshToken}`,
      revokeRequest: { method: 'DELETE', format: 'none', body: {}, headers: {} },
    });
    server.answer = () => ({ status: 204 });
    await f.auth.revoke(
      connection(hubspot, { type: 'oauth2', accessToken: 'at', refreshToken: 'rt/with slash' }),
    );
    request = server.requests.at(-1)!;
    assert.equal(request.method, 'DELETE');
    assert.equal(request.path, '/oauth/v1/refresh-tokens/rt%2Fwith%20slash');
    assert.equal(request.body, '');
  });

  it('answers revoked: false without a revoke URL, and for key-based connections', async () => {
    const integration = provider({});
    assert.deepEqual(await f.auth.revoke(connection(integration, { type: 'oauth2', accessToken: 'at' })), {
      revoked: false,
    });
    assert.equal(server.requests.length, 0);
  });

  it('reports refusals and outages with stable codes', async () => {
    const integration = provider({ revokeUrl: `${server.origin}/revoke` });
    server.answer = () => ({ status: 400, body: { error: 'unsupported_token_type' } });
    await assert.rejects(
      f.auth.revoke(connection(integration, { type: 'oauth2', accessToken: 'at' })),
      (error: unknown) => {
        assert.ok(isPatchbayError(error, 'credentials_rejected'));
        assert.deepEqual(error.details, { stage: 'revoke', status: 400, error: 'unsupported_token_type' });
        return true;
      },
    );
    server.answer = () => ({ status: 503, body: 'down' });
    await assert.rejects(
      f.auth.revoke(connection(integration, { type: 'oauth2', accessToken: 'at' })),
      (error: unknown) => isPatchbayError(error, 'provider_unreachable'),
    );
  });
});
