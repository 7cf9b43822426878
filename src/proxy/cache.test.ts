import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import { newId } from '../ids/index.ts';
import type { CachedResponse, CacheScope } from '../scripting/types.ts';
import { openSyncFixture, type SyncFixture } from '../syncs/fixtures/sync-fixture.ts';
import { cacheKeyOf, cacheUrlOf, createResponseCache, type ResponseCache } from './cache.ts';

const body = (text: string) => new TextEncoder().encode(text);
const answer = (text: string, headers: Record<string, string> = {}): CachedResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json', ...headers },
  body: body(text),
});
const text = (response: CachedResponse | undefined) =>
  response ? new TextDecoder().decode(response.body) : undefined;

describe('cache keys', () => {
  const scope = { environmentId: 'env_a', connectionId: 'conn_a' };

  it('sorts the query and keeps only path and query of an absolute URL', () => {
    assert.equal(
      cacheUrlOf({ path: '/v2/sales?b=2&a=1', query: { c: ['3', '0'] } }),
      '/v2/sales?a=1&b=2&c=0&c=3',
    );
    assert.equal(cacheUrlOf({ path: 'https://user:pw@api.example.com/v2/sales?x=1' }), '/v2/sales?x=1');
    assert.equal(
      cacheKeyOf(scope, { method: 'get', path: '/s', query: { b: '2', a: '1' } }),
      cacheKeyOf(scope, { method: 'GET', path: '/s?a=1&b=2' }),
    );
  });

  it('varies with accept headers, never with authorization', () => {
    const base = cacheKeyOf(scope, { method: 'GET', path: '/s' });
    assert.notEqual(cacheKeyOf(scope, { method: 'GET', path: '/s', headers: { Accept: 'text/csv' } }), base);
    assert.notEqual(
      cacheKeyOf(scope, { method: 'GET', path: '/s', headers: { 'accept-language': 'fr' } }),
      base,
    );
    assert.equal(
      cacheKeyOf(scope, { method: 'GET', path: '/s', headers: { authorization: 'Bearer x' } }),
      base,
    );
    assert.notEqual(cacheKeyOf({ ...scope, connectionId: 'conn_b' }, { method: 'GET', path: '/s' }), base);
  });
});

