import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { nextCronRun } from '../../queue/index.ts';
import { sweepJob } from '../jobs.ts';
import { type DeliveryFixture, openDeliveryFixture } from './fixtures/delivery-fixture.ts';
import { type Receiver, startReceiver } from './fixtures/receiver.ts';
import { deliverySweepSchedule } from './sweep.ts';

describe('delivery sweep schedule', () => {
  it('runs the sweep job every minute', () => {
    assert.equal(deliverySweepSchedule.job, sweepJob.name);
    assert.deepEqual(sweepJob.payload.parse(deliverySweepSchedule.payload), {});
    const start = Date.UTC(2026, 0, 1, 12, 0, 30);
    assert.equal(nextCronRun(deliverySweepSchedule.cron, 'UTC', start), Date.UTC(2026, 0, 1, 12, 1, 0));
  });
});

for (const target of await testDatabases()) {
  describe(`delivery sweep on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let fx: DeliveryFixture;
    let hook: Receiver;

    before(async () => {
      database = await target.create!();
      fx = await openDeliveryFixture(database);
    });
    after(async () => {
      await fx?.close();
      await database?.destroy();
    });
    beforeEach(async () => {
      // Messages of earlier tests are settled so that each test counts only its own.
      await fx.store.db.updateTable('messages').set({ status: 'failed' }).execute();
      await fx.reset();
      hook = await startReceiver({ status: 200 });
    });
    afterEach(() => hook.close());

    it('re-queues a message whose job was lost, once it is 30 s overdue, under its dedupe key', async () => {
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      await fx.reset(); // the job is lost (a crash)
      const worker = fx.worker();

      fx.clock.advance(29_000);
      assert.deepEqual(await worker.sweep(), { overdue: 0, unparked: 0 });
      fx.clock.advance(2_000);
      assert.deepEqual(await worker.sweep(), { overdue: 1, unparked: 0 });
      // Swept again before the job ran: the dedupe key keeps it to one job.
      assert.deepEqual(await worker.sweep(), { overdue: 0, unparked: 0 });
      const queued = await fx.queued();
      assert.deepEqual(
        queued.map((job) => [job.dedupeKey, job.payload]),
        [[`deliver:${messageId}:1`, { environmentId: fx.environmentId, messageId, trigger: 'scheduled' }]],
      );
      await fx.runDue(worker);
      assert.equal((await fx.message(messageId)).status, 'succeeded');
      assert.equal(hook.requests.length, 1);
    });

    it('re-queues the next attempt lost between the attempt commit and its enqueue', async () => {
      hook.reply({ status: 500 });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      const worker = fx.worker();
      await fx.runDue(worker);
      await fx.reset(); // the next attempt's job never made it
      const next = (await fx.message(messageId)).next_attempt_at!;
      fx.clock.set(next + 30_000);
      assert.deepEqual(await worker.sweep(), { overdue: 1, unparked: 0 });
      assert.equal((await fx.queued())[0]?.dedupeKey, `deliver:${messageId}:2`);
      await fx.runDue(worker);
      assert.equal((await fx.attempts(messageId)).length, 2);
    });

    it('leaves a disabled endpoint’s messages parked, and re-queues them once it is enabled', async () => {
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      await fx.endpoints.update(fx.environmentId, endpointId, { enabled: false });
      const messageId = await fx.addMessage(endpointId);
      const worker = fx.worker();
      assert.deepEqual(await fx.runDue(worker), [{ outcome: 'skipped', reason: 'endpoint_disabled' }]);
      assert.equal((await fx.message(messageId)).next_attempt_at, null);

      fx.clock.advance(3600_000);
      assert.deepEqual(await worker.sweep(), { overdue: 0, unparked: 0 });
      await fx.endpoints.update(fx.environmentId, endpointId, { enabled: true });
      assert.deepEqual(await worker.sweep(), { overdue: 0, unparked: 1 });
      await fx.runDue(worker);
      assert.equal((await fx.message(messageId)).status, 'succeeded');
      assert.equal(hook.requests.length, 1);
    });

    it('does not sweep a message younger than the grace period, whose first job is still to run', async () => {
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      await fx.store.db
        .updateTable('messages')
        .set({ next_attempt_at: null })
        .where('id', '=', messageId)
        .execute();
      assert.deepEqual(await fx.worker().sweep(), { overdue: 0, unparked: 0 });
    });

    it('works in bounded batches, going on from where a bounded run stopped', async () => {
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        ids.push(await fx.addMessage(endpointId, { i }));
        fx.clock.advance(1);
      }
      await fx.reset();
      fx.clock.advance(60_000);
      const worker = fx.worker({ sweepBatchSize: 2, sweepMaxBatches: 2 });
      assert.deepEqual(await worker.sweep(), { overdue: 4, unparked: 0 });
      // The next run goes on where the bound stopped the last one, then starts over.
      assert.deepEqual(await worker.sweep(), { overdue: 1, unparked: 0 });
      assert.deepEqual(await worker.sweep(), { overdue: 0, unparked: 0 });
      assert.deepEqual(
        (await fx.queued()).map((job) => (job.payload as { messageId: string }).messageId).sort(),
        [...ids].sort(),
      );
    });

    it('exposes the deliver and sweep job handlers', async () => {
      const { handlers } = fx.worker();
      assert.deepEqual(Object.keys(handlers).sort(), ['outbound.deliver', 'outbound.sweep']);
    });
  });
}
