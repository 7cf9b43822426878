import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import { type DefinitionIssue, defineProvider, validateDefinition } from './define.ts';
import { HMAC_PRESET_NAMES, type ProviderDefinitionInput, webhookVerificationSchema } from './schema.ts';

const base = {
  name: 'acme',
  displayName: 'Acme',
  description: 'Acme widgets.',
  categories: ['other'],
  logo: 'logo.svg',
  docsUrl: 'https://docs.acme.example',
} satisfies Partial<ProviderDefinitionInput>;

const oauth2 = {
  mode: 'oauth2',
  authorizationUrl: 'https://acme.example/oauth/authorize',
  tokenUrl: 'https://acme.example/oauth/token',
  refresh: true,
} as const;

const bearerProxy = {
  baseUrl: 'https://api.acme.example/v1',
  headers: { Authorization: 'Bearer ${accessToken}' },
};

function define(overrides: Record<string, unknown>) {
  return defineProvider({ ...base, ...overrides } as ProviderDefinitionInput);
}

/** The issues of an invalid definition (fails the test when it is valid). */
function issuesOf(overrides: Record<string, unknown>): DefinitionIssue[] {
  try {
    define(overrides);
  } catch (error) {
    assert.ok(
      isPatchbayError(error, 'provider_definition_invalid'),
      `expected provider_definition_invalid, got ${error}`,
    );
    return (error.details as { issues: DefinitionIssue[] }).issues;
  }
  assert.fail('expected the definition to be refused');
}

function assertIssue(overrides: Record<string, unknown>, path: string, message: RegExp): void {
  const issues = issuesOf(overrides);
  assert.ok(
    issues.some((i) => i.path === path && message.test(i.message)),
    `expected an issue at ${path} matching ${message}; got ${JSON.stringify(issues)}`,
  );
}

