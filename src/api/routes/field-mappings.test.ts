import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { newId } from '../../ids/index.ts';
import { openSyncFixture, type SyncFixture } from '../../syncs/fixtures/sync-fixture.ts';
import { createFieldMappings } from '../../syncs/mappings/index.ts';
import { fieldMappingRoutes } from './field-mappings.ts';

const mapping = {
  fields: [
    {
      from: 'price',
      to: 'amount',
      transform: { type: 'number', format: 'decimal', scale: 0.01, decimals: 2 },
    },
    { from: 'purchaser.email', to: 'customerEmail', default: 'unknown@example.com' },
  ],
};

for (const target of await testDatabases()) {
  describe(`/v1/connections/:id/field-mappings on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: SyncFixture;
    let api: TestApi;
    let conn: string;

    before(async () => {
      database = await target.create!();
      f = await openSyncFixture(database);
      const mappings = createFieldMappings({
        store: f.store,
        clock: f.clock,
        targets: (provider) =>
          provider === 'gumroad'
            ? {
                models: ['sales'],
                actions: ['refund-sale'],
                modelSchemas: {
                  sales: [
                    z.object({
                      id: z.string(),
                      price: z.number(),
                      purchaser: z.object({ email: z.string(), name: z.string() }).nullable(),
                    }),
                  ],
                },
                actionInputs: { 'refund-sale': z.object({ id: z.string() }) },
              }
            : { models: [], actions: [] },
      });
      api = await createTestApi(database, { routes: [fieldMappingRoutes(mappings)] });
      conn = await f.connection(f.dev.id);
    });
    after(async () => {
      await api?.close();
      await f?.close();
      await database?.destroy();
    });

    const put = (url: string, payload: unknown, auth = api.devAuth) =>
      api.app.inject({ method: 'PUT', url, headers: auth, payload: payload as object });

    it('sets, lists and deletes mappings', async () => {
      const set = await put(`/v1/connections/${conn}/field-mappings/model/sales`, mapping);
      assert.equal(set.statusCode, 200, set.body);
      const at = new Date(f.clock.now()).toISOString();
      const expected = {
        connectionId: conn,
        kind: 'model',
        target: 'sales',
        mapping: { ...mapping, keepUnmapped: true },
        createdAt: at,
        updatedAt: at,
      };
      assert.deepEqual(set.json(), expected);
      const action = await put(`/v1/connections/${conn}/field-mappings/action/refund-sale`, {
        fields: [{ from: 'saleId', to: 'id' }],
        keepUnmapped: false,
      });
      assert.equal(action.statusCode, 200, action.body);

      const list = await api.app.inject({
        url: `/v1/connections/${conn}/field-mappings`,
        headers: api.devAuth,
      });
      assert.equal(list.statusCode, 200, list.body);
      assert.deepEqual(
        list.json().data.map((m: { kind: string; target: string }) => `${m.kind}/${m.target}`),
        ['action/refund-sale', 'model/sales'],
      );
      assert.deepEqual(list.json().data[1], expected);

      const url = `/v1/connections/${conn}/field-mappings/action/refund-sale`;
      const deleted = await api.app.inject({ method: 'DELETE', url, headers: api.devAuth });
      assert.deepEqual(deleted.json(), {
        connectionId: conn,
        kind: 'action',
        target: 'refund-sale',
        deleted: true,
      });
      const again = await api.app.inject({ method: 'DELETE', url, headers: api.devAuth });
      assert.equal(again.statusCode, 404);
      assert.equal(again.json().error.code, 'not_found');
    });

    it('answers a bad mapping with mapping_invalid and its field paths', async () => {
      const url = `/v1/connections/${conn}/field-mappings/model/sales`;
      for (const [payload, path] of [
        [
          { fields: [{ from: 'price', to: 'amount', transform: { type: 'number', format: 'money' } }] },
          'fields.0.transform.format',
        ],
        [
          {
            fields: [
              { from: 'a', to: 'x' },
              { from: 'b', to: 'x' },
            ],
          },
          'fields.1.to',
        ],
        [{ fields: [{ from: 'a.', to: 'x' }] }, 'fields.0.from'],
        [{ fields: [{ from: 'a', to: 'x' }], extra: true }, ''],
        [[1, 2], ''],
      ] as const) {
        const response = await put(url, payload);
        assert.equal(response.statusCode, 400, response.body);
        const error = response.json().error;
        assert.equal(error.code, 'mapping_invalid', JSON.stringify(payload));
        assert.ok(
          error.details.issues.some((issue: { path: string }) => issue.path === path),
          `${JSON.stringify(payload)}: ${JSON.stringify(error.details.issues)}`,
        );
      }
      const empty = await api.app.inject({ method: 'PUT', url, headers: api.devAuth });
      assert.equal(empty.statusCode, 400);
      assert.equal(empty.json().error.code, 'mapping_invalid');
    });

    it("answers a path the target's schema rules out with mapping_invalid naming the keys there", async () => {
      const response = await put(`/v1/connections/${conn}/field-mappings/model/sales`, {
        fields: [
          { from: 'price', to: 'amount' },
          { from: 'purchaser.emial', to: 'customerEmail' },
        ],
      });
      assert.equal(response.statusCode, 400, response.body);
      const message =
        '"purchaser.emial" cannot exist in the sales model: purchaser has no key "emial" (its keys: email, name)';
      assert.deepEqual(response.json().error, {
        ...response.json().error,
        code: 'mapping_invalid',
        message: `The field mapping does not fit the model "sales": fields.1.from: ${message}`,
        details: { issues: [{ path: 'fields.1.from', message }] },
      });
      const action = await put(`/v1/connections/${conn}/field-mappings/action/refund-sale`, {
        fields: [{ from: 'saleId', to: 'sale_id' }],
      });
      assert.equal(action.statusCode, 400, action.body);
      assert.deepEqual(action.json().error.details.issues, [
        {
          path: 'fields.0.to',
          message:
            '"sale_id" cannot exist in the input of refund-sale: the top level has no key "sale_id" (its keys: id)',
        },
      ]);
    });

    it('answers an unknown target with mapping_invalid naming the available ones', async () => {
      const response = await put(`/v1/connections/${conn}/field-mappings/model/orders`, mapping);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error.code, 'mapping_invalid');
      assert.match(response.json().error.message, /available models are: sales/);
      assert.deepEqual(response.json().error.details.available, ['sales']);
    });

    it('answers other environments, unknown connections and bad parameters with 4xx', async () => {
      for (const [method, url, status, code, auth] of [
        ['GET', `/v1/connections/${conn}/field-mappings`, 404, 'not_found', api.prodAuth],
        ['PUT', `/v1/connections/${conn}/field-mappings/model/sales`, 404, 'not_found', api.prodAuth],
        ['DELETE', `/v1/connections/${conn}/field-mappings/model/sales`, 404, 'not_found', api.prodAuth],
        ['GET', `/v1/connections/${newId('connection')}/field-mappings`, 404, 'not_found', api.devAuth],
        ['GET', '/v1/connections/nope/field-mappings', 400, 'invalid_id', api.devAuth],
        ['PUT', `/v1/connections/${conn}/field-mappings/widget/sales`, 400, 'validation_failed', api.devAuth],
      ] as const) {
        const response = await api.app.inject({
          method,
          url,
          headers: auth,
          ...(method === 'PUT' ? { payload: mapping } : {}),
        });
        assert.equal(response.statusCode, status, `${method} ${url}: ${response.body}`);
        assert.equal(response.json().error.code, code, url);
      }
      const stillThere = await api.app.inject({
        url: `/v1/connections/${conn}/field-mappings`,
        headers: api.devAuth,
      });
      assert.equal(stillThere.json().data.length, 1, 'the prod key changed nothing');
    });

    it('documents the operations in the OpenAPI document', async () => {
      const response = await api.app.inject({ url: '/openapi.json' });
      assert.equal(response.statusCode, 200);
      const paths = response.json().paths;
      assert.ok(paths['/v1/connections/{id}/field-mappings/{kind}/{target}'].put);
      assert.ok(paths['/v1/connections/{id}/field-mappings'].get);
      assert.ok(response.json().components.schemas.FieldMapping);
    });
  });
}
