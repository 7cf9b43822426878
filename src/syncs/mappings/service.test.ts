import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { isPatchbayError } from '../../errors/index.ts';
import { newId } from '../../ids/index.ts';
import { openSyncFixture, type SyncFixture } from '../fixtures/sync-fixture.ts';
import { createFieldMappings, type FieldMappingsService } from './service.ts';

function rejectsWith(code: string) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    return true;
  };
}

const TARGETS: Record<string, { models: string[]; actions: string[] }> = {
  gumroad: { models: ['sales', 'products'], actions: ['refund-sale'] },
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
