import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { createEnvironmentsService } from '../environments/index.ts';
import { newId } from '../ids/index.ts';
import type { Store } from '../store/index.ts';
import { appendEvent, createEventStream, type StoredEvent } from './index.ts';

for (const target of await testDatabases()) {
  describe(`event stream on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    let dev: string;
    const clock = new ManualClock();
    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
      const environments = createEnvironmentsService({ store, clock });
      await environments.ensureBootstrap();
      dev = (await environments.getEnvironmentByName('dev')).id;
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });

    const emit = (connectionId: string) =>
      store.db.transaction().execute((trx) =>
        appendEvent(
          trx,
          {
            environmentId: dev,
            type: 'connection.created',
            data: {
              connectionId,
              integrationId: 'int_x',
              integrationKey: 'k',
              provider: 'p',
              endUserId: 'u',
            },
          },
          { clock, newId },
        ),
      );

    /** Collects what a follower yields until `count` events or the end. */
    async function collect(iterator: AsyncGenerator<StoredEvent[]>, count: number): Promise<StoredEvent[]> {
      const seen: StoredEvent[] = [];
      while (seen.length < count) {
        const next = await iterator.next();
        if (next.done) break;
        seen.push(...next.value);
      }
      return seen;
    }

    it('starts after the latest event, pages in id order, and ends on abort and on close()', async () => {
      const old = await emit('conn_old');
      const stream = createEventStream({ store, clock, pollMs: 10, batchSize: 2, settleMs: 0 });
      const controller = new AbortController();
      const follower = stream.follow(dev, null, controller.signal);
      const first = follower.next();
      // The follower has read its starting point before these commit.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const written = [await emit('conn_1'), await emit('conn_2'), await emit('conn_3')];
      stream.nudge();
      const seen = [...((await first).value as StoredEvent[]), ...(await collect(follower, 1))];
      assert.deepEqual(
        seen.map((e) => e.id),
        written.map((e) => e.id),
      );
      assert.ok(!seen.some((e) => e.id === old.id));
      controller.abort();
      assert.equal((await follower.next()).done, true);

      const fromStart = stream.follow(dev, old.id, new AbortController().signal);
      assert.equal((await collect(fromStart, 3)).length, 3);
      const pending = fromStart.next();
      stream.close();
      assert.equal((await pending).done, true);
    });

    it('holds back events younger than the settle window', async () => {
      const start = await emit('conn_settle_0');
      const stream = createEventStream({ store, clock, pollMs: 10, settleMs: 1000 });
      const controller = new AbortController();
      const follower = stream.follow(dev, start.id, controller.signal);
      const young = await emit('conn_settle_1');
      const next = follower.next();
      let delivered = false;
      void next.then(() => {
        delivered = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(delivered, false);
      clock.advance(1000);
      assert.deepEqual(
        ((await next).value as StoredEvent[]).map((e) => e.id),
        [young.id],
      );
      controller.abort();
    });
  });
}
