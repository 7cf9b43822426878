import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import {
  applyOverrides,
  defineProvider,
  definitionOrigins,
  type ProviderDefinition,
  renderTemplate,
} from './index.ts';

const shop = defineProvider({
  name: 'shop-test',
  displayName: 'Shop test',
  description: 'A per-shop OAuth provider.',
  categories: ['commerce'],
  logo: 'logo.svg',
  docsUrl: 'https://docs.example.com',
  connectionConfig: [
    { key: 'shop', label: 'Shop', pattern: '^[a-z]+\\.shops\\.example$', example: 'acme.shops.example' },
  ],
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://${shop}/oauth/authorize',
    tokenUrl: 'https://${shop}/oauth/token',
    revokeUrl: 'https://auth.example.com/revoke',
    refresh: false,
  },
  proxy: { baseUrl: 'https://${shop}/api/v2', headers: { Authorization: 'Bearer ${accessToken}' } },
});

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isPatchbayError(error, 'config_invalid'), `expected config_invalid, got ${error}`);
    return error.message;
  }
  assert.fail('expected the override to be refused');
}

function urls(def: ProviderDefinition): string[] {
  assert.equal(def.auth.mode, 'oauth2');
  if (def.auth.mode !== 'oauth2') return [];
  return [def.auth.authorizationUrl, def.auth.tokenUrl, def.auth.revokeUrl ?? '', def.proxy?.baseUrl ?? ''];
}

describe('applyOverrides', () => {
  it('lists the origins it can rewrite', () => {
    assert.deepEqual(definitionOrigins(shop), ['https://${shop}', 'https://auth.example.com']);
  });

  it('rewrites one origin, keeping paths and other origins', () => {
    const sandboxed = applyOverrides(shop, {
      baseUrls: { 'https://auth.example.com': 'http://127.0.0.1:4011/auth/' },
    });
    assert.deepEqual(urls(sandboxed), [
      'https://${shop}/oauth/authorize',
      'https://${shop}/oauth/token',
      'http://127.0.0.1:4011/auth/revoke',
      'https://${shop}/api/v2',
    ]);
    assert.ok(Object.isFrozen(sandboxed));
    assert.equal(urls(shop)[2], 'https://auth.example.com/revoke');
  });

  it('may move an origin placeholder into the sandbox path', () => {
    const sandboxed = applyOverrides(shop, {
      baseUrls: { 'https://${shop}': 'http://127.0.0.1:4010/shops/${shop}', '*': 'http://127.0.0.1:4011' },
    });
    assert.equal(sandboxed.proxy?.baseUrl, 'http://127.0.0.1:4010/shops/${shop}/api/v2');
    assert.equal(
      renderTemplate(sandboxed.proxy?.baseUrl ?? '', { shop: 'acme.shops.example' }),
      'http://127.0.0.1:4010/shops/acme.shops.example/api/v2',
    );
    assert.equal(urls(sandboxed)[2], 'http://127.0.0.1:4011/revoke');
  });

  it('rewrites the token exchange and the metadata request with the others', () => {
    const graph = defineProvider({
      ...shop,
      name: 'graph-test',
      connectionConfig: [],
      auth: {
        mode: 'oauth2',
        authorizationUrl: 'https://www.graph.example/dialog/oauth',
        tokenUrl: 'https://graph.example/oauth/access_token',
        refresh: false,
        tokenExchange: {
          url: 'https://graph.example/oauth/access_token',
          query: { grant_type: 'exchange', token: '${accessToken}' },
        },
        connectionMetadata: {
          request: {
            url: 'https://graph.example/me',
            fields: { pageToken: { path: 'access_token', example: 'EAA1', secret: true } },
          },
        },
      },
      proxy: { baseUrl: 'https://graph.example', headers: { Authorization: 'Bearer ${pageToken}' } },
    });
    const sandboxed = applyOverrides(graph, { baseUrls: { '*': 'http://127.0.0.1:4012' } });
    if (sandboxed.auth.mode !== 'oauth2') return assert.fail('oauth2');
    assert.equal(sandboxed.auth.tokenExchange?.url, 'http://127.0.0.1:4012/oauth/access_token');
    assert.equal(sandboxed.auth.connectionMetadata?.request?.url, 'http://127.0.0.1:4012/me');
  });

  it('refuses overrides that match nothing or are not safe base URLs', () => {
    assert.match(
      configError(() =>
        applyOverrides(shop, { baseUrls: { 'https://auth.exmaple.com': 'http://127.0.0.1:1' } }),
      ),
      /"https:\/\/auth\.exmaple\.com" matches no URL of provider shop-test; its origins are https:\/\/\$\{shop\}, https:\/\/auth\.example\.com/,
    );
    assert.match(
      configError(() => applyOverrides(shop, { baseUrls: { '*': 'http://sandbox.internal:4010' } })),
      /plain http:\/\/ only for a loopback sandbox/,
    );
    assert.match(
      configError(() => applyOverrides(shop, { baseUrls: { '*': 'http://${shop}:4010' } })),
      /path only, not in the host/,
    );
    assert.match(
      configError(() => applyOverrides(shop, { baseUrls: { '*': 'http://127.0.0.1:4010/${tenant}' } })),
      /uses \$\{tenant\}, which the origin https:\/\/\$\{shop\} of auth\.authorizationUrl does not have/,
    );
    assert.match(
      configError(() => applyOverrides(shop, { baseUrls: { '*': '127.0.0.1:4010' } })),
      /must start with https/,
    );
    assert.match(
      configError(() => applyOverrides(shop, { baseUrls: { '*': 'http://127.0.0.1:4010/?debug=1' } })),
      /query string/,
    );
  });

  it('accepts https sandboxes anywhere', () => {
    const staged = applyOverrides(shop, { baseUrls: { '*': 'https://sandbox.example.org' } });
    assert.equal(staged.proxy?.baseUrl, 'https://sandbox.example.org/api/v2');
  });
});
