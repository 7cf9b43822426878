// biome-ignore-all lint/suspicious/noTemplateCurlyInString: provider definition templates are `${name}` strings
/**
 * The definition's token exchange: the request built from its templates, and the callback that
 * trades the code's token for the one the connection keeps before reading metadata.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sqliteTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import type { AuthConfig, TokenExchangeSpec } from '../catalog/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import { type AuthFixture, CALLBACK_URL, openAuthFixture, testDefinition } from './fixtures/auth-fixture.ts';
import { startTokenServer, type TokenServer } from './fixtures/token-server.ts';
import { tokenExchangeRequest } from './token-exchange.ts';

const SECRET = 'app-client-secret-Zr81';
const SHORT = 'EAAshort-lived-token-1';
const LONG = 'EAAlong-lived-token-2';
const PAGE = 'EAApage-token-3';

function spec(input: Partial<TokenExchangeSpec>): TokenExchangeSpec {
  return {
    method: 'GET',
    url: 'https://graph.example/oauth/access_token',
    query: {},
    body: {},
    format: 'form',
    headers: {},
    tokenResponse: {
      accessTokenPath: 'access_token',
      refreshTokenPath: 'refresh_token',
      expiresInPath: 'expires_in',
      scopePath: 'scope',
    },
    ...input,
  };
}

const values = {
  connectionConfig: { region: 'eu' },
  clientId: 'app-1',
  clientSecret: SECRET,
  accessToken: SHORT,
};

describe('tokenExchangeRequest', () => {
  it('renders a GET with its query templates (Facebook documents the secret in the query)', () => {
    const { url, init } = tokenExchangeRequest(
      spec({
        url: 'https://graph.example/oauth/access_token?v=${region}',
        query: {
          grant_type: 'fb_exchange_token',
          client_id: '${clientId}',
          client_secret: '${clientSecret}',
          fb_exchange_token: '${accessToken}',
        },
      }),
      values,
    );
    assert.equal(url.origin + url.pathname, 'https://graph.example/oauth/access_token');
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      v: 'eu',
      grant_type: 'fb_exchange_token',
      client_id: 'app-1',
      client_secret: SECRET,
      fb_exchange_token: SHORT,
    });
    assert.equal(init.method, 'GET');
    assert.equal(init.body, undefined);
    assert.equal(init.redirect, 'manual');
    assert.deepEqual(init.headers, { accept: 'application/json' });
  });

  it('sends a POST body as a form or as JSON, and header templates', () => {
    const form = tokenExchangeRequest(
      spec({ method: 'POST', body: { token: '${accessToken}', client: '${clientId}' } }),
      values,
    );
    assert.equal(form.init.body, `token=${SHORT}&client=app-1`);
    assert.equal(
      (form.init.headers as Record<string, string>)['content-type'],
      'application/x-www-form-urlencoded',
    );
    const json = tokenExchangeRequest(
      spec({
        method: 'POST',
        format: 'json',
        body: { token: '${accessToken}' },
        headers: { Authorization: 'Basic ${clientSecret}' },
      }),
      values,
    );
    assert.deepEqual(JSON.parse(json.init.body as string), { token: SHORT });
    assert.deepEqual(json.init.headers, {
      accept: 'application/json',
      Authorization: `Basic ${SECRET}`,
      'content-type': 'application/json',
    });
  });

  it('refuses a value that would add a header or break out of its place', () => {
    assert.throws(
      () =>
        tokenExchangeRequest(spec({ headers: { 'X-Token': '${accessToken}' } }), {
          ...values,
          accessToken: 'a\r\nX-Evil: 1',
        }),
      (error: unknown) => isPatchbayError(error, 'template_value_invalid'),
    );
  });
});

describe('the callback with a token exchange', () => {
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

  /** Facebook's shape: code → short token, exchange → long token, Page token read with it. */
  function provider(auth: Partial<AuthConfig<'oauth2'>> = {}): ResolvedIntegration {
    return f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: `${server.origin}/dialog`,
          tokenUrl: `${server.origin}/token`,
          refresh: false,
          tokenExchange: {
            url: `${server.origin}/token`,
            query: {
              grant_type: 'fb_exchange_token',
              client_id: '${clientId}',
              client_secret: '${clientSecret}',
              fb_exchange_token: '${accessToken}',
            },
          },
          connectionMetadata: {
            tokenResponse: { userId: { path: 'user_id', example: '42' } },
            request: {
              url: `${server.origin}/page`,
              headers: { Authorization: 'Bearer ${accessToken}' },
              fields: {
                pageToken: { path: 'access_token', example: 'EAA', secret: true },
                pageName: { path: 'name', example: 'Acme' },
              },
            },
          },
          ...auth,
        } as AuthConfig<'oauth2'>,
        baseUrl: `${server.origin}/graph`,
        proxyHeaders: { Authorization: 'Bearer ${pageToken}' },
      }),
      { clientId: 'app-client', clientSecret: SECRET },
    );
  }

  /** Answers like Graph: the code's token, the exchange, and the Page read only with the long token. */
  function graphLike(exchange?: (request: { path: string }) => { status: number; body?: unknown }) {
    server.answer = (request) => {
      if (request.method === 'POST' && request.path === '/token') {
        return {
          status: 200,
          body: { access_token: SHORT, token_type: 'bearer', expires_in: 5400, user_id: '1001' },
        };
      }
      if (request.method === 'GET' && request.path.startsWith('/token?')) {
        return (
          exchange?.(request) ?? {
            status: 200,
            body: { access_token: LONG, token_type: 'bearer', expires_in: 5_184_000 },
          }
        );
      }
      if (request.path === '/page' && request.headers.authorization === `Bearer ${LONG}`) {
        return { status: 200, body: { access_token: PAGE, name: 'Acme Live', id: '77' } };
      }
      return { status: 400, body: { error: { message: 'bad token', type: 'OAuthException', code: 190 } } };
    };
  }

  async function callbackFor(integration: ResolvedIntegration): Promise<URL> {
    const start = await f.auth.startAuthorization({
      session: f.session(),
      integration,
      connectionConfig: {},
    });
    const state = new URL(start.authorizationUrl).searchParams.get('state')!;
    return new URL(`${CALLBACK_URL}?code=c0de&state=${encodeURIComponent(state)}`);
  }

  it('keeps the exchanged token and its expiry, reads metadata with it, and drops the first token', async () => {
    graphLike();
    const result = await f.auth.completeAuthorization(await callbackFor(provider()));
    assert.deepEqual(result.credentials, {
      type: 'oauth2',
      accessToken: LONG,
      expiresAt: f.clock.now() + 5_184_000 * 1000,
      tokenType: 'bearer',
      secrets: { pageToken: PAGE },
    });
    // Token-response metadata still comes from the code exchange's answer.
    assert.deepEqual(result.metadata, { userId: '1001', pageName: 'Acme Live' });
    const exchange = server.requests[1]!;
    assert.equal(exchange.method, 'GET');
    assert.deepEqual(Object.fromEntries(new URL(exchange.path, server.origin).searchParams), {
      grant_type: 'fb_exchange_token',
      client_id: 'app-client',
      client_secret: SECRET,
      fb_exchange_token: SHORT,
    });
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.path.split('?')[0]}`),
      ['POST /token', 'GET /token', 'GET /page'],
    );
    assert.equal(JSON.stringify(result).includes(SHORT), false, 'the first token is not kept');
  });

  it("stores no expiry when the connection follows derived credentials that never expire ('never')", async () => {
    graphLike();
    const result = await f.auth.completeAuthorization(
      await callbackFor(provider({ connectionExpiry: 'never' })),
    );
    assert.deepEqual(result.credentials, {
      type: 'oauth2',
      accessToken: LONG,
      tokenType: 'bearer',
      secrets: { pageToken: PAGE },
    });
  });

  it('fails with oauth_exchange_failed (400, stage token_exchange) when the provider refuses the exchange', async () => {
    graphLike(() => ({
      status: 400,
      body: {
        error: {
          message: `Error validating access token: Session has expired (${SHORT})`,
          type: 'OAuthException',
          code: 190,
          error_subcode: 463,
        },
      },
    }));
    await assert.rejects(f.auth.completeAuthorization(await callbackFor(provider())), (error: unknown) => {
      assert.ok(isPatchbayError(error, 'oauth_exchange_failed'));
      assert.equal(error.status, 400);
      assert.deepEqual(error.details, { stage: 'token_exchange', status: 400 });
      assert.match(error.message, /refused to exchange the new access token/);
      const shown = `${error.message} ${JSON.stringify(error.details)}`;
      assert.equal(shown.includes(SECRET) || shown.includes(SHORT), false);
      return true;
    });
    assert.equal(
      server.requests.some((request) => request.path === '/page'),
      false,
      'no metadata request after a refused exchange',
    );
    const logged = f.logs.text();
    assert.equal(logged.includes(SECRET) || logged.includes(SHORT), false);
    assert.match(logged, /OAuth token exchange failed/);
  });

  it('reports an unavailable exchange as provider_unreachable, and an answer without a token as 502', async () => {
    graphLike(() => ({ status: 503, body: 'maintenance' }));
    await assert.rejects(f.auth.completeAuthorization(await callbackFor(provider())), (error: unknown) => {
      assert.ok(isPatchbayError(error, 'provider_unreachable'));
      assert.deepEqual(error.details, { stage: 'token_exchange', status: 503 });
      return true;
    });
    graphLike(() => ({ status: 200, body: { token_type: 'bearer' } }));
    await assert.rejects(f.auth.completeAuthorization(await callbackFor(provider())), (error: unknown) => {
      assert.ok(isPatchbayError(error, 'oauth_exchange_failed'));
      assert.equal(error.status, 502);
      assert.deepEqual(error.details, { stage: 'token_exchange', status: 200, reason: 'invalid_response' });
      return true;
    });
  });
});
