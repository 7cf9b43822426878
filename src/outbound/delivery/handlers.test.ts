import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { createCatalog, createWorker, type WorkerEvent } from '../../queue/index.ts';
import { outboundJobs } from '../jobs.ts';
import { type DeliveryFixture, openDeliveryFixture } from './fixtures/delivery-fixture.ts';
import { startReceiver } from './fixtures/receiver.ts';

for (const target of await testDatabases()) {
  describe(`delivery job handlers on a queue worker on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let fx: DeliveryFixture;

    before(async () => {
      database = await target.create!();
      fx = await openDeliveryFixture(database);
    });
    after(async () => {
      await fx?.close();
      await database?.destroy();
    });

    it('delivers queued messages and completes their jobs; the sweep job runs too', async () => {
      const hook = await startReceiver({ status: 200 });
      const events: WorkerEvent[] = [];
      const worker = createWorker({
        queue: fx.queue,
        catalog: createCatalog(outboundJobs),
        handlers: fx.worker().handlers,
        pollIntervalMs: 10,
        onEvent: (event) => events.push(event),
      });
      try {
        const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
        const ids = [await fx.addMessage(endpointId, { i: 1 }), await fx.addMessage(endpointId, { i: 2 })];
        await fx.queue.enqueue({ name: 'outbound.sweep', payload: {} });
        worker.start();
        for (let i = 0; i < 500 && events.filter((event) => event.type === 'completed').length < 3; i += 1) {
          await delay(10);
        }
        for (const id of ids) assert.equal((await fx.message(id)).status, 'succeeded');
        assert.equal(hook.requests.length, 2);
        assert.deepEqual(
          events.map((event) => event.type),
          ['completed', 'completed', 'completed'],
        );
        assert.deepEqual(await fx.queued(), []);
      } finally {
        await worker.stop();
        await hook.close();
      }
    });
  });
}
