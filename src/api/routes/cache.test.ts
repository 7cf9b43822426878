import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { newId } from '../../ids/index.ts';
import { createResponseCache, type ResponseCache } from '../../proxy/cache.ts';
import { openSyncFixture, type SyncFixture } from '../../syncs/fixtures/sync-fixture.ts';
import { cacheRoutes } from './cache.ts';

const answer = { status: 200, headers: {}, body: new TextEncoder().encode('{}') };

for (const target of await testDatabases()) {
  describe(`/v1/connections/:id/cache on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: SyncFixture;
    let api: TestApi;
    let cache: ResponseCache;
    let conn: string;

    before(async () => {
      database = await target.create!();
      f = await openSyncFixture(database);
      cache = createResponseCache({ store: f.store, clock: f.clock });
      api = await createTestApi(database, { routes: [cacheRoutes(cache)] });
      conn = await f.connection(f.dev.id);
    });
    after(async () => {
      await api?.close();
      await f?.close();
      await database?.destroy();
    });

    const scope = () => ({ environmentId: f.dev.id, connectionId: conn });
    const invalidate = (query: string, auth = api.devAuth) =>
      api.app.inject({ method: 'DELETE', url: `/v1/connections/${conn}/cache${query}`, headers: auth });

    it('invalidates by path prefix, then everything', async () => {
      for (const path of ['/v2/sales?page=1', '/v2/sales?page=2', '/v2/products']) {
        await cache.put(scope(), { method: 'GET', path }, answer, 600);
      }
      const byPrefix = await invalidate('?pathPrefix=/v2/sales');
      assert.equal(byPrefix.statusCode, 200, byPrefix.body);
      assert.deepEqual(byPrefix.json(), { invalidated: 2 });
      assert.ok(await cache.get(scope(), { method: 'GET', path: '/v2/products' }));
      assert.deepEqual((await invalidate('')).json(), { invalidated: 1 });
      assert.deepEqual((await invalidate('')).json(), { invalidated: 0 });
    });

    it('answers other environments, unknown connections and bad prefixes with 4xx', async () => {
      await cache.put(scope(), { method: 'GET', path: '/v2/sales' }, answer, 600);
      const fromProd = await invalidate('', api.prodAuth);
      assert.equal(fromProd.statusCode, 404);
      assert.equal(fromProd.json().error.code, 'not_found');
      assert.ok(await cache.get(scope(), { method: 'GET', path: '/v2/sales' }), 'nothing removed');
      const unknown = await api.app.inject({
        method: 'DELETE',
        url: `/v1/connections/${newId('connection')}/cache`,
        headers: api.devAuth,
      });
      assert.equal(unknown.statusCode, 404);
      for (const query of ['?pathPrefix=v2/sales', '?pathPrefix=', '?other=1']) {
        const response = await invalidate(query);
        assert.equal(response.statusCode, 400, query);
        assert.equal(response.json().error.code, 'validation_failed', query);
      }
      assert.equal(
        (await invalidate('?pathPrefix=v2')).json().error.message.includes('must start with "/"'),
        true,
      );
    });
  });
}
