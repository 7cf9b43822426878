import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { isPatchbayError } from '../../errors/index.ts';
import { newId } from '../../ids/index.ts';
import { openSyncFixture, type SyncFixture } from '../fixtures/sync-fixture.ts';
import { createFieldMappings, type FieldMappingsService, type ProviderTargets } from './service.ts';

function rejectsWith(code: string) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    return true;
  };
}

const saleSchema = z.object({
  id: z.string(),
  price: z.number().int(),
  email: z.string().nullable(),
  buyer: z.object({ email: z.string().nullable(), name: z.string() }),
  items: z.array(z.object({ sku: z.string(), quantity: z.number() })),
  customFields: z.record(z.string(), z.unknown()),
});

const TARGETS: Record<string, ProviderTargets> = {
  gumroad: {
    models: ['sales', 'products'],
    actions: ['refund-sale'],
    // products has no schema here: its paths are not checked.
    modelSchemas: { sales: [saleSchema] },
    actionInputs: {
      'refund-sale': z.object({
        id: z.string(),
        amount_cents: z.number().int().optional(),
        note: z.object({ text: z.string() }).optional(),
      }),
    },
  },
};

const salesMapping = {
  fields: [
    { from: 'price', to: 'amount', transform: { type: 'number', format: 'decimal', scale: 0.01 } },
    { from: 'email', to: 'customerEmail' },
  ],
};

