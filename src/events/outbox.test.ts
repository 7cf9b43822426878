import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { createEnvironmentsService, type Environment } from '../environments/index.ts';
import { newId } from '../ids/index.ts';
import type { Store } from '../store/index.ts';
import { appendEvent, listEvents } from './index.ts';

const data = (connectionId: string) => ({
  connectionId,
  integrationId: 'int_x',
  integrationKey: 'gumroad',
  provider: 'gumroad',
  endUserId: 'u1',
});

for (const target of await testDatabases()) {
  describe(`event outbox on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    let dev: Environment;
    let prod: Environment;
    const clock = new ManualClock();
    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
      const environments = createEnvironmentsService({ store, clock });
      await environments.ensureBootstrap();
      dev = await environments.getEnvironmentByName('dev');
      prod = await environments.getEnvironmentByName('prod');
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });

    it('appends inside the caller’s transaction and lists in order, per environment, after a cursor', async () => {
      const written = await store.db.transaction().execute(async (trx) => {
        const first = await appendEvent(
          trx,
          { environmentId: dev.id, type: 'connection.created', data: data('conn_1') },
          { clock, newId },
        );
        clock.advance(1);
        const second = await appendEvent(
          trx,
          {
            environmentId: dev.id,
            type: 'connection.reauth_required',
            data: { ...data('conn_1'), reason: { code: 'invalid_grant', message: 'revoked' } },
          },
          { clock, newId },
        );
        await appendEvent(
          trx,
          { environmentId: prod.id, type: 'connection.deleted', data: { ...data('conn_2'), revoked: false } },
          { clock, newId },
        );
        return [first, second];
      });
      assert.match(written[0]!.id, /^evt_[0-9a-z]{26}$/);
      assert.deepEqual(await listEvents(store.db, dev.id), written);
      assert.deepEqual(written[1]?.data.reason, { code: 'invalid_grant', message: 'revoked' });
      assert.equal(written[1]?.createdAt, clock.now());
      assert.deepEqual(await listEvents(store.db, dev.id, { after: written[0]!.id }), [written[1]]);
      assert.deepEqual(await listEvents(store.db, dev.id, { limit: 1 }), [written[0]]);
      assert.deepEqual(
        (await listEvents(store.db, prod.id)).map((e) => e.type),
        ['connection.deleted'],
      );
    });

    it('writes nothing when the transaction rolls back', async () => {
      const before = await listEvents(store.db, dev.id);
      await assert.rejects(
        store.db.transaction().execute(async (trx) => {
          await appendEvent(
            trx,
            { environmentId: dev.id, type: 'connection.created', data: data('conn_3') },
            { clock, newId },
          );
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      assert.deepEqual(await listEvents(store.db, dev.id), before);
    });
  });
}
