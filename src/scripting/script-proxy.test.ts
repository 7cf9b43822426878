import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import type { ProviderRequest, ProviderResponse } from '../proxy/types.ts';
import {
  bytesResponse,
  createScriptProxy,
  ERROR_EXCERPT_CHARS,
  type SendProviderRequest,
} from './script-proxy.ts';
import type { CachedResponse, CacheScope, ResponseCacheLike } from './types.ts';

const scope: CacheScope = { environmentId: 'env_1', connectionId: 'conn_1' };

/** A transport answering from a function, recording every request. */
function fakeSend(
  answer: (request: ProviderRequest) => { status: number; body: string; headers?: Record<string, string> },
) {
  const requests: ProviderRequest[] = [];
  const send: SendProviderRequest = async (request) => {
    requests.push(request);
    const { status, body, headers } = answer(request);
    return bytesResponse(
      status,
      headers ?? { 'content-type': 'application/json' },
      new TextEncoder().encode(body),
      2,
    );
  };
  return { send, requests };
}

/** A response cache in memory, keyed like a real one by scope and request. */
function memoryCache() {
  const entries = new Map<string, { response: CachedResponse; ttl: number }>();
  const key = (s: CacheScope, r: ProviderRequest) => JSON.stringify([s, r]);
  const cache: ResponseCacheLike = {
    async get(s, r) {
      return entries.get(key(s, r))?.response;
    },
    async put(s, r, response, ttl) {
      entries.set(key(s, r), { response, ttl });
    },
  };
  return { cache, entries };
}

