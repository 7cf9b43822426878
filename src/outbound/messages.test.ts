import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import { newId } from '../ids/index.ts';
import { type OutboundFixture, openOutboundFixture } from './fixtures/messages-fixture.ts';
import { deliveryDedupeKey } from './jobs.ts';
import { createMessagesService } from './messages.ts';
import { recoverDedupeKey, recoverFailedMessages } from './recover.ts';
import type { MessagesService } from './types.ts';

const code = (expected: string) => (error: unknown) => isPatchbayError(error, expected as never);

for (const target of await testDatabases()) {
  describe(`messages service on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: OutboundFixture;
    let messages: MessagesService;
    before(async () => {
      database = await target.create!();
      f = await openOutboundFixture(database);
      messages = createMessagesService({
        store: f.store,
        endpoints: f.endpoints,
        queue: f.queue,
        clock: f.clock,
      });
    });
    after(async () => {
      await f?.close();
      await database?.destroy();
    });
    beforeEach(() => f.reset());

    const endpoint = async (
      environmentId: string,
      input: { eventTypes?: string[]; channels?: string[] } = {},
    ) => (await f.endpoints.create(environmentId, { url: 'https://hooks.example/in', ...input })).endpoint;

    it('creates one message per matching endpoint, with the payload and a first attempt queued', async () => {
      const all = await endpoint(f.dev.id);
      const orders = await endpoint(f.dev.id, { eventTypes: ['order.*'] });
      await endpoint(f.dev.id, { eventTypes: ['invoice.paid'] });
      await endpoint(f.prod.id);
      const created = await messages.create(f.dev.id, {
        eventType: 'order.shipped',
        data: { orderId: 'o_1' },
      });
      assert.deepEqual(created.map((m) => m.endpointId).sort(), [all.id, orders.id].sort());
      for (const message of created) {
        assert.equal(message.eventId, null);
        assert.equal(message.status, 'pending');
        assert.deepEqual(message.payload, {
          type: 'order.shipped',
          timestamp: new Date(f.clock.now()).toISOString(),
          data: { orderId: 'o_1' },
        });
      }
      const jobs = await f.queued('outbound.deliver');
      assert.deepEqual(
        jobs.map((j) => j.dedupeKey).sort(),
        created.map((m) => deliveryDedupeKey(m.id, 1)).sort(),
      );
    });

    it('commits concurrent calls’ messages and their first attempts together, in one transaction', async () => {
      const hooks = await endpoint(f.dev.id);
      const before = f.queue.commitStats();
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          messages.create(f.dev.id, { eventType: 'app.ping', data: { n } }),
        ),
      );
      // SQLite answers the endpoint look-ups in the same turn: all twenty share one commit. (On
      // PostgreSQL they arrive over several round trips and several commits.)
      if (target.name === 'sqlite') assert.equal(f.queue.commitStats().flushes - before.flushes, 1);
      assert.ok(created.every((call) => call.length === 1 && call[0]!.endpointId === hooks.id));
      const jobs = await f.queued('outbound.deliver');
      assert.deepEqual(
        jobs.map((j) => j.dedupeKey).sort(),
        created.map(([m]) => deliveryDedupeKey(m!.id, 1)).sort(),
      );
    });

    it('routes by channels: a channel-filtered endpoint gets only messages on its channels', async () => {
      const u1 = await endpoint(f.dev.id, { channels: ['u1'] });
      const u2 = await endpoint(f.dev.id, { channels: ['u2'] });
      const open = await endpoint(f.dev.id);
      const onU1 = await messages.create(f.dev.id, { eventType: 'app.ping', data: {}, channels: ['u1'] });
      assert.deepEqual(onU1.map((m) => m.endpointId).sort(), [u1.id, open.id].sort());
      assert.deepEqual(onU1[0]!.channels, ['u1']);
      const global = await messages.create(f.dev.id, { eventType: 'app.ping', data: {} });
      assert.deepEqual(
        global.map((m) => m.endpointId),
        [open.id],
      );
      assert.ok(!onU1.some((m) => m.endpointId === u2.id));
    });

    it('returns the same messages for a repeated idempotency key, per environment', async () => {
      await endpoint(f.dev.id);
      await endpoint(f.dev.id);
      await endpoint(f.prod.id);
      const first = await messages.create(f.dev.id, {
        eventType: 'app.ping',
        data: { n: 1 },
        idempotencyKey: 'k1',
      });
      f.clock.advance(1000);
      const again = await messages.create(f.dev.id, {
        eventType: 'app.ping',
        data: { n: 2 },
        idempotencyKey: 'k1',
      });
      assert.equal(first.length, 2);
      assert.deepEqual(again, first);
      const concurrent = await Promise.all([
        messages.create(f.dev.id, { eventType: 'app.ping', data: {}, idempotencyKey: 'k2' }),
        messages.create(f.dev.id, { eventType: 'app.ping', data: {}, idempotencyKey: 'k2' }),
      ]);
      assert.deepEqual(concurrent[0], concurrent[1]);
      // The same key in another environment is another request.
      const prod = await messages.create(f.prod.id, {
        eventType: 'app.ping',
        data: {},
        idempotencyKey: 'k1',
      });
      assert.equal(prod.length, 1);
      assert.notEqual(prod[0]!.id, first[0]!.id);
      const stored = await f.store.db.selectFrom('messages').select('id').execute();
      assert.equal(stored.length, 5);
      assert.equal((await f.queued('outbound.deliver')).length, 5);
    });

    it('refuses malformed types and the catalog’s reserved prefixes', async () => {
      await endpoint(f.dev.id);
      for (const type of ['Order.Shipped', 'order', 'order..x', 'order.shipped!', '', 'my-app.x', 'a.b c']) {
        await assert.rejects(
          messages.create(f.dev.id, { eventType: type, data: {} }),
          code('validation_failed'),
        );
      }
      for (const type of [
        'connection.created',
        'connection.custom',
        'inbound.stripe.x',
        'invoice.paid',
        'endpoint.x',
      ]) {
        await assert.rejects(
          messages.create(f.dev.id, { eventType: type, data: {} }),
          code('event_type_reserved'),
        );
      }
      assert.equal((await f.store.db.selectFrom('messages').select('id').execute()).length, 0);
    });

    it('refuses data a host passes nested deeper than 64 levels (json_too_deep), sending nothing', async () => {
      await endpoint(f.dev.id);
      const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown;
      await assert.rejects(
        messages.create(f.dev.id, { eventType: 'order.shipped', data: { deep } }),
        code('json_too_deep'),
      );
      assert.equal((await f.store.db.selectFrom('messages').select('id').execute()).length, 0);
    });

    it('lists with filters and cursor pages, scoped to the environment', async () => {
      const a = await endpoint(f.dev.id);
      const b = await endpoint(f.dev.id, { eventTypes: ['order.*'] });
      await endpoint(f.prod.id);
      const t0 = f.clock.now();
      await messages.create(f.dev.id, { eventType: 'order.shipped', data: {} }); // a, b
      f.clock.advance(1000);
      await messages.create(f.dev.id, { eventType: 'user.signed_up', data: {} }); // a
      f.clock.advance(1000);
      await messages.create(f.dev.id, { eventType: 'order.paid', data: {} }); // a, b
      await messages.create(f.prod.id, { eventType: 'order.paid', data: {} });
      const failedId = (await messages.list(f.dev.id, { endpointId: a.id })).data[0]!.id;
      await f.store.db.updateTable('messages').set({ status: 'failed' }).where('id', '=', failedId).execute();

      const all = await messages.list(f.dev.id);
      assert.equal(all.data.length, 5);
      assert.equal(all.nextAfter, null);
      assert.ok(all.data.every((m) => m.environmentId === f.dev.id));
      assert.deepEqual(
        all.data.map((m) => m.id),
        [...all.data.map((m) => m.id)].sort(),
      );

      assert.equal((await messages.list(f.dev.id, { endpointId: b.id })).data.length, 2);
      assert.equal((await messages.list(f.dev.id, { eventType: 'order.*' })).data.length, 4);
      assert.equal((await messages.list(f.dev.id, { eventType: 'order.paid' })).data.length, 2);
      assert.equal((await messages.list(f.dev.id, { eventType: 'user.signed_up' })).data.length, 1);
      assert.deepEqual(
        (await messages.list(f.dev.id, { status: 'failed' })).data.map((m) => m.id),
        [failedId],
      );
      assert.equal((await messages.list(f.dev.id, { since: t0 + 1000 })).data.length, 3);
      assert.equal((await messages.list(f.dev.id, { since: t0 + 1000, until: t0 + 2000 })).data.length, 1);

      const pages: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await messages.list(f.dev.id, { limit: 2, ...(cursor ? { after: cursor } : {}) });
        pages.push(...page.data.map((m) => m.id));
        if (!page.nextAfter) break;
        cursor = page.nextAfter;
      }
      assert.deepEqual(
        pages,
        all.data.map((m) => m.id),
      );

      // Another environment's message is not found; a malformed id is invalid.
      const prodMessage = (await messages.list(f.prod.id)).data[0]!;
      await assert.rejects(messages.get(f.dev.id, prodMessage.id), code('not_found'));
      assert.equal((await messages.get(f.prod.id, prodMessage.id)).id, prodMessage.id);
      await assert.rejects(messages.get(f.dev.id, 'msg_nope'), code('invalid_id'));
      await assert.rejects(messages.attempts(f.dev.id, prodMessage.id), code('not_found'));
    });

    it('pages through the attempts of a message', async () => {
      const ep = await endpoint(f.dev.id);
      const [message] = await messages.create(f.dev.id, { eventType: 'app.ping', data: {} });
      const rows = [1, 2, 3].map((attempt) => ({
        id: newId('attempt', f.clock.now() + attempt),
        environment_id: f.dev.id,
        message_id: message!.id,
        endpoint_id: ep.id,
        attempt,
        trigger: 'scheduled' as const,
        status: 'failed' as const,
        response_status: 500,
        response_body: 'oops',
        duration_ms: 12,
        error_code: 'http_error',
        error_message: 'HTTP 500',
        created_at: f.clock.now() + attempt,
      }));
      await f.store.db.insertInto('attempts').values(rows).execute();
      const first = await messages.attempts(f.dev.id, message!.id, { limit: 2 });
      assert.deepEqual(
        first.data.map((a) => a.attempt),
        [1, 2],
      );
      assert.equal(first.data[0]!.responseStatus, 500);
      assert.equal(first.data[0]!.errorCode, 'http_error');
      const second = await messages.attempts(f.dev.id, message!.id, { after: first.nextAfter! });
      assert.deepEqual(
        second.data.map((a) => a.attempt),
        [3],
      );
      assert.equal(second.nextAfter, null);
      await assert.rejects(messages.attempts(f.prod.id, message!.id), code('not_found'));
    });

    it('resend queues one manual attempt each time, without a dedupe key', async () => {
      await endpoint(f.dev.id);
      const [message] = await messages.create(f.dev.id, { eventType: 'app.ping', data: {} });
      await f.store.db.deleteFrom('jobs').execute();
      await messages.resend(f.dev.id, message!.id);
      await messages.resend(f.dev.id, message!.id);
      const jobs = await f.queued('outbound.deliver');
      assert.equal(jobs.length, 2);
      for (const job of jobs) {
        assert.deepEqual(job.payload, { environmentId: f.dev.id, messageId: message!.id, trigger: 'manual' });
        assert.equal(job.dedupeKey, null);
      }
      await assert.rejects(messages.resend(f.prod.id, message!.id), code('not_found'));
    });

    it('recover counts and queues a background job that resends failed messages since a time, bounded', async () => {
      const ep = await endpoint(f.dev.id);
      const other = await endpoint(f.dev.id);
      const t0 = f.clock.now();
      const created = [];
      for (let i = 0; i < 6; i++) {
        created.push(...(await messages.create(f.dev.id, { eventType: 'app.ping', data: { i } })));
        f.clock.advance(1000);
      }
      const mine = created.filter((m) => m.endpointId === ep.id);
      // Failed: all of ep's but the last; the first predates `since`.
      await f.store.db
        .updateTable('messages')
        .set({ status: 'failed' })
        .where(
          'id',
          'in',
          mine.slice(0, 5).map((m) => m.id),
        )
        .execute();
      await f.store.db
        .updateTable('messages')
        .set({ status: 'failed' })
        .where('endpoint_id', '=', other.id)
        .execute();
      await f.store.db.deleteFrom('jobs').execute();

      assert.deepEqual(await messages.recover(f.dev.id, ep.id, t0 + 1000), { queued: 4 });
      assert.deepEqual(await messages.recover(f.dev.id, ep.id, t0 + 1000, 2), { queued: 2 });
      assert.deepEqual(await messages.recover(f.dev.id, ep.id, t0 + 60_000), { queued: 0 });
      const recoverJobs = await f.queued('outbound.recover');
      assert.deepEqual(
        recoverJobs.map((j) => j.payload),
        [
          { environmentId: f.dev.id, endpointId: ep.id, since: t0 + 1000, limit: 10_000 },
          { environmentId: f.dev.id, endpointId: ep.id, since: t0 + 1000, limit: 2 },
        ],
      );
      await assert.rejects(messages.recover(f.prod.id, ep.id, t0), code('not_found'));

      // The job's handler: manual resends of the failed ones, oldest first, within the bound,
      // each queued once while pending.
      const payload = recoverJobs[0]!.payload as {
        environmentId: string;
        endpointId: string;
        since: number;
        limit: number;
      };
      assert.equal(await recoverFailedMessages({ store: f.store, queue: f.queue, pageSize: 3 }, payload), 4);
      assert.equal(
        await recoverFailedMessages({ store: f.store, queue: f.queue }, { ...payload, limit: 2 }),
        2,
      );
      const deliveries = await f.queued('outbound.deliver');
      assert.deepEqual(
        deliveries.map((j) => j.dedupeKey),
        mine.slice(1, 5).map((m) => recoverDedupeKey(m.id)),
      );
      for (const job of deliveries) assert.equal((job.payload as { trigger: string }).trigger, 'manual');
    });
  });
}
