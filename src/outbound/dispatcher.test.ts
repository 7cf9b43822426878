import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { appendEvent, onEventAppended } from '../events/index.ts';
import { newId } from '../ids/index.ts';
import type { Store } from '../store/index.ts';
import { createDispatcher, dispatchHandlers } from './dispatcher.ts';
import { connectionData, type OutboundFixture, openOutboundFixture } from './fixtures/messages-fixture.ts';
import { deliveryDedupeKey } from './jobs.ts';

const endpointInput = (
  url: string,
  extra: { eventTypes?: string[] | null; channels?: string[] | null } = {},
) => ({
  url,
  ...extra,
});

for (const target of await testDatabases()) {
  describe(`outbound dispatcher on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: OutboundFixture;
    before(async () => {
      database = await target.create!();
      f = await openOutboundFixture(database);
    });
    after(async () => {
      await f?.close();
      await database?.destroy();
    });
    beforeEach(() => f.reset());

    const dispatcher = (batchSize?: number, store: Store = f.store) =>
      createDispatcher({
        store,
        endpoints: f.endpoints,
        queue: f.queue,
        clock: f.clock,
        ...(batchSize === undefined ? {} : { batchSize }),
      });

    it('fans each event out to the endpoints whose type filter matches, and marks it dispatched', async () => {
      const all = (await f.endpoints.create(f.dev.id, endpointInput('https://a.example/hook'))).endpoint;
      const connections = (
        await f.endpoints.create(
          f.dev.id,
          endpointInput('https://b.example/hook', { eventTypes: ['connection.*'] }),
        )
      ).endpoint;
      const deletedOnly = (
        await f.endpoints.create(
          f.dev.id,
          endpointInput('https://c.example/hook', { eventTypes: ['connection.deleted'] }),
        )
      ).endpoint;
      await f.endpoints.create(f.prod.id, endpointInput('https://prod.example/hook'));
      const disabled = (await f.endpoints.create(f.dev.id, endpointInput('https://d.example/hook'))).endpoint;
      await f.endpoints.update(f.dev.id, disabled.id, { enabled: false });
      // Disabling wrote an `endpoint.disabled` event; this test counts only its own.
      await f.store.db.deleteFrom('events').execute();

      const [created, deleted] = await f.emit(
        { environmentId: f.dev.id, type: 'connection.created', data: connectionData('conn_1') },
        {
          environmentId: f.dev.id,
          type: 'connection.deleted',
          data: { ...connectionData('conn_1'), revoked: true },
        },
      );
      const report = await dispatcher().dispatchPending();
      assert.deepEqual(report, { events: 2, messages: 5 });

      const messages = await f.store.db.selectFrom('messages').selectAll().orderBy('id').execute();
      const targets = (eventId: string) =>
        messages
          .filter((m) => m.event_id === eventId)
          .map((m) => m.endpoint_id)
          .sort();
      assert.deepEqual(targets(created!.id), [all.id, connections.id].sort());
      assert.deepEqual(targets(deleted!.id), [all.id, connections.id, deletedOnly.id].sort());
      for (const message of messages) {
        assert.equal(message.environment_id, f.dev.id);
        assert.equal(message.status, 'pending');
        assert.equal(Number(message.next_attempt_at), f.clock.now());
        assert.equal(message.channels, null);
      }
      // The payload is the exact body that will be signed.
      const first = messages.find((m) => m.event_id === created!.id)!;
      assert.equal(
        first.payload,
        `{"type":"connection.created","timestamp":"${new Date(created!.createdAt).toISOString()}","data":${JSON.stringify(connectionData('conn_1'))}}`,
      );

      const events = await f.store.db.selectFrom('events').select(['id', 'dispatched_at']).execute();
      for (const event of events) assert.equal(Number(event.dispatched_at), f.clock.now());

      const jobs = await f.queued('outbound.deliver');
      assert.equal(jobs.length, 5);
      assert.deepEqual(
        jobs.map((job) => job.dedupeKey).sort(),
        messages.map((m) => deliveryDedupeKey(m.id, 1)).sort(),
      );
      assert.deepEqual(jobs.find((job) => job.dedupeKey === deliveryDedupeKey(first.id, 1))?.payload, {
        environmentId: f.dev.id,
        messageId: first.id,
        trigger: 'scheduled',
      });
      assert.equal(jobs[0]!.environmentId, f.dev.id);

      // Nothing left: a second pass does nothing.
      assert.deepEqual(await dispatcher().dispatchPending(), { events: 0, messages: 0 });
    });

    it('sends events (which carry no channels) only to endpoints without a channel filter', async () => {
      await f.endpoints.create(f.dev.id, endpointInput('https://a.example/hook', { channels: ['u1'] }));
      const open = (await f.endpoints.create(f.dev.id, endpointInput('https://b.example/hook'))).endpoint;
      await f.emit({ environmentId: f.dev.id, type: 'connection.created', data: connectionData('conn_1') });
      assert.deepEqual(await dispatcher().dispatchPending(), { events: 1, messages: 1 });
      const [message] = await f.store.db.selectFrom('messages').selectAll().execute();
      assert.equal(message?.endpoint_id, open.id);
    });

    it('marks events without a matching endpoint dispatched, with no message', async () => {
      await f.endpoints.create(f.dev.id, endpointInput('https://a.example/hook', { eventTypes: ['sync.*'] }));
      await f.emit({ environmentId: f.dev.id, type: 'connection.created', data: connectionData('conn_1') });
      assert.deepEqual(await dispatcher().dispatchPending(), { events: 1, messages: 0 });
      const [event] = await f.store.db.selectFrom('events').select('dispatched_at').execute();
      assert.notEqual(event?.dispatched_at, null);
      assert.equal((await f.queued('outbound.deliver')).length, 0);
    });

    it('works through every pending event in batches, oldest first', async () => {
      await f.endpoints.create(f.dev.id, endpointInput('https://a.example/hook'));
      const events = Array.from({ length: 23 }, (_, i) => ({
        environmentId: f.dev.id,
        type: 'connection.created' as const,
        data: connectionData(`conn_${i}`),
      }));
      await f.emit(...events);
      assert.deepEqual(await dispatcher(5).dispatchPending(), { events: 23, messages: 23 });
      const messages = await f.store.db
        .selectFrom('messages')
        .select(['event_id', 'payload'])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        messages.map((m) => JSON.parse(m.payload).data.connectionId),
        events.map((e) => e.data.connectionId),
      );
    });

    it('creates each message exactly once with two dispatchers in two processes on one database', async () => {
      const endpointIds = [];
      for (const host of ['a', 'b', 'c']) {
        endpointIds.push(
          (await f.endpoints.create(f.dev.id, endpointInput(`https://${host}.example/hook`))).endpoint.id,
        );
      }
      const count = 1000;
      await f.emit(
        ...Array.from({ length: count }, (_, i) => ({
          environmentId: f.dev.id,
          type: 'connection.created' as const,
          data: connectionData(`conn_${i}`),
        })),
      );
      const child = await startChild(database, 7, 3);
      const one = dispatcher(7);
      child.go();
      const here = [];
      for (let round = 0; round < 3; round++) here.push(await one.dispatchPending());
      const theirs = await child.report;
      console.log(
        `# dispatched here ${here.reduce((s, r) => s + r.events, 0)}, in the child ${theirs.events}`,
      );
      const reports = [...here, theirs];
      // Whatever the child still held when we stopped is done now.
      reports.push(await one.dispatchPending());

      assert.equal(
        reports.reduce((sum, r) => sum + r.events, 0),
        count,
      );
      assert.equal(
        reports.reduce((sum, r) => sum + r.messages, 0),
        count * endpointIds.length,
      );
      const messages = await f.store.db
        .selectFrom('messages')
        .select(['id', 'event_id', 'endpoint_id'])
        .execute();
      assert.equal(messages.length, count * endpointIds.length);
      assert.equal(new Set(messages.map((m) => `${m.event_id}/${m.endpoint_id}`)).size, messages.length);
      const undispatched = await f.store.db
        .selectFrom('events')
        .select('id')
        .where('dispatched_at', 'is', null)
        .execute();
      assert.equal(undispatched.length, 0);
      const jobs = await f.store.db
        .selectFrom('jobs')
        .select('dedupe_key')
        .where('name', '=', 'outbound.deliver')
        .execute();
      assert.deepEqual(
        jobs.map((j) => j.dedupe_key).sort(),
        messages.map((m) => deliveryDedupeKey(m.id, 1)).sort(),
      );
    });

    it('nudge() coalesces calls into runs that dispatch new events; stop() waits for the run', async () => {
      await f.endpoints.create(f.dev.id, endpointInput('https://a.example/hook'));
      const d = dispatcher();
      await f.emit({ environmentId: f.dev.id, type: 'connection.created', data: connectionData('conn_1') });
      d.nudge();
      d.nudge();
      d.nudge();
      await waitFor(
        async () => (await f.store.db.selectFrom('messages').select('id').execute()).length === 1,
      );
      await f.emit({ environmentId: f.dev.id, type: 'connection.created', data: connectionData('conn_2') });
      d.nudge();
      await d.stop();
      // stop() returned after the run the last nudge asked for.
      assert.equal((await f.store.db.selectFrom('messages').select('id').execute()).length, 2);
      assert.equal((await f.queued('outbound.deliver')).length, 2);
      // A stopped dispatcher ignores nudges.
      await f.emit({ environmentId: f.dev.id, type: 'connection.created', data: connectionData('conn_3') });
      d.nudge();
      await d.stop();
      assert.equal((await f.store.db.selectFrom('messages').select('id').execute()).length, 2);
    });

    it('is nudged by every event appended in this process, and looks again after a nudge that came before the commit', async () => {
      await f.endpoints.create(f.dev.id, endpointInput('https://a.example/hook'));
      const d = dispatcher();
      const unsubscribe = onEventAppended(() => d.nudge());
      try {
        // The nudge fires inside the transaction; it commits a little later. The dispatcher is
        // not started (no poll): only the nudge and its recheck can dispatch the event.
        await f.store.db.transaction().execute(async (trx) => {
          await appendEvent(
            trx,
            { environmentId: f.dev.id, type: 'connection.created', data: connectionData('conn_1') },
            { clock: f.clock, newId },
          );
          await new Promise((resolve) => setTimeout(resolve, 5));
        });
        await waitFor(
          async () => (await f.store.db.selectFrom('messages').select('id').execute()).length === 1,
        );
      } finally {
        unsubscribe();
        await d.stop();
      }
    });

    it('start() polls for events committed elsewhere; the job handler dispatches too', async () => {
      await f.endpoints.create(f.dev.id, endpointInput('https://a.example/hook'));
      const d = createDispatcher({
        store: f.store,
        endpoints: f.endpoints,
        queue: f.queue,
        clock: f.clock,
        pollMs: 20,
      });
      d.start();
      try {
        await f.emit({ environmentId: f.dev.id, type: 'connection.created', data: connectionData('conn_1') });
        await waitFor(
          async () => (await f.store.db.selectFrom('messages').select('id').execute()).length === 1,
        );
      } finally {
        await d.stop();
      }
      await f.emit({ environmentId: f.dev.id, type: 'connection.created', data: connectionData('conn_2') });
      const handlers = dispatchHandlers(dispatcher());
      await handlers['outbound.dispatch']!({}, {
        job: {} as never,
        signal: new AbortController().signal,
      } as never);
      assert.equal((await f.store.db.selectFrom('messages').select('id').execute()).length, 2);
    });
  });
}

const CHILD = new URL('./fixtures/dispatcher-child.ts', import.meta.url).pathname;

/** Starts a dispatcher in another process; `go()` lets it run, `report` is its summed report. */
async function startChild(
  database: TestDatabase,
  batchSize: number,
  rounds: number,
): Promise<{ go(): void; report: Promise<{ events: number; messages: number }> }> {
  const child = spawn(
    process.execPath,
    [CHILD, database.databaseUrl, database.dataDir, String(batchSize), String(rounds)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.startsWith('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`dispatcher child exited with ${code}: ${err}`)));
  });
  const report = new Promise<{ events: number; messages: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out.slice('ready\n'.length)));
      else reject(new Error(`dispatcher child exited with ${code}: ${err}`));
    });
  });
  await ready;
  return { go: () => child.stdin.write('go\n'), report };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