describe('createScriptProxy', () => {
  it('getJson sends a GET with the options and parses the answer', async () => {
    const { send, requests } = fakeSend(() => ({ status: 200, body: '{"user":{"id":"u1"}}' }));
    const proxy = createScriptProxy({ send, scope });
    const body = await proxy.getJson<{ user: { id: string } }>('/v2/user', {
      query: { a: '1' },
      headers: { 'x-y': 'z' },
    });
    assert.deepEqual(body, { user: { id: 'u1' } });
    assert.deepEqual(requests, [
      { method: 'GET', path: '/v2/user', query: { a: '1' }, headers: { 'x-y': 'z' } },
    ]);
  });

  it('getJson throws provider_error with the status and a redacted excerpt of at most 500 characters', async () => {
    const token =
      'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const { send } = fakeSend(() => ({
      status: 401,
      body: `{"error":"bad token ${token}","pad":"${'p'.repeat(3000)}"}`,
    }));
    const proxy = createScriptProxy({ send, scope });
    await assert.rejects(proxy.getJson('/v2/user'), (err: unknown) => {
      assert.ok(isPatchbayError(err, 'provider_error'));
      assert.equal(err.status, 502);
      assert.match(err.message, /GET \/v2\/user.*401/);
      const details = err.details as { status: number; body: string };
      assert.equal(details.status, 401);
      assert.ok(details.body.startsWith('{"error":"bad token '));
      assert.ok(!details.body.includes('eyJzdWIiOiIxMjM0NTY3ODkwIn0'));
      assert.ok(details.body.length <= ERROR_EXCERPT_CHARS);
      return true;
    });
  });

  it('getJson throws provider_response_invalid for a body that is not JSON, or empty', async () => {
    const proxy = createScriptProxy({
      send: fakeSend(() => ({ status: 200, body: '<html>oops' })).send,
      scope,
    });
    await assert.rejects(proxy.getJson('/x'), (err: unknown) =>
      isPatchbayError(err, 'provider_response_invalid'),
    );
    const empty = createScriptProxy({ send: fakeSend(() => ({ status: 200, body: '' })).send, scope });
    await assert.rejects(empty.getJson('/x'), (err: unknown) =>
      isPatchbayError(err, 'provider_response_invalid'),
    );
  });

  it('getJson and sendJson throw provider_response_invalid for JSON nested deeper than 64 levels', async () => {
    const deep = `{"data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const proxy = createScriptProxy({ send: fakeSend(() => ({ status: 200, body: deep })).send, scope });
    for (const call of [() => proxy.getJson('/x'), () => proxy.sendJson('POST', '/x', {})]) {
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(isPatchbayError(err, 'provider_response_invalid'), String(err));
        assert.deepEqual(err.details, { status: 200, maxDepth: 64 });
        assert.match(
          err.message,
          /answered 200 with JSON that nests objects and arrays deeper than 64 levels/,
        );
        return true;
      });
    }
  });

  it('sendJson sends a JSON body and parses the answer; an empty answer gives undefined', async () => {
    const { send, requests } = fakeSend((r) =>
      r.method === 'DELETE' ? { status: 204, body: '' } : { status: 201, body: '{"id":"inv_1"}' },
    );
    const proxy = createScriptProxy({ send, scope });
    assert.deepEqual(
      await proxy.sendJson('POST', '/invoices', { amount: 5 }, { headers: { 'idempotency-key': 'k1' } }),
      {
        id: 'inv_1',
      },
    );
    assert.equal(await proxy.sendJson('DELETE', '/invoices/inv_1', undefined), undefined);
    assert.deepEqual(requests[0], {
      method: 'POST',
      path: '/invoices',
      body: { json: { amount: 5 } },
      headers: { 'idempotency-key': 'k1' },
    });
    assert.equal(requests[1]?.method, 'DELETE');
  });

  it('sendJson throws provider_error on a non-2xx answer', async () => {
    const proxy = createScriptProxy({
      send: fakeSend(() => ({ status: 422, body: '{"error":"amount too low"}' })).send,
      scope,
    });
    await assert.rejects(
      proxy.sendJson('POST', '/invoices', { amount: 0 }),
      (err: unknown) =>
        isPatchbayError(err, 'provider_error') &&
        (err.details as { body: string }).body.includes('amount too low'),
    );
  });

  it('request passes a call without cache options straight through', async () => {
    const { send, requests } = fakeSend(() => ({ status: 500, body: 'down' }));
    const proxy = createScriptProxy({ send, scope });
    const response = await proxy.request({ method: 'GET', path: '/x' });
    assert.equal(response.status, 500);
    assert.equal(await response.text(), 'down');
    assert.equal(response.attempts, 2);
    assert.equal(requests.length, 1);
  });

  describe('cacheTtlSeconds', () => {
    it('stores a 2xx GET and serves the next identical GET from the cache', async () => {
      let calls = 0;
      const { send, requests } = fakeSend(() => ({
        status: 200,
        body: `{"call":${++calls}}`,
        headers: { 'content-type': 'application/json', etag: 'e1' },
      }));
      const { cache, entries } = memoryCache();
      const proxy = createScriptProxy({ send, cache, scope });
      const signal = new AbortController().signal;
      assert.deepEqual(
        await proxy.getJson('/products', { cacheTtlSeconds: 600, query: { a: '1' }, signal }),
        { call: 1 },
      );
      assert.deepEqual(
        await proxy.getJson('/products', { cacheTtlSeconds: 600, query: { a: '1' }, timeoutMs: 5 }),
        {
          call: 1,
        },
      );
      assert.equal(requests.length, 1);
      assert.equal(requests[0]?.signal, signal, 'the request sent keeps its signal');
      const [entry] = [...entries.values()];
      assert.equal(entry?.ttl, 600);
      assert.equal(new TextDecoder().decode(entry?.response.body), '{"call":1}');
      assert.equal(entry?.response.headers.etag, 'e1');
      // The key is what the request asks for, in a fixed order: not the cache option, signal or timeout.
      assert.deepEqual(JSON.parse([...entries.keys()][0] ?? ''), [
        scope,
        { method: 'GET', path: '/products', query: { a: '1' } },
      ]);
      const hit = await proxy.request({
        method: 'GET',
        path: '/products',
        query: { a: '1' },
        cacheTtlSeconds: 600,
      });
      assert.equal(hit.attempts, 0);
      assert.equal(hit.headers.etag, 'e1');
    });

    it('hands the script a readable response after caching the bytes', async () => {
      const { send } = fakeSend(() => ({ status: 200, body: 'plain text' }));
      const { cache } = memoryCache();
      const proxy = createScriptProxy({ send, cache, scope });
      const response = await proxy.request({ method: 'GET', path: '/t', cacheTtlSeconds: 60 });
      assert.equal(await response.text(), 'plain text');
      assert.equal(response.attempts, 2);
      await assert.rejects(response.text(), /already read/);
    });

    it('does not cache non-2xx answers, nor across scopes', async () => {
      let status = 503;
      const { send, requests } = fakeSend(() => ({ status, body: '{"ok":false}' }));
      const { cache, entries } = memoryCache();
      const proxy = createScriptProxy({ send, cache, scope });
      await assert.rejects(proxy.getJson('/p', { cacheTtlSeconds: 60 }), (err: unknown) =>
        isPatchbayError(err, 'provider_error'),
      );
      assert.equal(entries.size, 0);
      status = 200;
      await proxy.getJson('/p', { cacheTtlSeconds: 60 });
      const other = createScriptProxy({
        send,
        cache,
        scope: { environmentId: 'env_1', connectionId: 'conn_2' },
      });
      await other.getJson('/p', { cacheTtlSeconds: 60 });
      assert.equal(requests.length, 3);
      assert.equal(entries.size, 2);
    });

    it('sends every time without a cache', async () => {
      const { send, requests } = fakeSend(() => ({ status: 200, body: '{}' }));
      const proxy = createScriptProxy({ send, scope });
      await proxy.getJson('/p', { cacheTtlSeconds: 60 });
      await proxy.getJson('/p', { cacheTtlSeconds: 60 });
      assert.equal(requests.length, 2);
      assert.equal('cacheTtlSeconds' in (requests[0] ?? {}), false);
    });

    it('refuses a TTL on another method than GET, or out of range', async () => {
      const { send, requests } = fakeSend(() => ({ status: 200, body: '{}' }));
      const { cache } = memoryCache();
      const proxy = createScriptProxy({ send, cache, scope });
      const invalid = (err: unknown) => isPatchbayError(err, 'invalid_request');
      await assert.rejects(proxy.request({ method: 'POST', path: '/p', cacheTtlSeconds: 60 }), invalid);
      for (const ttl of [0, -1, 1.5, 86_401, Number.NaN]) {
        await assert.rejects(proxy.getJson('/p', { cacheTtlSeconds: ttl }), invalid);
      }
      assert.equal(requests.length, 0);
    });
  });
});

describe('bytesResponse', () => {
  it('parses JSON and streams the body once', async () => {
    const response: ProviderResponse = bytesResponse(200, { a: 'b' }, new TextEncoder().encode('[1,2]'), 1);
    assert.deepEqual(await response.json(), [1, 2]);
    assert.throws(() => response.body, /already read/);
  });
});
