import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { z } from 'zod';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import { createCatalog, defineJob } from './catalog.ts';
import { openQueue, type QueueFixture } from './fixtures/queue-db.ts';
import { createJobs } from './jobs.ts';
import { createWorker, type JobHandlers, type Worker, type WorkerEvent } from './worker.ts';

const catalog = createCatalog([
  defineJob({ name: 'echo', payload: z.object({ n: z.number(), tag: z.string().default('none') }) }),
  defineJob({
    name: 'flaky',
    payload: z.object({}),
    retry: { attempts: 2, backoff: { initialMs: 1000, jitter: 0.5 } },
  }),
  defineJob({ name: 'slow', payload: z.object({}), timeoutMs: 20 }),
  defineJob({ name: 'hang', payload: z.object({}) }),
]);

/** Records worker events and resolves waiters when a matching one arrives. */
function eventLog() {
  const events: WorkerEvent[] = [];
  const waiters: Array<{ match: (e: WorkerEvent) => boolean; resolve: (e: WorkerEvent) => void }> = [];
  return {
    events,
    onEvent(event: WorkerEvent) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.match(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
    next(match: (e: WorkerEvent) => boolean): Promise<WorkerEvent> {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

for (const target of await testDatabases()) {
  describe(`worker on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let q: QueueFixture;
    let worker: Worker | undefined;
    before(async () => {
      database = await target.create!();
    });
    after(() => database?.destroy());
    beforeEach(async () => {
      q = await openQueue(database);
    });
    afterEach(async () => {
      await worker?.stop({ timeoutMs: 0 });
      worker = undefined;
      await q.close();
    });

    function start(handlers: JobHandlers<typeof catalog>, log = eventLog(), concurrency = 4) {
      worker = createWorker({
        queue: q.queue,
        catalog,
        handlers,
        concurrency,
        pollIntervalMs: 10,
        onEvent: log.onEvent,
      });
      worker.start();
      return log;
    }

    it('runs typed handlers up to the concurrency limit and completes the jobs', async () => {
      const jobs = createJobs(q.queue, catalog);
      await jobs.enqueueMany(
        Array.from({ length: 20 }, (_, n) => ({ name: 'echo' as const, payload: { n } })),
      );
      let running = 0;
      let peak = 0;
      const seen: Array<{ n: number; tag: string; attempt: number }> = [];
      const log = start({
        async echo(payload, { job }) {
          running += 1;
          peak = Math.max(peak, running);
          await nextTurn();
          seen.push({ n: payload.n, tag: payload.tag, attempt: job.attempt });
          running -= 1;
        },
      });
      await log.next(() => log.events.filter((e) => e.type === 'completed').length === 20);
      assert.equal(peak, 4);
      assert.deepEqual(
        seen.map((s) => s.n).sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, n) => n),
      );
      assert.ok(seen.every((s) => s.tag === 'none' && s.attempt === 1));
      assert.deepEqual(await q.queue.stats(), { waiting: 0, delayed: 0, active: 0, dead: 0, byName: {} });
    });

    it('records a thrown error as a failed attempt, retries after the backoff, then marks it dead', async () => {
      const { id } = await createJobs(q.queue, catalog).enqueue('flaky', {});
      const log = start({
        flaky() {
          throw new Error('flaky failure');
        },
      });
      const first = await log.next((e) => e.type === 'failed');
      // 1000 ms cut by jitter 0.5 × random 0.5.
      assert.deepEqual(first.type === 'failed' && first.outcome, {
        state: 'queued',
        runAt: q.clock.now() + 750,
        attempts: 1,
      });
      assert.deepEqual(first.type === 'failed' && first.error, { message: 'flaky failure' });
      q.clock.advance(750);
      const second = await log.next((e) => e.type === 'failed' && e.job.attempt === 2);
      assert.deepEqual(second.type === 'failed' && second.outcome, { state: 'dead', attempts: 2 });
      const [dead] = await q.queue.list({ state: 'dead' });
      assert.equal(dead?.id, id);
      assert.deepEqual(dead?.lastError, { message: 'flaky failure' });
    });

    it('aborts a handler that runs past its timeout and counts the attempt as failed', async () => {
      const { id } = await createJobs(q.queue, catalog).enqueue('slow', {});
      let reason: unknown;
      const log = start({
        slow: (_payload, { signal }) =>
          new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => {
              reason = signal.reason;
              resolve();
            });
          }),
      });
      const failed = await log.next((e) => e.type === 'failed');
      assert.ok(isPatchbayError(reason, 'job_timeout'));
      assert.equal(failed.type === 'failed' && failed.error.code, 'job_timeout');
      assert.equal(failed.type === 'failed' && failed.outcome.state, 'queued');
      const info = await q.queue.get(id);
      assert.equal(info?.attempts, 1);
      assert.equal(info?.lastError?.code, 'job_timeout');
    });

    it('stops gracefully: waits for running jobs, then releases the leases of those still running', async () => {
      const jobs = createJobs(q.queue, catalog);
      const quick = await jobs.enqueue('echo', { n: 1 });
      const stuck = await jobs.enqueue('hang', {});
      const quickGate = gate();
      const started = { echo: gate(), hang: gate() };
      let hangSignal: AbortSignal | undefined;
      const log = start({
        async echo() {
          started.echo.open();
          await quickGate.opened;
        },
        hang: (_payload, { signal }) => {
          hangSignal = signal;
          started.hang.open();
          return new Promise<void>(() => {});
        },
      });
      await Promise.all([started.echo.opened, started.hang.opened]);
      const stopping = worker!.stop({ timeoutMs: 50 });
      quickGate.open();
      const report = await stopping;
      assert.deepEqual(report, { released: [stuck.id] });
      assert.equal(await q.queue.get(quick.id), undefined, 'the job that finished in time completed');
      const released = await q.queue.get(stuck.id);
      assert.equal(released?.state, 'queued');
      assert.equal(released?.attempts, 0, 'a released attempt is not counted');
      assert.equal(released?.leaseOwner, null);
      assert.equal(hangSignal?.aborted, true);
      assert.ok(log.events.some((e) => e.type === 'released' && e.job.id === stuck.id));
      // A stopped worker claims nothing more: a job enqueued now is left for others.
      const later = await createJobs(q.queue, catalog).enqueue('echo', { n: 2 });
      const [taken] = await q.queue.claim({ names: ['echo'], owner: 'other', leaseMs: 1000, limit: 1 });
      assert.equal(taken?.id, later.id);
      assert.equal(worker!.running, 0);
    });

    it('gives back jobs that a claim returns after stop() began, without running them', async () => {
      const { id } = await createJobs(q.queue, catalog).enqueue('echo', { n: 1 });
      let called = false;
      start({
        echo() {
          called = true;
        },
      });
      // start() has sent a claim; stop() begins before it returns.
      const report = await worker!.stop({ timeoutMs: 1000 });
      assert.deepEqual(report, { released: [] });
      assert.equal(called, false);
      const info = await q.queue.get(id);
      assert.equal(info?.state, 'queued');
      assert.equal(info?.attempts, 0);
    });

    it('aborts the handler when its lease is taken away', async () => {
      const { id } = await createJobs(q.queue, catalog).enqueue('hang', {});
      const started = gate();
      let signal: AbortSignal | undefined;
      const log = eventLog();
      worker = createWorker({
        queue: q.queue,
        catalog,
        handlers: {
          hang: (_payload, context) => {
            signal = context.signal;
            started.open();
            return new Promise<void>(() => {});
          },
        },
        leaseMs: 30,
        onEvent: log.onEvent,
      });
      worker.start();
      await started.opened;
      // Another process reclaimed and took the job.
      await q.store.db
        .updateTable('jobs')
        .set({ lease_owner: 'someone-else' })
        .where('id', '=', id)
        .execute();
      await log.next((e) => e.type === 'lease_lost');
      assert.equal(signal?.aborted, true);
      assert.equal(worker.running, 0);
    });

    it('sends a stored payload that no longer fits its schema to dead without retrying', async () => {
      const { id } = await q.queue.enqueue({ name: 'echo', payload: { n: 'one' } });
      let called = false;
      const log = start({
        echo() {
          called = true;
        },
      });
      const failed = await log.next((e) => e.type === 'failed');
      assert.equal(called, false);
      assert.equal(failed.type === 'failed' && failed.error.code, 'job_payload_invalid');
      assert.equal((await q.queue.get(id))?.state, 'dead');
    });

    it('refuses handlers for jobs outside the catalog', () => {
      assert.throws(
        () =>
          createWorker({
            queue: q.queue,
            catalog,
            handlers: { missing: async () => {} } as JobHandlers<typeof catalog>,
          }),
        (e) => isPatchbayError(e, 'unknown_job'),
      );
    });
  });
}
