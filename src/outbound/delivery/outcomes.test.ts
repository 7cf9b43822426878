import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { PACKAGE_VERSION } from '../../version.ts';
import { type DeliveryFixture, openDeliveryFixture } from './fixtures/delivery-fixture.ts';
import { type ReceivedRequest, type Receiver, type Reply, startReceiver } from './fixtures/receiver.ts';

/** The Standard Webhooks headers of a received request, as the verifiers take them. */
function webhookHeaders(request: ReceivedRequest): Record<string, string> {
  return {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
}

for (const target of await testDatabases()) {
  describe(`delivery outcomes on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let fx: DeliveryFixture;
    const receivers: Receiver[] = [];
    const receiver = async (reply?: Reply) => {
      const started = await startReceiver(reply);
      receivers.push(started);
      return started;
    };

    before(async () => {
      database = await target.create!();
      fx = await openDeliveryFixture(database);
    });
    after(async () => {
      await fx?.close();
      await database?.destroy();
    });
    beforeEach(() => fx.reset());
    afterEach(async () => {
      for (const started of receivers.splice(0)) await started.close();
    });

    it('delivers the exact payload, signed (verified by standardwebhooks and svix), and marks the endpoint healthy', async () => {
      // The verifiers check the timestamp against the real time.
      fx.clock.set(Date.now());
      const hook = await receiver({ status: 204 });
      const { id: endpointId, secret } = await fx.addEndpoint({
        url: `${hook.url}?tenant=7`,
        headers: { 'X-Tenant': 'acme' },
      });
      const messageId = await fx.addMessage(endpointId, { amount: 42, note: 'é ✓' });
      const worker = fx.worker();

      const [result] = await fx.runDue(worker);
      assert.deepEqual(result, {
        outcome: 'attempted',
        attempt: 1,
        status: 'succeeded',
        responseStatus: 204,
        errorCode: null,
        nextAttemptAt: null,
      });

      assert.equal(hook.requests.length, 1);
      const request = hook.requests[0]!;
      const stored = await fx.store.db
        .selectFrom('messages')
        .select('payload')
        .where('id', '=', messageId)
        .executeTakeFirstOrThrow();
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/hooks?tenant=7');
      assert.equal(request.body, stored.payload);
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers['user-agent'], `Patchbay-Webhooks/${PACKAGE_VERSION}`);
      assert.equal(request.headers['x-tenant'], 'acme');
      assert.equal(request.headers['webhook-id'], messageId);
      assert.equal(request.headers['webhook-timestamp'], String(Math.floor(fx.clock.now() / 1000)));
      assert.deepEqual(
        new StandardWebhook(secret).verify(request.body, webhookHeaders(request)),
        JSON.parse(stored.payload),
      );
      assert.deepEqual(
        new SvixWebhook(secret).verify(request.body, webhookHeaders(request)),
        JSON.parse(stored.payload),
      );

      assert.deepEqual(await fx.message(messageId), {
        status: 'succeeded',
        attempts: 1,
        next_attempt_at: null,
        last_attempt_at: fx.clock.now(),
      });
      const [attempt] = await fx.attempts(messageId);
      assert.equal(attempt?.status, 'succeeded');
      assert.equal(attempt?.trigger, 'scheduled');
      assert.equal(attempt?.response_status, 204);
      assert.equal(attempt?.error_code, null);
      assert.ok(attempt!.duration_ms >= 0);
      assert.equal((await fx.endpoint(endpointId)).last_success_at, fx.clock.now());
      assert.deepEqual(await fx.queued(), []);
    });

    it('signs with both secrets during a rotation: each verifies on its own', async () => {
      fx.clock.set(Date.now());
      const hook = await receiver({ status: 200 });
      const { id: endpointId, secret: oldSecret } = await fx.addEndpoint({ url: hook.url });
      const newSecret = await fx.endpoints.rotateSecret(fx.environmentId, endpointId);
      await fx.addMessage(endpointId);
      await fx.runDue(fx.worker());

      const request = hook.requests[0]!;
      assert.equal(String(request.headers['webhook-signature']).split(' ').length, 2);
      for (const secret of [oldSecret, newSecret]) {
        assert.ok(new StandardWebhook(secret).verify(request.body, webhookHeaders(request)));
        assert.ok(new SvixWebhook(secret).verify(request.body, webhookHeaders(request)));
      }
    });

    it('signs each attempt with its own timestamp', async () => {
      const hook = await receiver({ status: 500 });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      await fx.addMessage(endpointId);
      const worker = fx.worker();
      await fx.runDue(worker);
      fx.clock.advance(60_000);
      await fx.runDue(worker);
      const [first, second] = hook.requests;
      assert.equal(
        Number(second!.headers['webhook-timestamp']) - Number(first!.headers['webhook-timestamp']),
        60,
      );
      assert.notEqual(first!.headers['webhook-signature'], second!.headers['webhook-signature']);
      assert.equal(first!.headers['webhook-id'], second!.headers['webhook-id']);
    });

    it('fails a 3xx without following it: the redirect target receives nothing', async () => {
      const elsewhere = await receiver({ status: 200 });
      const hook = await receiver({ status: 302, headers: { location: elsewhere.url } });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);

      const [result] = await fx.runDue(fx.worker());
      assert.equal(result?.outcome, 'attempted');
      assert.equal(hook.requests.length, 1);
      assert.equal(elsewhere.requests.length, 0);
      assert.equal(elsewhere.connections(), 0);
      const [attempt] = await fx.attempts(messageId);
      assert.equal(attempt?.status, 'failed');
      assert.equal(attempt?.response_status, 302);
      assert.equal(attempt?.error_code, 'redirect');
      assert.match(attempt!.error_message!, /redirects are not followed/);
      assert.equal((await fx.message(messageId)).status, 'pending');
    });

    it('disables the endpoint on a 410 with an endpoint.disabled event, fails the message, and parks the others', async () => {
      const hook = await receiver({ status: 410, body: 'gone' });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const first = await fx.addMessage(endpointId);
      const worker = fx.worker();
      const eventsBefore = (await fx.events()).length;

      await fx.runDue(worker);
      assert.deepEqual(await fx.message(first), {
        status: 'failed',
        attempts: 1,
        next_attempt_at: null,
        last_attempt_at: fx.clock.now(),
      });
      const endpoint = await fx.endpoint(endpointId);
      assert.equal(endpoint.enabled, 0);
      assert.equal(endpoint.disabled_reason, 'gone');
      const events = (await fx.events()).slice(eventsBefore);
      assert.deepEqual(events, [
        { type: 'endpoint.disabled', data: { endpointId, url: hook.url, reason: 'gone' } },
      ]);
      assert.deepEqual(await fx.queued(), []);

      // A later message to the disabled endpoint gets no attempt: it waits, unscheduled.
      const second = await fx.addMessage(endpointId);
      const [result] = await fx.runDue(worker);
      assert.deepEqual(result, { outcome: 'skipped', reason: 'endpoint_disabled' });
      assert.equal(hook.requests.length, 1);
      assert.deepEqual(await fx.message(second), {
        status: 'pending',
        attempts: 0,
        next_attempt_at: null,
        last_attempt_at: null,
      });
    });

    it('honors Retry-After in seconds on a 429: the next attempt is at least that far', async () => {
      const hook = await receiver({ status: 429, headers: { 'retry-after': '120' } });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      const now = fx.clock.now();
      const [result] = await fx.runDue(fx.worker());

      const message = await fx.message(messageId);
      assert.ok(
        message.next_attempt_at! - now >= 120_000,
        `next attempt after ${message.next_attempt_at! - now} ms`,
      );
      assert.equal(result?.outcome === 'attempted' && result.nextAttemptAt, message.next_attempt_at);
      const [job] = await fx.queued();
      assert.equal(job?.runAt, message.next_attempt_at);
      assert.equal(job?.dedupeKey, `deliver:${messageId}:2`);
      // Not before its time: the job is not claimable a second early.
      fx.clock.set(message.next_attempt_at! - 1000);
      assert.deepEqual(await fx.runDue(fx.worker()), []);
    });

    it('honors an HTTP-date Retry-After on a 503, and clamps a long one to maxRetryAfterMs', async () => {
      const now = fx.clock.now();
      const hook = await receiver({
        status: 503,
        headers: { 'retry-after': new Date(now + 10 * 60_000).toUTCString() },
      });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const dated = await fx.addMessage(endpointId);
      await fx.runDue(fx.worker());
      const wait = (await fx.message(dated)).next_attempt_at! - now;
      // An HTTP date has whole seconds.
      assert.ok(wait >= 10 * 60_000 - 1000 && wait <= 10 * 60_000, `waits ${wait} ms`);

      await fx.reset();
      hook.reply({ status: 503, headers: { 'retry-after': String(3 * 86400) } });
      const long = await fx.addMessage(endpointId);
      await fx.runDue(fx.worker({ maxRetryAfterMs: 3600_000 }));
      assert.equal((await fx.message(long)).next_attempt_at! - fx.clock.now(), 3600_000);
    });

    it('records a receiver that never answers as a timeout', async () => {
      const hook = await receiver('hang');
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      const [result] = await fx.runDue(fx.worker({ timeoutMs: 200 }));
      assert.equal(result?.outcome === 'attempted' && result.errorCode, 'timeout');
      const [attempt] = await fx.attempts(messageId);
      assert.equal(attempt?.error_code, 'timeout');
      assert.equal(attempt?.response_status, null);
      assert.match(attempt!.error_message!, /No response within 200 ms/);
      assert.equal((await fx.message(messageId)).status, 'pending');
    });

    it('records a refused connection as a network error', async () => {
      const closed = await startReceiver();
      const url = closed.url;
      await closed.close();
      const { id: endpointId } = await fx.addEndpoint({ url });
      const messageId = await fx.addMessage(endpointId);
      await fx.runDue(fx.worker());
      const [attempt] = await fx.attempts(messageId);
      assert.equal(attempt?.error_code, 'network_error');
      assert.equal(attempt?.status, 'failed');
    });

    it('keeps only the start of a long response body', async () => {
      const hook = await receiver({ status: 500, body: `${'x'.repeat(10_000)}` });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      await fx.runDue(fx.worker({ responseBodyLimit: 100 }));
      const [attempt] = await fx.attempts(messageId);
      assert.equal(attempt?.response_body, 'x'.repeat(100));
      assert.equal(attempt?.error_code, 'http_error');
    });

    it('keeps the start of a body far past what it reads, and the receiver stays usable', async () => {
      const hook = await receiver({ status: 500, body: 'y'.repeat(400_000) });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const first = await fx.addMessage(endpointId);
      await fx.runDue(fx.worker({ responseBodyLimit: 100 }));
      assert.equal((await fx.attempts(first))[0]?.response_body, 'y'.repeat(100));
      // That connection is dropped, not left half-read: the next attempt goes through.
      hook.reply({ status: 200, body: 'ok' });
      const second = await fx.addMessage(endpointId);
      await fx.runDue(fx.worker());
      assert.equal((await fx.message(second)).status, 'succeeded');
    });

    it('keeps what came of a body the timeout cut short, with its status', async () => {
      const server = createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          // Headers and the start of a body, then nothing more.
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.write('partial answer');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const { id: endpointId } = await fx.addEndpoint({ url: `http://127.0.0.1:${port}/hooks` });
        const messageId = await fx.addMessage(endpointId);
        await fx.runDue(fx.worker({ timeoutMs: 300 }));
        const [attempt] = await fx.attempts(messageId);
        assert.equal(attempt?.response_status, 500);
        assert.equal(attempt?.response_body, 'partial answer');
        assert.equal(attempt?.error_code, 'http_error');
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('makes no second attempt when the same job runs again', async () => {
      const hook = await receiver({ status: 500 });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      const worker = fx.worker();
      const payload = { environmentId: fx.environmentId, messageId, trigger: 'scheduled' as const };

      assert.equal((await worker.deliver(payload)).outcome, 'attempted');
      assert.deepEqual(await worker.deliver(payload), { outcome: 'skipped', reason: 'not_due' });
      assert.equal(hook.requests.length, 1);
      assert.equal((await fx.attempts(messageId)).length, 1);

      // The retry succeeds; running it again (a lease lost after the commit) changes nothing.
      hook.reply({ status: 200 });
      fx.clock.set((await fx.message(messageId)).next_attempt_at!);
      assert.equal((await worker.deliver(payload)).outcome, 'attempted');
      assert.deepEqual(await worker.deliver(payload), { outcome: 'skipped', reason: 'not_due' });
      assert.equal(hook.requests.length, 2);
      assert.equal((await fx.message(messageId)).status, 'succeeded');
    });

    it('makes one manual attempt that schedules nothing and leaves a pending schedule alone', async () => {
      const hook = await receiver({ status: 500 });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      const worker = fx.worker();
      await fx.runDue(worker);
      const before = await fx.message(messageId);
      const queuedBefore = await fx.queued();
      assert.equal(queuedBefore.length, 1);

      fx.clock.advance(1000);
      const manual = await worker.deliver({ environmentId: fx.environmentId, messageId, trigger: 'manual' });
      assert.deepEqual(manual, {
        outcome: 'attempted',
        attempt: 2,
        status: 'pending',
        responseStatus: 500,
        errorCode: 'http_error',
        nextAttemptAt: null,
      });
      const after = await fx.message(messageId);
      assert.equal(after.next_attempt_at, before.next_attempt_at);
      assert.equal(after.attempts, 2);
      assert.deepEqual(
        (await fx.attempts(messageId)).map((a) => a.trigger),
        ['scheduled', 'manual'],
      );
      assert.deepEqual(
        (await fx.queued()).map((job) => job.id),
        queuedBefore.map((job) => job.id),
      );

      // The scheduled retry still happens at its time, as the schedule's second attempt.
      fx.clock.set(before.next_attempt_at!);
      const [scheduled] = await fx.runDue(worker);
      assert.equal(scheduled?.outcome === 'attempted' && scheduled.attempt, 3);
      const wait = (await fx.message(messageId)).next_attempt_at! - fx.clock.now();
      assert.equal(wait, 5 * 60_000, 'third scheduled delay (random fixed at the middle)');
    });

    it('a manual attempt that succeeds completes a failed message', async () => {
      const hook = await receiver({ status: 500 });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      await fx.runDue(fx.worker({ schedule: [0] }));
      assert.equal((await fx.message(messageId)).status, 'failed');
      hook.reply({ status: 200 });
      const result = await fx
        .worker()
        .deliver({ environmentId: fx.environmentId, messageId, trigger: 'manual' });
      assert.equal(result.outcome === 'attempted' && result.status, 'succeeded');
      assert.deepEqual(await fx.queued(), []);
    });

    it('skips a message whose endpoint was deleted, and a message that no longer exists', async () => {
      const hook = await receiver({ status: 200 });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      await fx.addMessage(endpointId);
      await fx.endpoints.delete(fx.environmentId, endpointId);
      assert.deepEqual(await fx.runDue(fx.worker()), [{ outcome: 'skipped', reason: 'message_missing' }]);
      assert.equal(hook.requests.length, 0);

      const other = await fx.addEndpoint({ url: hook.url });
      const kept = await fx.addMessage(other.id);
      // The endpoint read as gone (the left join's nulls) while the message is still there.
      const fake = fx.worker({
        endpoints: {
          attemptOf: async (environmentId, messageId) => {
            const subject = await fx.endpoints.attemptOf(environmentId, messageId);
            return subject && { ...subject, target: () => null };
          },
        },
      });
      assert.deepEqual(
        await fake.deliver({ environmentId: fx.environmentId, messageId: kept, trigger: 'scheduled' }),
        {
          outcome: 'skipped',
          reason: 'endpoint_deleted',
        },
      );
      assert.equal(hook.requests.length, 0);
    });

    it('treats an id of another environment as missing', async () => {
      const hook = await receiver({ status: 200 });
      const { id: endpointId } = await fx.addEndpoint({ url: hook.url });
      const messageId = await fx.addMessage(endpointId);
      const result = await fx.worker().deliver({ environmentId: 'env_other', messageId, trigger: 'manual' });
      assert.deepEqual(result, { outcome: 'skipped', reason: 'message_missing' });
      assert.equal(hook.requests.length, 0);
    });
  });
}
