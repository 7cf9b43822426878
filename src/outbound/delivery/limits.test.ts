import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { type DeliveryFixture, openDeliveryFixture } from './fixtures/delivery-fixture.ts';
import { type Receiver, startReceiver } from './fixtures/receiver.ts';
import { createEndpointLimits } from './limits.ts';

describe('endpoint limits', () => {
  it('queues acquirers beyond the concurrency and serves them in order', async () => {
    const limits = createEndpointLimits();
    const endpoint = { id: 'ep_a', maxConcurrency: 1, rateLimitPerSecond: null };
    const first = await limits.acquire(endpoint);
    const order: string[] = [];
    const second = limits.acquire(endpoint).then((release) => {
      order.push('second');
      return release;
    });
    const third = limits.acquire(endpoint).then((release) => {
      order.push('third');
      release();
    });
    await delay(10);
    assert.deepEqual(order, []);
    first();
    (await second)();
    await third;
    assert.deepEqual(order, ['second', 'third']);
  });

  it('gives up waiting when the job is aborted, without taking the slot', async () => {
    const limits = createEndpointLimits();
    const endpoint = { id: 'ep_b', maxConcurrency: 1, rateLimitPerSecond: null };
    const held = await limits.acquire(endpoint);
    const controller = new AbortController();
    const waiting = limits.acquire(endpoint, controller.signal);
    controller.abort(new Error('stopping'));
    await assert.rejects(waiting, /stopping/);
    held();
    // The slot is free again for the next delivery.
    (await limits.acquire(endpoint))();
  });

  it('keeps endpoints apart', async () => {
    const limits = createEndpointLimits();
    const a = await limits.acquire({ id: 'ep_c', maxConcurrency: 1, rateLimitPerSecond: null });
    const b = await limits.acquire({ id: 'ep_d', maxConcurrency: 1, rateLimitPerSecond: null });
    a();
    b();
  });
});

for (const target of await testDatabases()) {
  describe(`per-endpoint limits in delivery on ${target.name}`, { skip: target.skip }, () => {
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
      await fx.reset();
      hook = await startReceiver();
    });
    afterEach(() => hook.close());

    it('never has more requests in flight to an endpoint than its maxConcurrency', async () => {
      hook.reply(async () => {
        await delay(30);
        return { status: 200 };
      });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url, maxConcurrency: 2 });
      for (let i = 0; i < 10; i += 1) await fx.addMessage(endpointId, { i });
      const results = await fx.runDue(fx.worker());
      assert.equal(results.length, 10);
      assert.ok(results.every((result) => result.outcome === 'attempted' && result.status === 'succeeded'));
      assert.equal(hook.requests.length, 10);
      assert.equal(hook.maxInFlight(), 2);
      // Kept-alive connections carry the later deliveries.
      assert.ok(hook.connections() < 10, `${hook.connections()} connections for 10 deliveries`);
    });

    it('starts at most rateLimitPerSecond deliveries in any second, waiting instead of failing', async () => {
      const arrivals: number[] = [];
      hook.reply(() => {
        arrivals.push(performance.now());
        return { status: 200 };
      });
      const rate = 10;
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url, rateLimitPerSecond: rate });
      for (let i = 0; i < 20; i += 1) await fx.addMessage(endpointId, { i });
      const results = await fx.runDue(fx.worker());
      assert.ok(results.every((result) => result.outcome === 'attempted' && result.status === 'succeeded'));
      assert.equal(arrivals.length, 20);
      // Starts are spaced 1/rate apart; arrival jitter may bring one more into a window, no more.
      const most = Math.max(
        ...arrivals.map((start) => arrivals.filter((t) => t >= start && t < start + 1000).length),
      );
      assert.ok(most <= rate + 1, `${most} deliveries arrived within one second`);
    });
  });
}
