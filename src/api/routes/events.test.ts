import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { PatchbayClient } from '../../../sdk/src/index.ts';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import {
  createEventStream,
  EVENT_TYPE_DEFINITIONS,
  type EventStream,
  type NewEvent,
} from '../../events/index.ts';
import {
  connectionData,
  lateBound,
  type OutboundFixture,
  openOutboundFixture,
} from '../../outbound/fixtures/messages-fixture.ts';
import { eventRoutes } from './events.ts';

/** One parsed SSE frame: its fields, or a comment. */
interface Frame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** A live SSE client over fetch: collects frames until closed. */
async function openSse(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const frames: Frame[] = [];
  let ended = false;
  const waiters = new Set<() => void>();
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame: Frame = {};
          for (const line of buffer.slice(0, end).split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            else {
              const colon = line.indexOf(':');
              (frame as Record<string, string>)[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
            }
          }
          frames.push(frame);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
        for (const wake of waiters) wake();
      }
    } catch {
      // Aborted by the test.
    } finally {
      ended = true;
      for (const wake of waiters) wake();
    }
  })();
  const until = async (check: () => boolean) => {
    while (!check()) {
      if (ended) throw new Error(`stream ended; frames: ${JSON.stringify(frames)}`);
      await new Promise<void>((resolve) => waiters.add(resolve));
    }
  };
  return {
    response,
    frames,
    events: () => frames.filter((f) => f.id !== undefined),
    /** Waits until `n` events have arrived. */
    waitForEvents: (n: number) => until(() => frames.filter((f) => f.id !== undefined).length >= n),
    waitFor: until,
    /** Resolves when the server ends the stream. */
    ended: () => reading.then(() => undefined),
    close() {
      controller.abort();
      return reading;
    },
  };
}

