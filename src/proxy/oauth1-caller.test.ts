// biome-ignore-all lint/suspicious/noTemplateCurlyInString: provider definitions are written with ${placeholders}
/**
 * The proxy's OAuth 1.0a mode as a definition selects it: basic credentials for an `https://`
 * store, a query-string signature for an `http://` one (never both), each attempt of a retried
 * call signed with a fresh nonce, and the signature a server recomputes from what it received.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ManualClock } from '../clock/index.ts';
import { createLogger } from '../logger/index.ts';
import { createOutboundHttp } from '../net/index.ts';
import { applyAuth, oauth1For } from './auth.ts';
import { createProviderCaller } from './caller.ts';
import { definitionFor, startUpstream, targetFor, type Upstream } from './fixtures/upstream.ts';
import { oauthSignature, signatureBaseString } from './oauth1.ts';

const http = createOutboundHttp({ allow: ['loopback'] });
let upstream: Upstream;
before(async () => {
  upstream = await startUpstream();
});
afterEach(() => upstream.reset());
after(async () => {
  await upstream.close();
  await http.close();
});

function storeDefinition(origin: string) {
  return definitionFor(origin, {
    connectionConfig: [{ key: 'storeUrl', label: 'Store URL', example: 'https://shop.example.com' }],
    auth: {
      mode: 'basic',
      username: { label: 'Key', secret: true },
      password: { label: 'Secret', secret: true },
      test: { path: '/me' },
    },
    proxy: {
      baseUrl: '${storeUrl}/api',
      basicAuth: {
        username: '${username}',
        password: '${password}',
        when: { value: '${storeUrl}', matches: '^https://' },
      },
      oauth1: {
        consumerKey: '${username}',
        consumerSecret: '${password}',
        signatureMethod: 'HMAC-SHA256',
        when: { value: '${storeUrl}', matches: '^http://' },
      },
    },
  });
}

const credentials = { type: 'basic' as const, username: 'ck_key', password: 'cs_secret' };

describe('OAuth 1.0a through the proxy', () => {
  it('signs a plain-http store’s calls in the query, sends no basic credentials, and re-signs a retry', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const caller = createProviderCaller({
      http,
      clock,
      logger: createLogger({ level: 'silent' }),
      requestLog: { record: () => {} },
      defaultTimeoutMs: 5_000,
      sleep: async (ms) => clock.advance(ms),
      random: () => 0.5,
      allowHttpOrigins: true,
    });
    let calls = 0;
    upstream.handle((_request, response) => {
      calls += 1;
      response.writeHead(calls === 1 ? 503 : 200, { 'content-type': 'application/json' });
      response.end('{}');
    });
    const definition = storeDefinition(upstream.origin);
    const response = await caller.call(
      targetFor(definition, credentials, { connectionConfig: { storeUrl: upstream.origin } }),
      { method: 'GET', path: '/products', query: { per_page: '2', search: 'a b+c' } },
    );
    await response.text();
    assert.equal(upstream.received.length, 2);
    const nonces = upstream.received.map((request) => {
      const url = new URL(request.url, upstream.origin);
      assert.equal(request.headers.authorization, undefined);
      assert.equal(url.searchParams.get('oauth_consumer_key'), 'ck_key');
      assert.equal(url.searchParams.get('oauth_signature_method'), 'HMAC-SHA256');
      // What a store recomputes from the request it received.
      const params = [...url.searchParams].filter(([name]) => name !== 'oauth_signature');
      const bare = new URL(url.pathname, upstream.origin);
      assert.equal(
        url.searchParams.get('oauth_signature'),
        oauthSignature(
          signatureBaseString('GET', bare, params),
          { consumerSecret: 'cs_secret' },
          'HMAC-SHA256',
        ),
      );
      assert.equal(url.searchParams.get('search'), 'a b+c');
      return url.searchParams.get('oauth_nonce');
    });
    assert.notEqual(nonces[0], nonces[1]);
  });

  it('sends basic credentials, and no signature, to an https store', () => {
    const definition = storeDefinition('https://shop.example.com');
    const proxy = definition.proxy as NonNullable<typeof definition.proxy>;
    const values = { storeUrl: 'https://shop.example.com', username: 'ck_key', password: 'cs_secret' };
    const headers: Record<string, string> = {};
    const url = new URL('https://shop.example.com/api/products');
    applyAuth(proxy, values, headers, url);
    assert.equal(headers.authorization, `Basic ${Buffer.from('ck_key:cs_secret').toString('base64')}`);
    assert.equal(oauth1For(proxy, values), null);
    assert.equal(url.search, '');
    const plain = { ...values, storeUrl: 'http://127.0.0.1:8080' };
    const plainHeaders: Record<string, string> = {};
    applyAuth(proxy, plain, plainHeaders, new URL('http://127.0.0.1:8080/api/products'));
    assert.equal(plainHeaders.authorization, undefined);
    assert.equal(oauth1For(proxy, plain)?.signatureMethod, 'HMAC-SHA256');
  });
});
