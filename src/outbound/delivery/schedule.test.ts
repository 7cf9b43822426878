import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { DEFAULT_RETRY_SCHEDULE_MS } from '../types.ts';
import { type DeliveryFixture, openDeliveryFixture } from './fixtures/delivery-fixture.ts';
import { type Receiver, startReceiver } from './fixtures/receiver.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A repeating sequence that reaches both ends of the jitter range. */
function sequence(values: readonly number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length]!;
}

for (const target of await testDatabases()) {
  describe(`delivery schedule and auto-disable on ${target.name}`, { skip: target.skip }, () => {
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
      hook = await startReceiver({ status: 500, body: 'down' });
    });
    afterEach(() => hook.close());

    it('follows the schedule (0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h ± 20 %), then fails the message', async () => {
      const randoms = [0, 0.999, 0.25, 0.75, 0.5, 0.1, 0.9];
      const worker = fx.worker({ random: sequence(randoms), disableAfterMs: 30 * DAY });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      const createdAt = fx.clock.now();

      for (let step = 0; step < 20; step += 1) {
        const ran = await fx.runDue(worker);
        assert.equal(ran.length, 1, 'one job due at each step');
        const message = await fx.message(messageId);
        const queued = await fx.queued();
        if (message.status !== 'pending') {
          assert.deepEqual(queued, []);
          break;
        }
        // The job is queued for the message's next attempt time, under the next attempt's key.
        assert.equal(queued.length, 1);
        assert.equal(queued[0]!.runAt, message.next_attempt_at);
        assert.equal(queued[0]!.dedupeKey, `deliver:${messageId}:${message.attempts + 1}`);
        fx.clock.set(queued[0]!.runAt);
      }

      const message = await fx.message(messageId);
      assert.equal(message.status, 'failed');
      assert.equal(message.attempts, 8);
      assert.equal(message.next_attempt_at, null);
      const attempts = await fx.attempts(messageId);
      assert.equal(attempts.length, 8);
      assert.equal(hook.requests.length, 8);
      const starts = [createdAt, ...attempts.map((attempt) => attempt.created_at)];
      for (let i = 0; i < 8; i += 1) {
        const wait = starts[i + 1]! - starts[i]!;
        const planned = DEFAULT_RETRY_SCHEDULE_MS[i]!;
        assert.ok(
          wait >= planned * 0.8 && wait <= planned * 1.2,
          `wait before attempt ${i + 1}: ${wait} ms, planned ${planned}`,
        );
        if (i > 0) {
          const r = randoms[(i - 1) % randoms.length]!;
          assert.equal(
            wait,
            Math.round(planned * (1 + 0.2 * (2 * r - 1))),
            `exact jitter of attempt ${i + 1}`,
          );
        }
      }
      assert.ok(attempts.every((attempt) => attempt.status === 'failed' && attempt.response_status === 500));
      assert.deepEqual(
        attempts.map((attempt) => attempt.attempt),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
    });

    /** One failing (or succeeding) delivery of a new message at the current time. */
    async function deliverOnce(endpointId: string, worker = fx.worker()) {
      await fx.reset();
      await fx.addMessage(endpointId);
      const [result] = await fx.runDue(worker);
      return result;
    }

    it('warns once with endpoint.failing after 24 h of failures, disables after 5 days; a success resets the clock', async () => {
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const eventsBefore = (await fx.events()).length;
      const newEvents = async () => (await fx.events()).slice(eventsBefore);
      const start = fx.clock.now();

      await deliverOnce(endpointId);
      assert.equal((await fx.endpoint(endpointId)).failing_since, start);

      // A success in between resets the clock…
      fx.clock.set(start + 20 * HOUR);
      hook.reply({ status: 200 });
      await deliverOnce(endpointId);
      let endpoint = await fx.endpoint(endpointId);
      assert.equal(endpoint.failing_since, null);
      assert.equal(endpoint.last_success_at, start + 20 * HOUR);

      // …so failures from 21 h on start a new streak: no warning at 24 h after the first failure.
      hook.reply({ status: 500 });
      const streak = start + 21 * HOUR;
      fx.clock.set(streak);
      await deliverOnce(endpointId);
      fx.clock.set(start + 30 * HOUR);
      await deliverOnce(endpointId);
      assert.deepEqual(await newEvents(), []);
      assert.equal((await fx.endpoint(endpointId)).failing_since, streak);

      // 24 h into the streak: one warning.
      fx.clock.set(streak + DAY);
      await deliverOnce(endpointId);
      fx.clock.set(streak + 2 * DAY);
      await deliverOnce(endpointId);
      const url = hook.url;
      assert.deepEqual(await newEvents(), [
        {
          type: 'endpoint.failing',
          data: {
            endpointId,
            url,
            failingSince: new Date(streak).toISOString(),
            disableAt: new Date(streak + 5 * DAY).toISOString(),
          },
        },
      ]);
      endpoint = await fx.endpoint(endpointId);
      assert.equal(endpoint.failing_warned_at, streak + DAY);
      assert.equal(endpoint.enabled, 1);

      // Just short of 5 days: still enabled. At 5 days: disabled, reason failing.
      fx.clock.set(streak + 5 * DAY - 1);
      await deliverOnce(endpointId);
      assert.equal((await fx.endpoint(endpointId)).enabled, 1);
      fx.clock.set(streak + 5 * DAY);
      await deliverOnce(endpointId);
      endpoint = await fx.endpoint(endpointId);
      assert.equal(endpoint.enabled, 0);
      assert.equal(endpoint.disabled_reason, 'failing');
      assert.deepEqual(
        (await newEvents()).map((event) => [event.type, event.data.reason ?? null]),
        [
          ['endpoint.failing', null],
          ['endpoint.disabled', 'failing'],
        ],
      );
      assert.equal((await fx.endpoint(endpointId)).failing_warned_at, streak + DAY);
      // Disabled: the next message gets no attempt.
      const requests = hook.requests.length;
      assert.deepEqual(await deliverOnce(endpointId), { outcome: 'skipped', reason: 'endpoint_disabled' });
      assert.equal(hook.requests.length, requests);
    });

    it('warns before disabling even when no attempt fell inside the warning window', async () => {
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const eventsBefore = (await fx.events()).length;
      const start = fx.clock.now();
      await deliverOnce(endpointId);
      fx.clock.set(start + 6 * DAY);
      await deliverOnce(endpointId);
      assert.deepEqual(
        (await fx.events()).slice(eventsBefore).map((event) => event.type),
        ['endpoint.failing', 'endpoint.disabled'],
      );
      assert.equal((await fx.endpoint(endpointId)).disabled_reason, 'failing');
    });

    it('warns and disables once when many deliveries fail at the same time', async () => {
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url, maxConcurrency: 20 });
      const eventsBefore = (await fx.events()).length;
      const worker = fx.worker({ failingWarnAfterMs: 60_000, disableAfterMs: 120_000 });
      const start = fx.clock.now();
      await deliverOnce(endpointId, worker);
      fx.clock.set(start + 120_000);
      await fx.reset();
      for (let i = 0; i < 20; i += 1) await fx.addMessage(endpointId, { i });
      const results = await fx.runDue(worker);
      assert.equal(results.length, 20);
      assert.deepEqual(
        (await fx.events()).slice(eventsBefore).map((event) => event.type),
        ['endpoint.failing', 'endpoint.disabled'],
      );
    });

    it('takes its windows from the options', async () => {
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const worker = fx.worker({ failingWarnAfterMs: 60_000, disableAfterMs: 120_000 });
      const start = fx.clock.now();
      await deliverOnce(endpointId, worker);
      fx.clock.set(start + 60_000);
      await deliverOnce(endpointId, worker);
      assert.equal((await fx.endpoint(endpointId)).failing_warned_at, start + 60_000);
      fx.clock.set(start + 120_000);
      await deliverOnce(endpointId, worker);
      assert.equal((await fx.endpoint(endpointId)).disabled_reason, 'failing');
    });
  });
}