describe('provider definition schema', () => {
  describe('common fields', () => {
    it('applies defaults and freezes the result', () => {
      const def = define({ auth: { mode: 'none' } });
      assert.deepEqual(def.connectionConfig, []);
      assert.deepEqual(def.retry, {
        maxAttempts: 4,
        retryOn: [408, 425, 429, 500, 502, 503, 504],
        baseDelayMs: 500,
        maxDelayMs: 30_000,
      });
      assert.ok(Object.isFrozen(def) && Object.isFrozen(def.retry.retryOn));
      assert.throws(() => {
        (def.retry.retryOn as number[]).push(418);
      }, TypeError);
    });

    it('rejects unknown keys at every level', () => {
      assertIssue({ auth: { mode: 'none' }, nmae: 'x' }, '(definition)', /Unrecognized key: "nmae"/);
      assertIssue(
        { auth: { ...oauth2, pcke: true }, proxy: bearerProxy },
        'auth',
        /Unrecognized key: "pcke"/,
      );
      assertIssue(
        { auth: { ...oauth2 }, proxy: { ...bearerProxy, header: {} } },
        'proxy',
        /Unrecognized key: "header"/,
      );
    });

    it('checks name, categories, docsUrl and logo', () => {
      assertIssue({ name: 'Acme Inc', auth: { mode: 'none' } }, 'name', /lowercase slug/);
      assertIssue(
        { categories: ['payments', 'payments'], auth: { mode: 'none' } },
        'categories',
        /duplicate/,
      );
      assertIssue({ categories: ['banking'], auth: { mode: 'none' } }, 'categories[0]', /Invalid option/);
      assertIssue({ docsUrl: 'http://docs.acme.example', auth: { mode: 'none' } }, 'docsUrl', /https/);
      assertIssue({ logo: '../secrets.svg', auth: { mode: 'none' } }, 'logo', /./);
      assert.equal(
        define({ logo: 'https://cdn.acme.example/logo.svg', auth: { mode: 'none' } }).logo.length > 0,
        true,
      );
      assert.equal(
        define({ logo: 'data:image/svg+xml;base64,PHN2Zz4=', auth: { mode: 'none' } }).logo.startsWith(
          'data:',
        ),
        true,
      );
    });

    it('checks connection config examples against patterns and options', () => {
      const field = { key: 'shop', label: 'Shop', pattern: '^[a-z]+\\.example$', example: 'acme.example' };
      assert.equal(
        define({ auth: { mode: 'none' }, connectionConfig: [field] }).connectionConfig[0]?.required,
        true,
      );
      assertIssue(
        { auth: { mode: 'none' }, connectionConfig: [{ ...field, example: 'ACME' }] },
        'connectionConfig[0].example',
        /pattern/,
      );
      assertIssue(
        { auth: { mode: 'none' }, connectionConfig: [{ ...field, pattern: '[a-z]+' }] },
        'connectionConfig[0].pattern',
        /anchored/,
      );
      assertIssue(
        {
          auth: { mode: 'none' },
          connectionConfig: [
            {
              key: 'env',
              label: 'Env',
              example: 'staging',
              options: [
                { value: 'live', label: 'Live' },
                { value: 'test', label: 'Test' },
              ],
            },
          ],
        },
        'connectionConfig[0].example',
        /not one of the options/,
      );
      assertIssue(
        { auth: { mode: 'none' }, connectionConfig: [{ ...field, key: 'accessToken' }] },
        'connectionConfig[0].key',
        /reserved/,
      );
    });

    it('names the file and provider in the error message', () => {
      assert.throws(
        () => validateDefinition({ ...base, auth: { mode: 'magic' } }, 'providers/acme/definition.ts'),
        (error) => {
          assert.ok(isPatchbayError(error, 'provider_definition_invalid'));
          assert.match(error.message, /\(providers\/acme\/definition\.ts: provider "acme"\)/);
          assert.match(error.message, /- auth\.mode: /);
          return true;
        },
      );
    });
  });

  describe('auth: oauth2', () => {
    it('accepts a minimal definition and fills defaults', () => {
      const def = define({ auth: oauth2, proxy: bearerProxy });
      assert.equal(def.auth.mode, 'oauth2');
      if (def.auth.mode !== 'oauth2') return;
      assert.equal(def.auth.scopeSeparator, ' ');
      assert.equal(def.auth.tokenEndpointAuth, 'client_secret_post');
      assert.equal(def.auth.tokenRequestFormat, 'form');
      assert.equal(def.auth.pkce, false);
      assert.deepEqual(def.auth.defaultScopes, []);
      assert.deepEqual(def.auth.tokenResponse, {
        accessTokenPath: 'access_token',
        refreshTokenPath: 'refresh_token',
        expiresInPath: 'expires_in',
        scopePath: 'scope',
      });
    });

    it('refuses authorization params the auth module owns', () => {
      assertIssue(
        {
          auth: { ...oauth2, authorizationParams: { access_type: 'offline', state: 'x' } },
          proxy: bearerProxy,
        },
        'auth.authorizationParams.state',
        /set by the auth module/,
      );
    });

    it('refuses insecure and templated-secret URLs', () => {
      assertIssue(
        { auth: { ...oauth2, tokenUrl: 'http://acme.example/token' }, proxy: bearerProxy },
        'auth.tokenUrl',
        /https/,
      );
      assertIssue(
        { auth: { ...oauth2, tokenUrl: 'https://${tenant}.acme.example/token' }, proxy: bearerProxy },
        'auth.tokenUrl',
        /\$\{tenant\} is not available here/,
      );
      assertIssue(
        { auth: oauth2, proxy: { ...bearerProxy, baseUrl: 'https://api.acme.example/${accessToken}' } },
        'proxy.baseUrl',
        /never secrets/,
      );
    });

    it('uses config in URLs and metadata from the token response in the proxy', () => {
      const def = define({
        connectionConfig: [{ key: 'tenant', label: 'Tenant', pattern: '^[a-z]+$', example: 'acme' }],
        auth: {
          ...oauth2,
          authorizationUrl: 'https://${tenant}.acme.example/authorize',
          connectionMetadata: {
            tokenResponse: { instanceUrl: { path: 'instance_url', example: 'https://eu1.acme.example' } },
          },
        },
        proxy: { baseUrl: '${instanceUrl}/api', headers: { Authorization: 'Bearer ${accessToken}' } },
      });
      assert.equal(def.proxy?.baseUrl, '${instanceUrl}/api');
      assertIssue(
        { auth: oauth2, proxy: { ...bearerProxy, headers: { 'X-Account': '${accountId}' } } },
        'proxy.headers.X-Account',
        /\$\{accountId\} is not available/,
      );
    });

    it('accepts optional headers that use metadata', () => {
      const def = define({
        auth: {
          ...oauth2,
          connectionMetadata: { tokenResponse: { accountId: { path: 'account.id', example: 'acct_1' } } },
        },
        proxy: {
          ...bearerProxy,
          headers: { ...bearerProxy.headers, 'X-Account': { value: '${accountId}', optional: true } },
        },
      });
      assert.deepEqual(def.proxy?.headers['X-Account'], { value: '${accountId}', optional: true });
      assertIssue(
        {
          auth: oauth2,
          proxy: { ...bearerProxy, headers: { 'X-Account': { value: '${accountId}', optional: false } } },
        },
        'proxy.headers.X-Account',
        /./,
      );
    });

    it('needs revokeUrl for a revokeRequest, and a known install config key', () => {
      assertIssue(
        { auth: { ...oauth2, revokeRequest: { format: 'none' } }, proxy: bearerProxy },
        'auth.revokeRequest',
        /revokeUrl/,
      );
      assertIssue(
        { auth: { ...oauth2, install: { configKey: 'shop', shopPattern: '^[a-z]+$' } }, proxy: bearerProxy },
        'auth.install.configKey',
        /not a connectionConfig key/,
      );
    });

    it('requires the proxy to send a credential', () => {
      assertIssue({ auth: oauth2 }, 'proxy', /needs a proxy block/);
      assertIssue(
        { auth: oauth2, proxy: { baseUrl: 'https://api.acme.example' } },
        'proxy',
        /sends no credential/,
      );
    });

    it('treats secret metadata as a credential that may not appear in URLs', () => {
      const auth = {
        ...oauth2,
        connectionMetadata: {
          request: {
            url: 'https://api.acme.example/me',
            headers: { Authorization: 'Bearer ${accessToken}' },
            fields: { pageToken: { path: 'token', example: 'pt_1', secret: true } },
          },
        },
      };
      assert.equal(
        define({ auth, proxy: { ...bearerProxy, headers: { Authorization: 'Bearer ${pageToken}' } } }).name,
        'acme',
      );
      assertIssue(
        {
          auth,
          proxy: { baseUrl: 'https://api.acme.example/${pageToken}', headers: { A: '${accessToken}' } },
        },
        'proxy.baseUrl',
        /never secrets/,
      );
    });
  });

  describe('auth: oauth2 token exchange and connection expiry', () => {
    /** Facebook's shape: a long-lived user token, and a Page token read with it as a secret field. */
    const exchange = {
      url: 'https://graph.acme.example/oauth/access_token',
      query: {
        grant_type: 'fb_exchange_token',
        client_id: '${clientId}',
        client_secret: '${clientSecret}',
        fb_exchange_token: '${accessToken}',
      },
    };
    const pageToken = {
      request: {
        url: 'https://graph.acme.example/me',
        headers: { Authorization: 'Bearer ${accessToken}' },
        fields: { pageToken: { path: 'access_token', example: 'EAA1', secret: true } },
      },
    };
    const pageProxy = {
      baseUrl: 'https://graph.acme.example',
      headers: { Authorization: 'Bearer ${pageToken}' },
    };
    const derived = { ...oauth2, refresh: false, tokenExchange: exchange, connectionMetadata: pageToken };

    it('defaults connectionExpiry to the access token, and the exchange to a GET read like a token response', () => {
      const def = define({ auth: { ...oauth2, tokenExchange: exchange }, proxy: bearerProxy });
      if (def.auth.mode !== 'oauth2') return assert.fail('oauth2');
      assert.equal(def.auth.connectionExpiry, 'access_token');
      assert.equal(def.auth.tokenExchange?.method, 'GET');
      assert.equal(def.auth.tokenExchange?.format, 'form');
      assert.deepEqual(def.auth.tokenExchange?.body, {});
      assert.deepEqual(def.auth.tokenExchange?.tokenResponse, {
        accessTokenPath: 'access_token',
        refreshTokenPath: 'refresh_token',
        expiresInPath: 'expires_in',
        scopePath: 'scope',
      });
    });

    it('takes config, the client and accessToken in the exchange, nothing else', () => {
      assertIssue(
        {
          auth: {
            ...oauth2,
            tokenExchange: { ...exchange, query: { ...exchange.query, team: '${teamId}' } },
          },
          proxy: bearerProxy,
        },
        'auth.tokenExchange.query.team',
        /\$\{teamId\} is not available here/,
      );
      assertIssue(
        {
          auth: { ...oauth2, tokenExchange: { ...exchange, headers: { 'X-Refresh': '${refreshToken}' } } },
          proxy: bearerProxy,
        },
        'auth.tokenExchange.headers.X-Refresh',
        /not available here/,
      );
      assertIssue(
        {
          auth: {
            ...oauth2,
            tokenExchange: { ...exchange, url: 'https://graph.acme.example/${accessToken}' },
          },
          proxy: bearerProxy,
        },
        'auth.tokenExchange.url',
        /only connection config/,
      );
      assertIssue(
        {
          auth: { ...oauth2, tokenExchange: { ...exchange, url: 'http://graph.acme.example/oauth' } },
          proxy: bearerProxy,
        },
        'auth.tokenExchange.url',
        /https/,
      );
    });

    it('sends a body only with POST', () => {
      const post = { url: exchange.url, method: 'POST', format: 'json', body: { token: '${accessToken}' } };
      const def = define({ auth: { ...oauth2, tokenExchange: post }, proxy: bearerProxy });
      if (def.auth.mode !== 'oauth2') return assert.fail('oauth2');
      assert.deepEqual(def.auth.tokenExchange?.body, { token: '${accessToken}' });
      assertIssue(
        { auth: { ...oauth2, tokenExchange: { ...post, method: 'GET' } }, proxy: bearerProxy },
        'auth.tokenExchange.body',
        /a GET request has no body/,
      );
    });

    it("accepts connectionExpiry 'never' when the proxy sends only a derived credential", () => {
      const def = define({ auth: { ...derived, connectionExpiry: 'never' }, proxy: pageProxy });
      if (def.auth.mode !== 'oauth2') return assert.fail('oauth2');
      assert.equal(def.auth.connectionExpiry, 'never');
    });

    it("refuses 'never' with refresh, with ${accessToken} in the proxy, or without a derived credential", () => {
      assertIssue(
        { auth: { ...derived, refresh: true, connectionExpiry: 'never' }, proxy: pageProxy },
        'auth.connectionExpiry',
        /nothing to refresh/,
      );
      assertIssue(
        {
          auth: { ...derived, connectionExpiry: 'never' },
          proxy: { ...pageProxy, headers: { ...pageProxy.headers, 'X-User': '${accessToken}' } },
        },
        'auth.connectionExpiry',
        /sends \$\{accessToken\}/,
      );
      assertIssue(
        {
          auth: { ...oauth2, refresh: false, connectionExpiry: 'never' },
          proxy: { ...bearerProxy, headers: { X: '${clientSecret}' } },
        },
        'auth.connectionExpiry',
        /derived credential/,
      );
      assertIssue(
        { auth: { ...derived, connectionExpiry: 'sometimes' }, proxy: pageProxy },
        'auth.connectionExpiry',
        /./,
      );
    });
  });

  describe('proxy.credentialsRejected', () => {
    it('takes statuses, and optionally a body path with the values that mean "rejected"', () => {
      const graph = { status: [400, 401], path: 'error.code', values: [190, 'OAuthException'] };
      const def = define({ auth: oauth2, proxy: { ...bearerProxy, credentialsRejected: graph } });
      assert.deepEqual(def.proxy?.credentialsRejected, graph);
      const statusOnly = define({
        auth: oauth2,
        proxy: { ...bearerProxy, credentialsRejected: { status: [403] } },
      });
      assert.deepEqual(statusOnly.proxy?.credentialsRejected, { status: [403] });
    });

    it('refuses an empty or duplicate status list, and a path without values', () => {
      const rejecting = (credentialsRejected: unknown) => ({
        auth: oauth2,
        proxy: { ...bearerProxy, credentialsRejected },
      });
      assertIssue(rejecting({ status: [] }), 'proxy.credentialsRejected.status', /./);
      assertIssue(rejecting({ status: [400, 400] }), 'proxy.credentialsRejected.status', /duplicate/);
      assertIssue(
        rejecting({ status: [400], path: 'error.code' }),
        'proxy.credentialsRejected.values',
        /go together/,
      );
      assertIssue(
        rejecting({ status: [400], values: [190] }),
        'proxy.credentialsRejected.values',
        /go together/,
      );
      assertIssue(
        rejecting({ status: [400], path: 'error code', values: [190] }),
        'proxy.credentialsRejected.path',
        /dot path/,
      );
    });
  });

  describe('auth: oauth2_client_credentials', () => {
    const cc = {
      mode: 'oauth2_client_credentials',
      tokenUrl: 'https://api.acme.example/oauth/token',
      clientIdInput: { label: 'Client ID', secret: false },
      clientSecretInput: { label: 'Secret' },
    };

    it('defaults to basic client auth and connection credentials', () => {
      const def = define({ auth: cc, proxy: bearerProxy });
      assert.equal(def.auth.mode, 'oauth2_client_credentials');
      if (def.auth.mode !== 'oauth2_client_credentials') return;
      assert.equal(def.auth.tokenEndpointAuth, 'client_secret_basic');
      assert.equal(def.auth.credentialsFrom, 'connection');
      assert.equal(def.auth.clientSecretInput?.secret, true);
    });

    it('needs input labels when the end user supplies the client credentials', () => {
      assertIssue(
        { auth: { mode: 'oauth2_client_credentials', tokenUrl: cc.tokenUrl }, proxy: bearerProxy },
        'auth.credentialsFrom',
        /clientIdInput/,
      );
      assert.equal(
        define({
          auth: { mode: 'oauth2_client_credentials', tokenUrl: cc.tokenUrl, credentialsFrom: 'integration' },
          proxy: bearerProxy,
        }).auth.mode,
        'oauth2_client_credentials',
      );
    });
  });

  describe('auth: api_key', () => {
    const apiKey = {
      mode: 'api_key',
      fields: [{ key: 'apiKey', label: 'API key', secret: true }],
      test: { path: '/me' },
    };

    it('accepts a key sent in a header, the query or basic auth', () => {
      const def = define({
        auth: apiKey,
        proxy: { baseUrl: 'https://api.acme.example', headers: { 'X-Api-Key': '${apiKey}' } },
      });
      assert.deepEqual(def.auth.mode === 'api_key' && def.auth.test, {
        method: 'GET',
        path: '/me',
        expectedStatus: 200,
      });
      define({
        auth: apiKey,
        proxy: { baseUrl: 'https://api.acme.example', query: { api_key: '${apiKey}' } },
      });
      define({
        auth: apiKey,
        proxy: { baseUrl: 'https://api.acme.example', basicAuth: { username: '${apiKey}', password: '' } },
      });
    });

    it('refuses a secret field that is never sent', () => {
      const auth = {
        ...apiKey,
        fields: [...apiKey.fields, { key: 'apiSecret', label: 'Secret', secret: true }],
      };
      assertIssue(
        { auth, proxy: { baseUrl: 'https://api.acme.example', headers: { 'X-Api-Key': '${apiKey}' } } },
        'auth.fields[1].key',
        /never sent/,
      );
    });

    it('refuses duplicate and reserved field keys, and secrets in the test path', () => {
      const proxy = { baseUrl: 'https://api.acme.example', headers: { 'X-Api-Key': '${apiKey}' } };
      assertIssue(
        { auth: { ...apiKey, fields: [apiKey.fields[0], apiKey.fields[0]] }, proxy },
        'auth.fields[1].key',
        /duplicate/,
      );
      assertIssue(
        {
          auth: { ...apiKey, fields: [{ key: 'password', label: 'P', secret: true }] },
          proxy: { ...proxy, headers: { K: '${password}' } },
        },
        'auth.fields[0].key',
        /reserved/,
      );
      assertIssue(
        { auth: { ...apiKey, test: { path: '/keys/${apiKey}' } }, proxy },
        'auth.test.path',
        /never secrets/,
      );
      assertIssue(
        { auth: { ...apiKey, test: { path: '/../admin' } }, proxy },
        'auth.test.path',
        /dot segments/,
      );
    });
  });

  describe('auth: basic', () => {
    const basic = {
      mode: 'basic',
      username: { label: 'Consumer key' },
      password: { label: 'Consumer secret' },
      test: { path: '/me' },
    };

    it('needs proxy.basicAuth', () => {
      const def = define({
        auth: basic,
        proxy: {
          baseUrl: 'https://api.acme.example',
          basicAuth: { username: '${username}', password: '${password}' },
        },
      });
      assert.equal(def.auth.mode === 'basic' && def.auth.username.secret, true);
      assertIssue(
        { auth: basic, proxy: { baseUrl: 'https://api.acme.example', headers: { 'X-User': '${username}' } } },
        'proxy.basicAuth',
        /needs proxy.basicAuth/,
      );
    });

    it('makes password unavailable when there is none', () => {
      assertIssue(
        {
          auth: { ...basic, password: undefined },
          proxy: {
            baseUrl: 'https://api.acme.example',
            basicAuth: { username: '${username}', password: '${password}' },
          },
        },
        'proxy.basicAuth.password',
        /\$\{password\} is not available/,
      );
    });
  });

  describe('auth: none', () => {
    it('needs no proxy', () => {
      assert.equal(define({ auth: { mode: 'none' } }).proxy, undefined);
    });

    it('refuses an unknown mode', () => {
      assertIssue({ auth: { mode: 'magic' } }, 'auth.mode', /Invalid discriminator/);
    });
  });

  describe('pagination', () => {
    const withPagination = (pagination: unknown) => ({ auth: oauth2, proxy: bearerProxy, pagination });

    it('accepts each style', () => {
      for (const pagination of [
        { type: 'cursor', cursorParam: 'after', cursorPath: 'paging.next.after', resultsPath: 'results' },
        { type: 'cursor', cursorParam: 'starting_after', cursorFromLastItem: 'id', hasMorePath: 'has_more' },
        { type: 'link_header', limitParam: 'limit', limit: 250 },
        { type: 'offset', offsetParam: 'offset', limitParam: 'count', limit: 1000 },
        { type: 'page', pageParam: 'page', totalPagesHeader: 'x-wp-totalpages', resultsPath: '$' },
        { type: 'next_url', nextUrlPath: 'nextRecordsUrl' },
      ]) {
        assert.equal(define(withPagination(pagination)).pagination?.type, pagination.type);
      }
    });

    it('refuses what a style cannot work with', () => {
      assertIssue(
        withPagination({ type: 'cursor', cursorParam: 'after' }),
        'pagination.cursorPath',
        /exactly one/,
      );
      assertIssue(
        withPagination({ type: 'cursor', cursorParam: 'a', cursorFromLastItem: 'id' }),
        'pagination.hasMorePath',
        /needs hasMorePath/,
      );
      assertIssue(withPagination({ type: 'link_header', limit: 250 }), 'pagination.limit', /go together/);
      assertIssue(
        withPagination({ type: 'offset', offsetParam: 'offset' }),
        'pagination.limitParam',
        /expected string/,
      );
      assertIssue(withPagination({ type: 'scroll' }), 'pagination.type', /Invalid discriminator/);
      assertIssue(
        { auth: { mode: 'none' }, pagination: { type: 'next_url', nextUrlPath: 'next' } },
        'pagination',
        /needs a proxy/,
      );
    });
  });

  describe('rate limits', () => {
    it('accepts a leaky bucket and header-only limits', () => {
      const def = define({
        auth: oauth2,
        proxy: bearerProxy,
        rateLimit: { requests: 2, windowSeconds: 1, burst: 40 },
      });
      assert.deepEqual(def.rateLimit, {
        requests: 2,
        windowSeconds: 1,
        burst: 40,
        scope: 'connection',
        headers: { retryAfter: 'retry-after' },
      });
      define({
        auth: oauth2,
        proxy: bearerProxy,
        rateLimit: {
          headers: {
            remaining: 'x-ratelimit-remaining',
            reset: 'x-ratelimit-reset',
            resetUnit: 'epoch_seconds',
          },
        },
      });
    });

    it('refuses incomplete limits', () => {
      const withLimit = (rateLimit: unknown) => ({ auth: oauth2, proxy: bearerProxy, rateLimit });
      assertIssue(withLimit({ requests: 10 }), 'rateLimit.windowSeconds', /go together/);
      assertIssue(
        withLimit({ requests: 10, windowSeconds: 1, burst: 5 }),
        'rateLimit.burst',
        /at least requests/,
      );
      assertIssue(withLimit({ headers: { reset: 'x-reset' } }), 'rateLimit.headers.resetUnit', /go together/);
      assertIssue(
        withLimit({ headers: { remaining: 'X-Remaining' } }),
        'rateLimit.headers.remaining',
        /lowercase/,
      );
    });

    it('accepts rate cases and refuses a bad pattern or a value the connection cannot have', () => {
      const cases = [
        { when: { value: '${clientSecret}', matches: '^sk_test_' }, requests: 25, windowSeconds: 1 },
      ];
      const def = define({
        auth: oauth2,
        proxy: bearerProxy,
        rateLimit: { requests: 100, windowSeconds: 1, cases },
      });
      assert.deepEqual(def.rateLimit?.cases, cases);
      const withCase = (when: unknown) => ({
        auth: oauth2,
        proxy: bearerProxy,
        rateLimit: { requests: 100, windowSeconds: 1, cases: [{ when, requests: 25, windowSeconds: 1 }] },
      });
      assertIssue(
        withCase({ value: '${clientSecret}', matches: '(' }),
        'rateLimit.cases[0].when.matches',
        /regular/,
      );
      assertIssue(
        withCase({ value: '${livemode}', matches: '^false$' }),
        'rateLimit.cases[0].when.value',
        /\$\{livemode\} is not available/,
      );
    });
  });

  describe('webhooks', () => {
    const withWebhooks = (webhooks: unknown, extra: Record<string, unknown> = {}) => ({
      auth: oauth2,
      proxy: bearerProxy,
      webhooks,
      ...extra,
    });

    it('fills a preset, and the generic defaults', () => {
      const stripe = define(
        withWebhooks({ verification: { scheme: 'hmac', preset: 'stripe' }, routing: { from: 'url' } }),
      ).webhooks;
      assert.deepEqual(stripe?.verification, {
        scheme: 'hmac',
        preset: 'stripe',
        header: 'stripe-signature',
        algorithm: 'sha256',
        encoding: 'hex',
        signature: { format: 'list', separator: ',', key: 'v1' },
        signedContent: '{timestamp}.{body}',
        timestamp: { from: 'signature', key: 't', unit: 's', tolerance: 300 },
        secretFrom: 'integration',
        secretEncoding: 'utf8',
      });
      assert.equal(stripe?.bodyFormat, 'json');
      assert.deepEqual(stripe?.keepHeaders, []);
      const hubspot = define(
        withWebhooks({
          verification: { scheme: 'hmac', preset: 'hubspot_v3', secretFrom: 'integration' },
          routing: { from: 'url' },
        }),
      ).webhooks;
      assert.deepEqual(hubspot?.verification, {
        scheme: 'hmac',
        preset: 'hubspot_v3',
        header: 'x-hubspot-signature-v3',
        algorithm: 'sha256',
        encoding: 'base64',
        signature: { format: 'value' },
        signedContent: '{method}{url}{body}{timestamp}',
        urlDecode: ":/?@!$'()*,;",
        timestamp: { from: 'header', header: 'x-hubspot-request-timestamp', unit: 'ms', tolerance: 300 },
        secretFrom: 'integration',
        secretEncoding: 'utf8',
      });
      // What defineProvider returns validates again to the same value (presets apply once).
      assert.deepEqual(define(withWebhooks(structuredClone(hubspot))).webhooks, hubspot);
    });

    it('validates every preset on its own', () => {
      for (const preset of HMAC_PRESET_NAMES) {
        const result = webhookVerificationSchema.safeParse({ scheme: 'hmac', preset });
        assert.ok(result.success, `${preset}: ${result.error?.message}`);
      }
      assertIssue(
        withWebhooks({ verification: { scheme: 'hmac', preset: 'acme' }, routing: { from: 'url' } }),
        'webhooks.verification.preset',
        /Invalid option/,
      );
    });

    it('checks the generic HMAC scheme', () => {
      const hmac = { scheme: 'hmac', header: 'x-signature', encoding: 'hex' };
      assertIssue(
        withWebhooks({
          verification: { ...hmac, signedContent: '{timestamp}.{body}' },
          routing: { from: 'url' },
        }),
        'webhooks.verification.timestamp',
        /go together/,
      );
      assertIssue(
        withWebhooks({
          verification: { ...hmac, timestamp: { from: 'header', header: 'x-ts' } },
          routing: { from: 'url' },
        }),
        'webhooks.verification.timestamp',
        /go together/,
      );
      assertIssue(
        withWebhooks({ verification: { ...hmac, signedContent: '{nonce}{body}' }, routing: { from: 'url' } }),
        'webhooks.verification.signedContent',
        /unknown token \{nonce\}/,
      );
      assertIssue(
        withWebhooks({
          verification: {
            ...hmac,
            signedContent: '{timestamp}',
            timestamp: { from: 'header', header: 'x-ts', tolerance: 300 },
          },
          routing: { from: 'url' },
        }),
        'webhooks.verification.signedContent',
        /\{body\} exactly once/,
      );
      assertIssue(
        withWebhooks({
          verification: {
            ...hmac,
            signedContent: '{timestamp}.{body}',
            timestamp: { from: 'signature', key: 't' },
          },
          routing: { from: 'url' },
        }),
        'webhooks.verification.timestamp.from',
        /signature.format 'list'/,
      );
      assertIssue(
        withWebhooks({ verification: { ...hmac, algorithm: 'md5' }, routing: { from: 'url' } }),
        'webhooks.verification.algorithm',
        /Invalid option/,
      );
      assertIssue(
        withWebhooks({ verification: { ...hmac, header: 'X-Signature' }, routing: { from: 'url' } }),
        'webhooks.verification.header',
        /lowercase/,
      );
    });

    it('checks routing, ids and scheme requirements', () => {
      assertIssue(
        withWebhooks({
          verification: { scheme: 'hmac', preset: 'stripe' },
          routing: { from: 'body', path: 'account', connectionKey: 'accountId' },
        }),
        'webhooks.routing.connectionKey',
        /not a connection config or metadata key/,
      );
      assertIssue(
        withWebhooks({
          verification: { scheme: 'hmac', preset: 'stripe' },
          routing: { from: 'url' },
          eventIdHeader: 'x-id',
          eventIdPath: 'id',
        }),
        'webhooks.eventIdPath',
        /not both/,
      );
      const providerApi = {
        scheme: 'provider_api',
        request: { path: '/verify', body: { hook: '{config:hookId}', event: '{body}' } },
        verdict: { path: 'status', equals: 'ok' },
      };
      assertIssue(
        withWebhooks({ verification: providerApi, routing: { from: 'url' } }),
        'webhooks.verification.request',
        /\{config:hookId\} is not a connectionConfig key/,
      );
      assertIssue(
        withWebhooks({
          verification: providerApi,
          routing: { from: 'integration' },
          connectionConfig: [{ key: 'hookId', label: 'Hook', example: 'h1' }],
        }),
        'webhooks.routing',
        /routing \{ from: 'url' \}/,
      );
      assertIssue(
        {
          auth: { mode: 'none' },
          webhooks: { verification: providerApi, routing: { from: 'url' } },
          connectionConfig: [{ key: 'hookId', label: 'Hook', example: 'h1' }],
        },
        'webhooks.verification',
        /needs a proxy block/,
      );
      assertIssue(
        {
          auth: { mode: 'none' },
          webhooks: {
            verification: { scheme: 'hmac', preset: 'square', secretFrom: 'client_secret' },
            routing: { from: 'url' },
          },
        },
        'webhooks.verification.secretFrom',
        /needs an OAuth auth mode/,
      );
      assertIssue(
        withWebhooks({ verification: { scheme: 'ed25519' }, routing: { from: 'url' } }),
        'webhooks.verification.scheme',
        /Invalid discriminator/,
      );
    });
  });
});
