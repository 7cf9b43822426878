import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sqliteTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import type { AuthConfig } from '../catalog/index.ts';
import { PatchbayError } from '../errors/index.ts';
import type { Credentials, ResolvedIntegration } from '../ports/connections.ts';
import { type AuthFixture, openAuthFixture, testDefinition } from './fixtures/auth-fixture.ts';
import { startTokenServer, type TokenServer } from './fixtures/token-server.ts';

type OAuth2Input = Partial<Omit<AuthConfig<'oauth2'>, 'tokenResponse'>> & {
  tokenResponse?: Partial<AuthConfig<'oauth2'>['tokenResponse']>;
};

/** RFC 6749 §2.3.1: the id and secret are form-encoded before base64, so a server decodes both. */
function basicCredentials(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const [id = '', secret = ''] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  const decode = (part: string) => decodeURIComponent(part.replaceAll('+', ' '));
  return `${decode(id)}:${decode(secret)}`;
}

const TOKENS: Credentials = { type: 'oauth2', accessToken: 'old-access', refreshToken: 'old-refresh-1' };

describe('TokenRefresher against a hand-written token endpoint', () => {
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

  function oauthIntegration(
    auth: OAuth2Input = {},
    config?: Parameters<typeof testDefinition>[0]['connectionConfig'],
  ): ResolvedIntegration {
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
        ...(config ? { connectionConfig: config } : {}),
      }),
      { clientId: 'cid', clientSecret: 'csecret' },
    );
  }

  it('refreshes with rotation: new access and refresh tokens, expiry from expires_in', async () => {
    server.answer = () => ({
      status: 200,
      body: {
        access_token: 'new-access',
        refresh_token: 'new-refresh-2',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'a b',
      },
    });
    const outcome = await f.auth.refresh(oauthIntegration(), TOKENS);
    assert.deepEqual(outcome, {
      ok: true,
      credentials: {
        type: 'oauth2',
        accessToken: 'new-access',
        refreshToken: 'new-refresh-2',
        expiresAt: f.clock.now() + 3600_000,
        tokenType: 'Bearer',
        scope: 'a b',
      },
    });
    const [request] = server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/token');
    const body = new URLSearchParams(request?.body);
    assert.equal(body.get('grant_type'), 'refresh_token');
    assert.equal(body.get('refresh_token'), 'old-refresh-1');
    // client_secret_post is the oauth2 default.
    assert.equal(body.get('client_id'), 'cid');
    assert.equal(body.get('client_secret'), 'csecret');
    assert.equal(request?.headers.authorization, undefined);
  });

  it('keeps the old refresh token when the provider does not rotate, and applies tokenExpiresInDefault', async () => {
    server.answer = () => ({ status: 200, body: { access_token: 'new-access', token_type: 'bearer' } });
    const outcome = await f.auth.refresh(oauthIntegration({ tokenExpiresInDefault: 1800 }), TOKENS);
    assert.ok(outcome.ok && outcome.credentials.type === 'oauth2');
    assert.equal(outcome.credentials.refreshToken, 'old-refresh-1');
    assert.equal(outcome.credentials.expiresAt, f.clock.now() + 1800_000);
  });

  it('authenticates with HTTP basic when tokenEndpointAuth is client_secret_basic', async () => {
    server.answer = () => ({
      status: 200,
      body: { access_token: 'x', token_type: 'bearer', expires_in: 60 },
    });
    await f.auth.refresh(oauthIntegration({ tokenEndpointAuth: 'client_secret_basic' }), TOKENS);
    const request = server.requests[0]!;
    assert.equal(basicCredentials(request.headers.authorization), 'cid:csecret');
    assert.equal(new URLSearchParams(request.body).has('client_secret'), false);
  });

  for (const error of ['invalid_grant', 'unauthorized_client', 'invalid_client']) {
    it(`classifies a 400 ${error} as rejected`, async () => {
      server.answer = () => ({ status: 400, body: { error, error_description: 'Token is not active' } });
      const outcome = await f.auth.refresh(oauthIntegration(), TOKENS);
      assert.deepEqual(outcome.ok === false && { kind: outcome.kind, code: outcome.code }, {
        kind: 'rejected',
        code: error,
      });
    });
  }

  it('classifies a 401 with a WWW-Authenticate OAuth error as rejected', async () => {
    server.answer = () => ({
      status: 401,
      body: { error: 'invalid_client' },
      headers: { 'www-authenticate': 'Basic realm="token", error="invalid_client"' },
    });
    const outcome = await f.auth.refresh(oauthIntegration(), TOKENS);
    assert.deepEqual(outcome.ok === false && { kind: outcome.kind, code: outcome.code }, {
      kind: 'rejected',
      code: 'invalid_client',
    });
  });

  it('classifies a 503 as transient with Retry-After seconds', async () => {
    server.answer = () => ({ status: 503, body: 'down for maintenance', headers: { 'retry-after': '7' } });
    const outcome = await f.auth.refresh(oauthIntegration(), TOKENS);
    assert.deepEqual(
      outcome.ok === false &&
        outcome.kind === 'transient' && { kind: outcome.kind, retryAfterMs: outcome.retryAfterMs },
      {
        kind: 'transient',
        retryAfterMs: 7000,
      },
    );
  });

  it('classifies a 429 as transient with a Retry-After HTTP date, read against the clock', async () => {
    const at = new Date(f.clock.now() + 30_000).toUTCString();
    server.answer = () => ({ status: 429, body: { error: 'rate_limited' }, headers: { 'retry-after': at } });
    const outcome = await f.auth.refresh(oauthIntegration(), TOKENS);
    assert.deepEqual(
      outcome.ok === false &&
        outcome.kind === 'transient' && {
          kind: outcome.kind,
          code: outcome.code,
          retryAfterMs: outcome.retryAfterMs,
        },
      {
        kind: 'transient',
        code: 'rate_limited',
        retryAfterMs: 30_000,
      },
    );
  });

  it('classifies a 500 without Retry-After as transient without a delay', async () => {
    server.answer = () => ({ status: 500, body: { error: 'server_error' } });
    const outcome = await f.auth.refresh(oauthIntegration(), TOKENS);
    assert.equal(outcome.ok === false && outcome.kind, 'transient');
    assert.equal(outcome.ok === false && outcome.kind === 'transient' && outcome.retryAfterMs, undefined);
  });

  it('classifies a network error as transient', async () => {
    const integration = f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: 'http://127.0.0.1:1/authorize',
          tokenUrl: 'http://127.0.0.1:1/token',
          refresh: true,
        },
        baseUrl: 'http://127.0.0.1:1/api',
      }),
    );
    const outcome = await f.auth.refresh(integration, TOKENS);
    assert.deepEqual(outcome.ok === false && { kind: outcome.kind, code: outcome.code }, {
      kind: 'transient',
      code: 'provider_unreachable',
    });
  });

  it('classifies a 200 without an access token as transient, never rejected', async () => {
    server.answer = () => ({ status: 200, body: { token_type: 'bearer' } });
    const outcome = await f.auth.refresh(oauthIntegration(), TOKENS);
    assert.deepEqual(outcome.ok === false && { kind: outcome.kind, code: outcome.code }, {
      kind: 'transient',
      code: 'invalid_token_response',
    });
  });

  it('classifies an OAuth error in a 200 body (GitHub style) as rejected', async () => {
    server.answer = () => ({ status: 200, body: { error: 'invalid_grant', error_description: 'expired' } });
    const outcome = await f.auth.refresh(oauthIntegration(), TOKENS);
    assert.deepEqual(outcome.ok === false && { kind: outcome.kind, code: outcome.code }, {
      kind: 'rejected',
      code: 'invalid_grant',
    });
  });

  it('rejects at once when there is no refresh token to use', async () => {
    const outcome = await f.auth.refresh(oauthIntegration(), { type: 'oauth2', accessToken: 'a' });
    assert.deepEqual(outcome.ok === false && { kind: outcome.kind, code: outcome.code }, {
      kind: 'rejected',
      code: 'refresh_token_missing',
    });
    assert.equal(server.requests.length, 0);
  });

  it('reads Slack-style answers: ok:false is a refusal, ok:true with token_type "bot" is tokens', async () => {
    const slack = oauthIntegration({ tokenResponse: { okPath: 'ok' } });
    server.answer = () => ({ status: 200, body: { ok: false, error: 'invalid_refresh_token' } });
    const refused = await f.auth.refresh(slack, TOKENS);
    assert.deepEqual(refused.ok === false && { kind: refused.kind, code: refused.code }, {
      kind: 'rejected',
      code: 'invalid_refresh_token',
    });
    server.answer = () => ({
      status: 200,
      body: {
        ok: true,
        access_token: 'xoxe.xoxb-1',
        refresh_token: 'xoxe-1-2',
        token_type: 'bot',
        expires_in: 43200,
      },
    });
    const ok = await f.auth.refresh(slack, TOKENS);
    assert.ok(ok.ok && ok.credentials.type === 'oauth2');
    assert.equal(ok.credentials.accessToken, 'xoxe.xoxb-1');
    assert.equal(ok.credentials.tokenType, 'bot');
  });

  it('sends Square-style JSON token requests and reads an absolute expires_at', async () => {
    server.answer = () => ({
      status: 200,
      body: {
        access_token: 'EAAA-new',
        token_type: 'bearer',
        expires_at: '2026-02-01T00:00:00Z',
        merchant_id: 'M1',
      },
    });
    const square = oauthIntegration({
      tokenRequestFormat: 'json',
      tokenResponse: { expiresAtPath: 'expires_at' },
    });
    const outcome = await f.auth.refresh(square, TOKENS);
    assert.ok(outcome.ok && outcome.credentials.type === 'oauth2');
    assert.equal(outcome.credentials.expiresAt, Date.parse('2026-02-01T00:00:00Z'));
    const request = server.requests[0]!;
    assert.match(String(request.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(request.body), {
      grant_type: 'refresh_token',
      refresh_token: 'old-refresh-1',
      client_id: 'cid',
      client_secret: 'csecret',
    });
  });

  it('accepts a token response without token_type (Shopify-style)', async () => {
    server.answer = () => ({ status: 200, body: { access_token: 'shpat_1', scope: 'read_orders' } });
    const outcome = await f.auth.refresh(oauthIntegration(), TOKENS);
    assert.ok(outcome.ok && outcome.credentials.type === 'oauth2');
    assert.equal(outcome.credentials.accessToken, 'shpat_1');
    assert.equal(outcome.credentials.expiresAt, undefined);
  });

  it('renders the token URL with the connection config', async () => {
    server.answer = () => ({ status: 200, body: { access_token: 'x', token_type: 'bearer' } });
    const integration = f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: `${server.origin}/\${region}/authorize`,
          tokenUrl: `${server.origin}/\${region}/token`,
          refresh: true,
        },
        baseUrl: `${server.origin}/api`,
        connectionConfig: [{ key: 'region', label: 'Region', example: 'eu', pattern: '^[a-z]{2}$' }],
      }),
      { clientId: 'cid', clientSecret: 'csecret' },
    );
    const outcome = await f.auth.refresh(integration, TOKENS, undefined, { region: 'eu' });
    assert.equal(outcome.ok, true);
    assert.equal(server.requests[0]?.path, '/eu/token');
  });

  it('re-grants client credentials kept from the connection (PayPal style)', async () => {
    server.answer = (request) =>
      basicCredentials(request.headers.authorization) === 'user-cid:user-secret'
        ? { status: 200, body: { access_token: 'A21-token', token_type: 'Bearer', expires_in: 32400 } }
        : { status: 401, body: { error: 'invalid_client' } };
    const paypal = f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2_client_credentials',
          tokenUrl: `${server.origin}/v1/oauth2/token`,
          credentialsFrom: 'connection',
          clientIdInput: { label: 'Client ID', secret: false },
          clientSecretInput: { label: 'Secret', secret: true },
          test: { path: '/v1/identity/me' },
        },
        baseUrl: `${server.origin}/api`,
      }),
      { clientId: null, clientSecret: null },
    );
    const connected = await f.auth.connectWithCredentials({
      integration: paypal,
      environmentId: f.environmentId,
      connectionConfig: {},
      values: { clientId: 'user-cid', clientSecret: 'user-secret' },
    });
    assert.deepEqual(connected.credentials, {
      type: 'oauth2_client_credentials',
      accessToken: 'A21-token',
      expiresAt: f.clock.now() + 32_400_000,
      clientId: 'user-cid',
      clientSecret: 'user-secret',
    });
    assert.equal(new URLSearchParams(server.requests[0]?.body).get('grant_type'), 'client_credentials');
    assert.equal(f.caller.calls.at(-1)?.request.path, '/v1/identity/me');

    f.clock.advance(60_000);
    const again = await f.auth.refresh(paypal, connected.credentials);
    assert.ok(again.ok && again.credentials.type === 'oauth2_client_credentials');
    assert.equal(again.credentials.expiresAt, f.clock.now() + 32_400_000);

    await assert.rejects(
      f.auth.connectWithCredentials({
        integration: paypal,
        environmentId: f.environmentId,
        connectionConfig: {},
        values: { clientId: 'user-cid', clientSecret: 'wrong' },
      }),
      (error: unknown) => {
        const e = error as { code: string; details: unknown; message: string };
        assert.equal(e.code, 'credentials_rejected');
        assert.deepEqual(e.details, { status: 401, error: 'invalid_client' });
        assert.equal(e.message.includes('wrong'), false);
        return true;
      },
    );
  });
});

describe('TokenRefresher with a guarded transport', () => {
  it('keeps the SSRF guard refusal as its own code (transient, never rejected)', async () => {
    const database = sqliteTestDatabase();
    const f = await openAuthFixture(database, {
      fetch: async () => {
        throw new PatchbayError('ssrf_blocked', 'the token host resolves to a private address');
      },
    });
    try {
      const integration = f.addIntegration(
        testDefinition({
          auth: {
            mode: 'oauth2',
            authorizationUrl: 'https://idp.example.com/authorize',
            tokenUrl: 'https://idp.example.com/token',
            refresh: true,
          },
          baseUrl: 'https://api.example.com',
        }),
      );
      const outcome = await f.auth.refresh(integration, TOKENS);
      assert.deepEqual(outcome.ok === false && { kind: outcome.kind, code: outcome.code }, {
        kind: 'transient',
        code: 'ssrf_blocked',
      });
    } finally {
      await f.store.close();
      await database.destroy();
    }
  });
});