for (const target of await testDatabases()) {
  describe(`field mappings service on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: SyncFixture;
    let mappings: FieldMappingsService;
    let conn: string;
    let other: string;
    let prodConn: string;

    before(async () => {
      database = await target.create!();
      f = await openSyncFixture(database);
      mappings = createFieldMappings({
        store: f.store,
        clock: f.clock,
        targets: (provider) => TARGETS[provider] ?? { models: [], actions: [] },
      });
      conn = await f.connection(f.dev.id);
      other = await f.connection(f.dev.id, { endUserId: 'user_2' });
      prodConn = await f.connection(f.prod.id);
    });
    after(async () => {
      await f?.close();
      await database?.destroy();
    });

    it('sets, replaces, gets and lists mappings, filling keepUnmapped', async () => {
      const created = await mappings.set(f.dev.id, conn, 'model', 'sales', salesMapping);
      assert.deepEqual(created.mapping, { ...salesMapping, keepUnmapped: true });
      assert.equal(created.createdAt, f.clock.now());
      f.clock.advance(1000);
      const replaced = await mappings.set(f.dev.id, conn, 'model', 'sales', {
        fields: [{ from: 'id', to: 'saleId' }],
        keepUnmapped: false,
      });
      assert.equal(replaced.createdAt, created.createdAt);
      assert.equal(replaced.updatedAt, created.createdAt + 1000);
      assert.deepEqual(replaced.mapping, { fields: [{ from: 'id', to: 'saleId' }], keepUnmapped: false });
      await mappings.set(f.dev.id, conn, 'action', 'refund-sale', { fields: [{ from: 'saleId', to: 'id' }] });
      await mappings.set(f.dev.id, conn, 'model', 'products', { fields: [{ from: 'name', to: 'title' }] });

      assert.deepEqual(await mappings.get(f.dev.id, conn, 'model', 'sales'), replaced);
      assert.equal(await mappings.get(f.dev.id, conn, 'model', 'orders'), null);
      const list = await mappings.list(f.dev.id, conn);
      assert.deepEqual(
        list.map((m) => `${m.kind}/${m.target}`),
        ['action/refund-sale', 'model/products', 'model/sales'],
      );
      assert.deepEqual(await mappings.list(f.dev.id, other), []);
    });

    it('refuses invalid mappings and unknown targets with mapping_invalid', async () => {
      await assert.rejects(
        mappings.set(f.dev.id, conn, 'model', 'sales', { fields: [{ from: 'a', to: '' }] }),
        (error) => {
          assert.ok(isPatchbayError(error, 'mapping_invalid'));
          assert.deepEqual(
            (error.details as { issues: Array<{ path: string }> }).issues.map((i) => i.path),
            ['fields.0.to'],
          );
          return true;
        },
      );
      await assert.rejects(mappings.set(f.dev.id, conn, 'model', 'refund-sale', salesMapping), (error) => {
        assert.ok(isPatchbayError(error, 'mapping_invalid'));
        assert.match(error.message, /no model "refund-sale"; the available models are: sales, products/);
        assert.deepEqual((error.details as { available: string[] }).available, ['sales', 'products']);
        return true;
      });
      await assert.rejects(
        mappings.set(f.dev.id, conn, 'action', 'sales', salesMapping),
        rejectsWith('mapping_invalid'),
      );
    });

    it('takes a default nested as deep as the JSON limit (64 levels), not one level more', async () => {
      const nested = (levels: number) => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`) as unknown;
      const mapping = (value: unknown) => ({ fields: [{ from: 'id', to: 'saleId', default: value }] });
      for (const levels of [65, 10_000]) {
        await assert.rejects(
          mappings.set(f.dev.id, other, 'model', 'sales', mapping(nested(levels))),
          rejectsWith('mapping_invalid'),
        );
      }
      const stored = await mappings.set(f.dev.id, other, 'model', 'sales', mapping(nested(64)));
      assert.deepEqual(stored.mapping.fields[0]?.default, nested(64));
      await mappings.delete(f.dev.id, other, 'model', 'sales');
    });

    it("refuses a model's `from` the model's records cannot have, naming the keys there", async () => {
      await assert.rejects(
        mappings.set(f.dev.id, conn, 'model', 'sales', {
          fields: [
            { from: 'price', to: 'amount' },
            { from: 'buyer.emial', to: 'customerEmail' },
            { from: 'items.first.sku', to: 'sku' },
          ],
        }),
        (error) => {
          assert.ok(isPatchbayError(error, 'mapping_invalid'));
          assert.deepEqual((error.details as { issues: unknown }).issues, [
            {
              path: 'fields.1.from',
              message:
                '"buyer.emial" cannot exist in the sales model: buyer has no key "emial" (its keys: email, name)',
            },
            {
              path: 'fields.2.from',
              message:
                '"items.first.sku" cannot exist in the sales model: items is an array, so "first" must be an index (0, 1, …)',
            },
          ]);
          assert.match(error.message, /fields\.1\.from: "buyer\.emial" cannot exist .*\(and 1 more\)/);
          return true;
        },
      );
      // A break at the top level lists the record's keys; `to` (the host's shape) is not checked.
      await assert.rejects(
        mappings.set(f.dev.id, conn, 'model', 'sales', { fields: [{ from: 'totl', to: 'total' }] }),
        (error) => {
          assert.ok(isPatchbayError(error, 'mapping_invalid'));
          assert.match(
            error.message,
            /the top level has no key "totl" \(its keys: id, price, email, buyer, items, customFields\)/,
          );
          return true;
        },
      );
      assert.deepEqual(
        (await mappings.get(f.dev.id, conn, 'model', 'sales'))?.mapping.fields,
        [{ from: 'id', to: 'saleId' }],
        'the stored mapping is unchanged',
      );
    });

    it("refuses an action's `to` its input cannot have; its `from` is the host's and not checked", async () => {
      await assert.rejects(
        mappings.set(f.dev.id, conn, 'action', 'refund-sale', {
          fields: [
            { from: 'whatever.the.host.sends', to: 'id' },
            { from: 'amount', to: 'amount_cent' },
          ],
        }),
        (error) => {
          assert.ok(isPatchbayError(error, 'mapping_invalid'));
          assert.deepEqual((error.details as { issues: unknown }).issues, [
            {
              path: 'fields.1.to',
              message:
                '"amount_cent" cannot exist in the input of refund-sale: the top level has no key "amount_cent" (its keys: id, amount_cents, note)',
            },
          ]);
          return true;
        },
      );
      const stored = await mappings.set(f.dev.id, other, 'action', 'refund-sale', {
        fields: [
          { from: 'whatever.the.host.sends', to: 'id' },
          { from: 'comment', to: 'note.text' },
        ],
      });
      assert.equal(stored.mapping.fields.length, 2);
      await mappings.delete(f.dev.id, other, 'action', 'refund-sale');
    });

    it('stores mappings whose paths exist or that the schema cannot tell about', async () => {
      const stored = await mappings.set(f.dev.id, other, 'model', 'sales', {
        fields: [
          { from: 'buyer.email', to: 'customerEmail' },
          { from: 'items.0.sku', to: 'firstSku' },
          { from: 'customFields.anything.below', to: 'custom' },
        ],
      });
      assert.equal(stored.mapping.fields.length, 3);
      // A model without a schema is not checked.
      await mappings.set(f.dev.id, other, 'model', 'products', { fields: [{ from: 'nme', to: 'title' }] });
      await mappings.delete(f.dev.id, other, 'model', 'sales');
      await mappings.delete(f.dev.id, other, 'model', 'products');
    });

    it('scopes everything by environment: another environment sees not_found', async () => {
      await assert.rejects(mappings.list(f.prod.id, conn), rejectsWith('not_found'));
      await assert.rejects(mappings.get(f.prod.id, conn, 'model', 'sales'), rejectsWith('not_found'));
      await assert.rejects(
        mappings.set(f.prod.id, conn, 'model', 'sales', salesMapping),
        rejectsWith('not_found'),
      );
      await assert.rejects(mappings.delete(f.prod.id, conn, 'model', 'sales'), rejectsWith('not_found'));
      assert.equal(await mappings.mapperFor(f.prod.id, conn, 'model', 'sales'), null);
      await assert.rejects(mappings.list(f.dev.id, newId('connection')), rejectsWith('not_found'));
      await assert.rejects(mappings.list(f.dev.id, prodConn), rejectsWith('not_found'));
      assert.deepEqual(await mappings.list(f.prod.id, prodConn), []);
    });

    it('gives compiled mappers, null without a mapping, and follows changes', async () => {
      await mappings.set(f.dev.id, other, 'model', 'sales', salesMapping);
      const mapper = await mappings.mapperFor(f.dev.id, other, 'model', 'sales');
      assert.ok(mapper);
      assert.deepEqual(mapper({ id: '1', price: 250, email: 'a@example.com' }), {
        id: '1',
        amount: 2.5,
        customerEmail: 'a@example.com',
      });
      assert.equal(
        await mappings.mapperFor(f.dev.id, other, 'model', 'sales'),
        mapper,
        'reused while unchanged',
      );
      assert.equal(await mappings.mapperFor(f.dev.id, other, 'model', 'products'), null);

      await mappings.set(f.dev.id, other, 'model', 'sales', { fields: [{ from: 'price', to: 'cents' }] });
      const changed = await mappings.mapperFor(f.dev.id, other, 'model', 'sales');
      assert.notEqual(changed, mapper);
      assert.deepEqual(changed?.({ id: '1', price: 250 }), { id: '1', cents: 250 });

      await mappings.set(f.dev.id, other, 'action', 'refund-sale', {
        fields: [
          {
            from: 'amount',
            to: 'amount_cents',
            transform: { type: 'number', format: 'integer', scale: 100 },
          },
        ],
      });
      const input = await mappings.mapperFor(f.dev.id, other, 'action', 'refund-sale');
      assert.deepEqual(input?.({ amount: '1.5' }), { amount_cents: 150 });
      assert.throws(() => input?.({ amount: 'x' }), rejectsWith('action_input_invalid'));
    });

    it('deletes a mapping; deleting it again is not_found', async () => {
      await mappings.delete(f.dev.id, conn, 'model', 'products');
      assert.equal(await mappings.get(f.dev.id, conn, 'model', 'products'), null);
      assert.equal(await mappings.mapperFor(f.dev.id, conn, 'model', 'products'), null);
      await assert.rejects(mappings.delete(f.dev.id, conn, 'model', 'products'), rejectsWith('not_found'));
    });
  });
}