for (const target of await testDatabases()) {
  describe(`response cache on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: SyncFixture;
    let cache: ResponseCache;
    let a: CacheScope;
    let b: CacheScope;
    let prod: CacheScope;

    before(async () => {
      database = await target.create!();
      f = await openSyncFixture(database);
      cache = createResponseCache({ store: f.store, clock: f.clock, maxBodyBytes: 64 });
      a = { environmentId: f.dev.id, connectionId: await f.connection(f.dev.id) };
      b = { environmentId: f.dev.id, connectionId: await f.connection(f.dev.id, { endUserId: 'user_2' }) };
      prod = { environmentId: f.prod.id, connectionId: await f.connection(f.prod.id) };
    });
    after(async () => {
      await f?.close();
      await database?.destroy();
    });

    it('serves a fresh entry, and misses once its TTL has passed', async () => {
      const request = { method: 'GET', path: '/v2/sales', query: { page: '1' } };
      assert.equal(await cache.get(a, request), undefined);
      await cache.put(
        a,
        request,
        answer('{"sales":[1]}', { 'set-cookie': 's=1', 'x-ratelimit-remaining': '9' }),
        300,
      );
      const hit = await cache.get(a, { method: 'GET', path: '/v2/sales?page=1' });
      assert.equal(text(hit), '{"sales":[1]}');
      assert.equal(hit?.status, 200);
      assert.deepEqual(hit?.headers, { 'content-type': 'application/json' });
      f.clock.advance(299_999);
      assert.equal(text(await cache.get(a, request)), '{"sales":[1]}');
      f.clock.advance(1);
      assert.equal(await cache.get(a, request), undefined);
      await cache.put(a, request, answer('{"sales":[2]}'), 60);
      assert.equal(text(await cache.get(a, request)), '{"sales":[2]}', 'a put replaces an expired entry');
    });

    it('keeps connections and environments apart', async () => {
      const request = { method: 'GET', path: '/v2/products' };
      await cache.put(a, request, answer('a'), 600);
      assert.equal(await cache.get(b, request), undefined);
      assert.equal(await cache.get(prod, request), undefined);
      // Same ids, other environment: still a miss (the environment is part of the key and the query).
      assert.equal(await cache.get({ ...a, environmentId: f.prod.id }, request), undefined);
      await cache.put(b, request, answer('b'), 600);
      assert.equal(text(await cache.get(a, request)), 'a');
      assert.equal(text(await cache.get(b, request)), 'b');
    });

    it('caches only 2xx GET answers within the size limit', async () => {
      const request = { method: 'GET', path: '/v2/big' };
      await cache.put(a, request, answer('x'.repeat(65)), 600);
      assert.equal(await cache.get(a, request), undefined, 'larger than maxBodyBytes');
      await cache.put(a, request, answer('x'.repeat(64)), 600);
      assert.equal(text(await cache.get(a, request))?.length, 64);
      await cache.put(a, { method: 'GET', path: '/v2/missing' }, { ...answer('no'), status: 404 }, 600);
      assert.equal(await cache.get(a, { method: 'GET', path: '/v2/missing' }), undefined);
      await cache.put(a, { method: 'POST', path: '/v2/post' }, answer('p'), 600);
      assert.equal(await cache.get(a, { method: 'GET', path: '/v2/post' }), undefined);
      await cache.put(a, { method: 'GET', path: '/v2/zero' }, answer('z'), 0);
      assert.equal(await cache.get(a, { method: 'GET', path: '/v2/zero' }), undefined);
      const rows = await f.store.db.selectFrom('response_cache').select(['url', 'method']).execute();
      assert.ok(rows.every((row) => row.method === 'GET' && row.url.startsWith('/')));
    });

    it('invalidates a connection by path prefix or entirely', async () => {
      for (const path of ['/v2/sales/1', '/v2/sales/2', '/v2/SALES/3', '/v2/orders']) {
        await cache.put(b, { method: 'GET', path }, answer(path), 600);
      }
      await cache.put(a, { method: 'GET', path: '/v2/sales/1' }, answer('a'), 600);
      assert.equal(await cache.invalidate(b.environmentId, b.connectionId, { pathPrefix: '/v2/sales' }), 2);
      assert.equal(await cache.get(b, { method: 'GET', path: '/v2/sales/1' }), undefined);
      assert.equal(text(await cache.get(b, { method: 'GET', path: '/v2/SALES/3' })), '/v2/SALES/3');
      assert.equal(
        text(await cache.get(a, { method: 'GET', path: '/v2/sales/1' })),
        'a',
        'other connection kept',
      );
      assert.equal(await cache.invalidate(b.environmentId, b.connectionId, { pathPrefix: '/v2/%' }), 0);
      assert.equal(await cache.invalidate(b.environmentId, b.connectionId), 3);
      assert.equal(await cache.invalidate(b.environmentId, b.connectionId), 0);
      await assert.rejects(cache.invalidate(f.prod.id, b.connectionId), (error) =>
        isPatchbayError(error, 'not_found'),
      );
      await assert.rejects(cache.invalidate(f.dev.id, newId('connection')), (error) =>
        isPatchbayError(error, 'not_found'),
      );
    });

    it('purges expired entries of every environment', async () => {
      await cache.invalidate(a.environmentId, a.connectionId);
      await cache.put(a, { method: 'GET', path: '/short' }, answer('s'), 10);
      await cache.put(prod, { method: 'GET', path: '/short' }, answer('s'), 10);
      await cache.put(a, { method: 'GET', path: '/long' }, answer('l'), 3600);
      assert.equal(await cache.purgeExpired(f.clock.now()), 0);
      f.clock.advance(10_000);
      assert.equal(await cache.purgeExpired(f.clock.now()), 2);
      assert.equal(text(await cache.get(a, { method: 'GET', path: '/long' })), 'l');
      const left = await f.store.db.selectFrom('response_cache').select('url').execute();
      assert.deepEqual(
        left.map((row) => row.url),
        ['/long'],
      );
    });
  });
}