for (const target of await testDatabases()) {
  describe(`events API on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    let f: OutboundFixture;
    let stream: EventStream;
    let base: string;
    before(async () => {
      database = await target.create!();
      api = await createTestApi(database, {
        routes: [
          eventRoutes({
            store: lateBound(() => api.store),
            stream: lateBound(() => stream),
            heartbeatMs: 50,
          }),
        ],
      });
      f = await openOutboundFixture(database, { store: api.store, clock: api.clock });
      stream = createEventStream({ store: api.store, clock: api.clock, pollMs: 20, settleMs: 0 });
      base = await api.app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      stream?.close();
      await f?.close();
      await api?.close();
      await database?.destroy();
    });
    beforeEach(() => f.reset());

    const created = (id: string, environmentId = api.dev.id): NewEvent => ({
      environmentId,
      type: 'connection.created',
      data: connectionData(id),
    });

    it('GET /v1/event-types lists every catalog type with the JSON Schema of its data', async () => {
      const response = await api.app.inject({ method: 'GET', url: '/v1/event-types', headers: api.devAuth });
      assert.equal(response.statusCode, 200);
      const types = response.json().data;
      assert.deepEqual(
        types.map((t: { type: string }) => t.type),
        EVENT_TYPE_DEFINITIONS.map((d) => d.type),
      );
      const deleted = types.find((t: { type: string }) => t.type === 'connection.deleted');
      assert.equal(deleted.schema.type, 'object');
      assert.equal(deleted.schema.properties.revoked.type, 'boolean');
      assert.equal(deleted.pattern, null);
      const inbound = types.find((t: { type: string }) => t.type.startsWith('inbound.'));
      assert.ok(new RegExp(inbound.pattern).test('inbound.stripe.invoice.paid'));
    });

    it('GET /v1/events lists the environment’s events with a type filter and cursor pages', async () => {
      await f.emit(
        created('conn_1'),
        {
          ...created('conn_1'),
          type: 'connection.deleted',
          data: { ...connectionData('conn_1'), revoked: false },
        },
        created('conn_2'),
        created('conn_prod', api.prod.id),
      );
      const list = (await api.app.inject({ method: 'GET', url: '/v1/events', headers: api.devAuth })).json();
      assert.equal(list.data.length, 3);
      assert.deepEqual(list.data[0].data, connectionData('conn_1'));
      assert.equal(list.data[0].type, 'connection.created');
      const deleted = (
        await api.app.inject({
          method: 'GET',
          url: '/v1/events?type=connection.deleted',
          headers: api.devAuth,
        })
      ).json();
      assert.equal(deleted.data.length, 1);
      assert.equal(
        (
          await api.app.inject({ method: 'GET', url: '/v1/events?type=connection.*', headers: api.devAuth })
        ).json().data.length,
        3,
      );
      const page1 = (
        await api.app.inject({ method: 'GET', url: '/v1/events?limit=2', headers: api.devAuth })
      ).json();
      assert.equal(page1.data.length, 2);
      const page2 = (
        await api.app.inject({
          method: 'GET',
          url: `/v1/events?limit=2&after=${page1.nextAfter}`,
          headers: api.devAuth,
        })
      ).json();
      assert.deepEqual(
        [...page1.data, ...page2.data].map((e: { id: string }) => e.id),
        list.data.map((e: { id: string }) => e.id),
      );
      assert.equal(page2.nextAfter, null);
      const bad = await api.app.inject({ method: 'GET', url: '/v1/events?after=nope', headers: api.devAuth });
      assert.equal(bad.json().error.code, 'invalid_id');

      const client = new PatchbayClient({
        baseUrl: base,
        apiKey: api.devAuth.authorization.slice('Bearer '.length),
      });
      assert.deepEqual(await client.events.list({ type: 'connection.deleted' }), deleted);
      assert.equal((await client.events.types()).length, EVENT_TYPE_DEFINITIONS.length);
    });

    it('streams new events of the environment only, in order, with heartbeats; resumes after Last-Event-ID', async () => {
      await f.emit(created('conn_before'));
      const first = await openSse(`${base}/v1/events/stream`, api.devAuth);
      assert.equal(first.response.status, 200);
      assert.match(first.response.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.ok(first.response.headers.get('x-request-id'));
      await first.waitFor(() => first.frames.some((frame) => frame.retry === '2000'));

      const written = await f.emit(created('conn_1'), created('conn_prod', api.prod.id), created('conn_2'));
      stream.nudge();
      await first.waitForEvents(2);
      const received = first.events();
      assert.deepEqual(
        received.map((frame) => frame.id),
        [written[0]!.id, written[2]!.id],
      );
      assert.equal(received[0]!.event, 'connection.created');
      assert.deepEqual(JSON.parse(received[0]!.data!), {
        id: written[0]!.id,
        type: 'connection.created',
        data: connectionData('conn_1'),
        createdAt: new Date(written[0]!.createdAt).toISOString(),
      });
      await first.waitFor(() => first.frames.some((frame) => frame.comment === 'heartbeat'));
      await first.close();
      // The server noticed the client leaving and ended its side.
      const closedLines = () => api.logs.entries().filter((line) => line.msg === 'event stream closed');
      while (closedLines().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(closedLines()[0]!.eventsSent, 2);

      // Events written while disconnected arrive on resumption, once each, after the last id.
      const missed = await f.emit(created('conn_3'), created('conn_4'));
      const resumed = await openSse(`${base}/v1/events/stream`, {
        ...api.devAuth,
        'last-event-id': received[1]!.id!,
      });
      await resumed.waitForEvents(2);
      const more = await f.emit(created('conn_5'));
      stream.nudge();
      await resumed.waitForEvents(3);
      assert.deepEqual(
        resumed.events().map((frame) => frame.id),
        [...missed, ...more].map((e) => e.id),
      );
      await resumed.close();

      const byQuery = await openSse(`${base}/v1/events/stream?lastEventId=${written[0]!.id}`, api.devAuth);
      await byQuery.waitForEvents(4);
      assert.deepEqual(
        byQuery.events().map((frame) => frame.id),
        [written[2]!, ...missed, ...more].map((e) => e.id),
      );
      await byQuery.close();
    });

    it('answers HEAD at once with the stream headers and no body', async () => {
      // The bound only turns a hang into a failure; HEAD must not wait for the stream to end.
      const head = await fetch(`${base}/v1/events/stream`, {
        method: 'HEAD',
        headers: api.devAuth,
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(head.status, 200);
      assert.match(head.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.equal(head.headers.get('cache-control'), 'no-cache, no-transform');
      assert.ok(head.headers.get('x-request-id'));
      assert.equal(await head.text(), '');
      const anonymous = await fetch(`${base}/v1/events/stream`, {
        method: 'HEAD',
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(anonymous.status, 401);
    });

    it('refuses a malformed Last-Event-ID and a missing key', async () => {
      const bad = await api.app.inject({
        method: 'GET',
        url: '/v1/events/stream',
        headers: { ...api.devAuth, 'last-event-id': 'msg_1' },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'invalid_id');
      const anonymous = await api.app.inject({ method: 'GET', url: '/v1/events/stream' });
      assert.equal(anonymous.statusCode, 401);
    });

    it('ends open streams when the server closes, so close() returns', { timeout: 20_000 }, async () => {
      const open = await openSse(`${base}/v1/events/stream`, api.devAuth);
      await open.waitFor(() => open.frames.length > 0);
      const started = Date.now();
      await api.app.close();
      console.log(`# app.close() took ${Date.now() - started} ms`);
      await open.ended();
      assert.ok(api.logs.entries().some((line) => line.msg === 'event stream closed'));
    });
  });
}
