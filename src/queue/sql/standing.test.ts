import assert from 'node:assert/strict';
import { it } from 'node:test';
import { z } from 'zod';
import { createCatalog, defineJob } from '../catalog.ts';
import { describeQueueSuites } from '../fixtures/queue-db.ts';
import type { ClaimedJob, StandingClaimer } from '../types.ts';
import { createWorker, JOB_COMPLETED } from '../worker.ts';

const OWNER = 'worker-a';

/** A claimer that grants `slots` and records what it was handed. */
function recordingClaimer(slots: number, names: readonly string[] = ['email']) {
  const taken: Array<{ jobs: ClaimedJob[]; reserved: number; committed: boolean }> = [];
  const freedSeen: number[] = [];
  const claimer: StandingClaimer = {
    names,
    owner: OWNER,
    leaseMs: 30_000,
    reserve(freed) {
      freedSeen.push(freed);
      return slots;
    },
    take(jobs, reserved, committed) {
      taken.push({ jobs, reserved, committed });
    },
  };
  return { claimer, taken, freedSeen };
}

await describeQueueSuites('SQL queue standing claims', (q) => {
  it('claims jobs of its names in the commit that creates them, and hands them over after it', async () => {
    const { claimer, taken } = recordingClaimer(5);
    q.queue.attachClaimer(claimer);
    const before = q.queue.commitStats();
    await q.queue.enqueueMany([
      { name: 'email', payload: 1 },
      { name: 'email', payload: 2 },
      { name: 'report', payload: 3 },
    ]);
    assert.equal(q.queue.commitStats().flushes - before.flushes, 1);
    assert.equal(taken.length, 1);
    assert.equal(taken[0]!.committed, true);
    assert.equal(taken[0]!.reserved, 5);
    assert.deepEqual(
      taken[0]!.jobs.map((job) => [job.name, job.payload, job.owner]),
      [
        ['email', 1, OWNER],
        ['email', 2, OWNER],
      ],
    );
    const active = await q.queue.list({ state: 'active' });
    assert.deepEqual(active.map((job) => job.payload).sort(), [1, 2]);
  });

  it('leaves a claimer alone when the commit creates none of its jobs, or it grants no slot', async () => {
    const idle = recordingClaimer(5, ['other']);
    const full = recordingClaimer(0);
    q.queue.attachClaimer(idle.claimer);
    q.queue.attachClaimer(full.claimer);
    await q.queue.enqueue({ name: 'email', payload: 1 });
    assert.deepEqual(idle.freedSeen, []);
    assert.deepEqual(full.freedSeen, [0]);
    assert.deepEqual(full.taken, []);
    assert.equal((await q.queue.list({ state: 'queued' })).length, 1);
  });

  it('completes a job with a batch item given its lease, and refills the freed slot in that commit', async () => {
    await q.queue.enqueueMany([
      { name: 'email', payload: 1 },
      { name: 'email', payload: 2 },
    ]);
    const [first] = await q.queue.claim({ names: ['email'], owner: OWNER, leaseMs: 30_000, limit: 1 });
    const { claimer, taken, freedSeen } = recordingClaimer(1);
    q.queue.attachClaimer(claimer);
    const write = q.queue.batcher(async (_trx, items: string[]) => items.map((item) => item.length));
    const before = q.queue.commitStats();
    assert.equal(await write('done', { id: first!.id, owner: OWNER }), 4);
    assert.equal(q.queue.commitStats().flushes - before.flushes, 1);
    assert.equal(await q.queue.get(first!.id), undefined);
    assert.deepEqual(freedSeen, [1]);
    assert.deepEqual(
      taken[0]!.jobs.map((job) => job.payload),
      [2],
    );
  });

  it('claims a job a batch item creates in that commit, though the clock moved on during it', async () => {
    const { claimer, taken } = recordingClaimer(2);
    q.queue.attachClaimer(claimer);
    // The item's write takes a while: the clock passes a millisecond before it queues its job.
    const write = q.queue.batcher(async (trx, items: string[]) => {
      q.clock.advance(1);
      await q.queue.enqueueManyIn(trx, [{ name: 'email', payload: items[0] }]);
      return items.map(() => true);
    });
    assert.equal(await write('created in a batch'), true);
    assert.equal(taken.length, 1);
    assert.deepEqual(
      taken[0]!.jobs.map((job) => job.payload),
      ['created in a batch'],
      'the job waits for no other commit to be claimed',
    );
  });

  it('hands over nothing, marked uncommitted, when the transaction rolls back after its claim', async () => {
    const { claimer, taken } = recordingClaimer(3);
    q.queue.attachClaimer(claimer);
    // A second claimer whose reservation fails: the transaction rolls back after the first claimed.
    q.queue.attachClaimer({
      ...recordingClaimer(1).claimer,
      reserve() {
        throw new Error('boom');
      },
    });
    await assert.rejects(q.queue.enqueue({ name: 'email', payload: 1 }), /boom/);
    assert.deepEqual(taken, [{ jobs: [], reserved: 3, committed: false }]);
    assert.equal((await q.queue.list({ state: 'queued' })).length, 0);
    assert.equal((await q.queue.list({ state: 'active' })).length, 0);
  });

  it('wakes listeners with the names of the jobs created', async () => {
    const wakes: Array<string[] | undefined> = [];
    q.queue.onAvailable((names) => wakes.push(names ? [...names].sort() : undefined));
    await q.queue.enqueueMany([
      { name: 'report', payload: 1 },
      { name: 'email', payload: 2 },
    ]);
    assert.deepEqual(wakes, [['email', 'report']]);
  });

  it('runs a worker on its standing claim: a job enqueued while it idles starts without a claim of its own', async () => {
    const catalog = createCatalog([
      defineJob({ name: 'email', payload: z.number(), retry: { attempts: 1 }, timeoutMs: 10_000 }),
    ]);
    const seen: number[] = [];
    const record = q.queue.batcher(async (_trx, items: number[]) => items);
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const worker = createWorker({
      queue: q.queue,
      catalog,
      pollIntervalMs: 60_000,
      handlers: {
        email: async (payload, { lease }): Promise<typeof JOB_COMPLETED> => {
          seen.push(await record(payload, lease));
          if (seen.length === 2) finish();
          return JOB_COMPLETED;
        },
      },
    });
    worker.start();
    // Let the start-up claim (an empty queue) finish.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    await q.queue.enqueueMany([
      { name: 'email', payload: 1 },
      { name: 'email', payload: 2 },
    ]);
    await finished;
    await worker.stop();
    assert.deepEqual(seen.sort(), [1, 2]);
    assert.equal((await q.queue.list({ state: 'queued' })).length, 0);
    assert.equal((await q.queue.list({ state: 'active' })).length, 0);
  });
});
