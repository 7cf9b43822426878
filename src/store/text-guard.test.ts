import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { Store } from './index.ts';

for (const target of await testDatabases()) {
  describe(`text values with U+0000 on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });

    const refused = (error: unknown) => {
      assert.ok(isPatchbayError(error, 'invalid_request'), `expected invalid_request, got ${String(error)}`);
      assert.match(error.message, /U\+0000/);
      return true;
    };

    it('are refused with invalid_request before the query runs, on writes and lookups alike', async () => {
      await assert.rejects(
        store.db
          .insertInto('environments')
          .values({ id: 'env_nul', name: 'a\u0000b', created_at: 1 })
          .execute(),
        refused,
      );
      await assert.rejects(
        store.db.selectFrom('environments').selectAll().where('name', '=', '\u0000').execute(),
        refused,
      );
      await assert.rejects(
        store.db
          .transaction()
          .execute((trx) =>
            trx
              .insertInto('environments')
              .values({ id: 'env_nul', name: 'x\u0000', created_at: 1 })
              .execute(),
          ),
        refused,
      );
      const stored = await store.db
        .selectFrom('environments')
        .select('id')
        .where('id', '=', 'env_nul')
        .execute();
      assert.deepEqual(stored, [], 'nothing was written');
    });

    it('leave every other value alone: JSON text escapes the character, and the store still answers', async () => {
      const name = JSON.stringify({ text: 'a\u0000b' });
      await store.db.insertInto('environments').values({ id: 'env_json', name, created_at: 1 }).execute();
      const row = await store.db
        .selectFrom('environments')
        .select('name')
        .where('id', '=', 'env_json')
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.name), { text: 'a\u0000b' });
      await store.ping();
    });
  });
}
