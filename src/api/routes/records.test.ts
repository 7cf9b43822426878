import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { openSyncFixture, type SyncFixture } from '../../syncs/fixtures/sync-fixture.ts';
import { createRecordsRepository, prepareRecord, type RecordsRepository } from '../../syncs/records/index.ts';
import { identityTransform, recordRoutes } from './records.ts';

const sale = z.object({ id: z.string(), amount: z.number(), buyer: z.string() });
const prep = (id: string, amount: number) =>
  prepareRecord('sales', sale, { id, amount, buyer: 'b@example.com' });

for (const target of await testDatabases()) {
  describe(`/v1/records on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: SyncFixture;
    let api: TestApi;
    let records: RecordsRepository;
    let mapped: string;
    const transforms: string[][] = [];

    before(async () => {
      database = await target.create!();
      f = await openSyncFixture(database);
      records = createRecordsRepository({ store: f.store, clock: f.clock });
      api = await createTestApi(database, {
        routes: [
          recordRoutes(records, {
            async transform(environmentId, connectionId, model) {
              transforms.push([environmentId, connectionId, model]);
              if (connectionId !== mapped) return identityTransform(environmentId, connectionId, model);
              return ({ amount, ...rest }) => ({ ...rest, total: amount });
            },
          }),
        ],
      });
    });
    after(async () => {
      await api?.close();
      await f?.close();
      await database?.destroy();
    });

    const get = (query: Record<string, string>, auth = api.devAuth) =>
      api.app.inject({ method: 'GET', url: '/v1/records', query, headers: auth });

    it('pages through records oldest modification first, with ISO times and an opaque cursor', async () => {
      const connectionId = await f.connection(f.dev.id);
      const scope = { environmentId: f.dev.id, connectionId, runId: 'run_1' };
      await records.upsert(f.store.db, scope, 'sales', [prep('s1', 1), prep('s2', 2), prep('s3', 3)]);
      const first = await get({ connectionId, model: 'sales', limit: '2' });
      assert.equal(first.statusCode, 200, first.body);
      const page1 = first.json();
      assert.deepEqual(
        page1.data.map((r: { id: string }) => r.id),
        ['s1', 's2'],
      );
      assert.deepEqual(page1.data[0], {
        id: 's1',
        model: 'sales',
        data: { id: 's1', amount: 1, buyer: 'b@example.com' },
        deleted: false,
        firstSeenAt: new Date(f.clock.now()).toISOString(),
        modifiedAt: new Date(f.clock.now()).toISOString(),
        deletedAt: null,
      });
      assert.equal(typeof page1.nextAfter, 'string');
      f.clock.advance(1000);
      await records.upsert(f.store.db, scope, 'sales', [prep('s1', 10)]);
      const second = (await get({ connectionId, model: 'sales', limit: '2', after: page1.nextAfter })).json();
      assert.deepEqual(
        second.data.map((r: { id: string; data: { amount: number } }) => [r.id, r.data.amount]),
        [
          ['s3', 3],
          ['s1', 10],
        ],
      );
      assert.equal(second.nextAfter, null, 'the last page');
    });

    it('filters by modifiedSince and shows deleted records only with includeDeleted=true', async () => {
      const connectionId = await f.connection(f.dev.id);
      const scope = { environmentId: f.dev.id, connectionId, runId: 'run_1' };
      await records.upsert(f.store.db, scope, 'sales', [prep('old', 1), prep('gone', 2)]);
      f.clock.advance(60_000);
      const since = new Date(f.clock.now()).toISOString();
      await records.upsert(f.store.db, scope, 'sales', [prep('new', 3)]);
      f.clock.advance(1000);
      await records.softDelete(f.store.db, scope, 'sales', ['gone']);
      const ids = async (query: Record<string, string>) =>
        (await get({ connectionId, model: 'sales', ...query })).json().data.map((r: { id: string }) => r.id);
      assert.deepEqual(await ids({}), ['old', 'new']);
      assert.deepEqual(await ids({ modifiedSince: since }), ['new']);
      assert.deepEqual(await ids({ modifiedSince: since, includeDeleted: 'true' }), ['new', 'gone']);
      const gone = (await get({ connectionId, model: 'sales', includeDeleted: 'true' }))
        .json()
        .data.find((r: { id: string }) => r.id === 'gone');
      assert.equal(gone.deleted, true);
      assert.equal(gone.deletedAt, new Date(f.clock.now()).toISOString());
    });

    it("applies the connection's transform to each record's data", async () => {
      const connectionId = await f.connection(f.dev.id);
      mapped = connectionId;
      await records.upsert(f.store.db, { environmentId: f.dev.id, connectionId, runId: 'r' }, 'sales', [
        prep('s1', 7),
      ]);
      const body = (await get({ connectionId, model: 'sales' })).json();
      assert.deepEqual(body.data[0].data, { id: 's1', buyer: 'b@example.com', total: 7 });
      assert.deepEqual(transforms.at(-1), [f.dev.id, connectionId, 'sales']);
    });

    it("answers not_found for another environment's connection and an unknown one", async () => {
      const prodConnection = await f.connection(f.prod.id);
      await records.upsert(
        f.store.db,
        { environmentId: f.prod.id, connectionId: prodConnection, runId: 'r' },
        'sales',
        [prep('secret', 1)],
      );
      const cross = await get({ connectionId: prodConnection, model: 'sales' });
      assert.equal(cross.statusCode, 404, cross.body);
      assert.equal(cross.json().error.code, 'not_found');
      assert.equal(cross.body.includes('secret'), false);
      const unknown = await get({ connectionId: 'conn_01jz8x7y6w5v4t3s2r1q0p9n8m', model: 'sales' });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'not_found');
      const own = await get({ connectionId: prodConnection, model: 'sales' }, api.prodAuth);
      assert.equal(own.statusCode, 200, own.body);
      assert.deepEqual(
        own.json().data.map((r: { id: string }) => r.id),
        ['secret'],
      );
    });

    it('answers bad input with 4xx codes and actionable messages', async () => {
      const connectionId = await f.connection(f.dev.id);
      const cases: Array<[Record<string, string>, number, string, RegExp]> = [
        [{ connectionId, model: 'sales', after: 'bm90LWEtY3Vyc29y' }, 400, 'invalid_request', /nextAfter/],
        [{ connectionId, model: 'sales', modifiedSince: 'yesterday' }, 400, 'validation_failed', /ISO 8601/],
        [{ connectionId, model: 'sales', limit: '0' }, 400, 'validation_failed', /limit/],
        [{ connectionId, model: 'sales', includeDeleted: 'yes' }, 400, 'validation_failed', /includeDeleted/],
        [{ model: 'sales' }, 400, 'validation_failed', /connectionId/],
        [{ connectionId: 'not-an-id', model: 'sales' }, 400, 'invalid_id', /connection id/],
      ];
      for (const [query, status, code, message] of cases) {
        const response = await get(query);
        assert.equal(response.statusCode, status, `${JSON.stringify(query)}: ${response.body}`);
        assert.equal(response.json().error.code, code, response.body);
        assert.match(response.json().error.message, message);
      }
      const anonymous = await api.app.inject({
        method: 'GET',
        url: `/v1/records?connectionId=${connectionId}&model=sales`,
      });
      assert.equal(anonymous.statusCode, 401);
    });
  });
}
