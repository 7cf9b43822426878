import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeQueueSuites } from '../fixtures/queue-db.ts';

const OWNER = 'worker-a';
const claimAll = { names: ['email'], owner: OWNER, leaseMs: 30_000, limit: 100 };

await describeQueueSuites('SQL queue transactions joined by callers', (q) => {
  const jobCount = async () =>
    Number(
      (
        await q.store.db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .executeTakeFirstOrThrow()
      ).count,
    );

  it("runs a batcher's items together, in one commit with the queue's own operations", async () => {
    await q.queue.enqueue({ name: 'email', payload: 0 });
    const calls: number[][] = [];
    const double = q.queue.batcher(async (_trx, items: number[]) => {
      calls.push(items);
      return items.map((item) => item * 2);
    });
    const before = q.queue.commitStats();
    const [a, b, c, claimed] = await Promise.all([double(1), double(2), double(3), q.queue.claim(claimAll)]);
    assert.deepEqual([a, b, c], [2, 4, 6]);
    assert.deepEqual(calls, [[1, 2, 3]]);
    assert.equal(claimed.length, 1);
    assert.equal(q.queue.commitStats().flushes - before.flushes, 1);
  });

  it('commits jobs enqueued inside a batch with it, and wakes workers only after the commit', async () => {
    let woken = 0;
    q.queue.onAvailable(() => {
      woken += 1;
    });
    let countInside = -1;
    const add = q.queue.batcher(async (trx, names: string[]) => {
      const jobs = await q.queue.enqueueManyIn(
        trx,
        names.map((name) => ({ name: 'email', payload: { name }, dedupeKey: name })),
      );
      countInside = woken;
      return jobs;
    });
    const [first, second] = await Promise.all([add('a'), add('b')]);
    assert.equal(countInside, 0);
    assert.equal(woken, 1);
    assert.deepEqual([first!.created, second!.created], [true, true]);
    const claimed = await q.queue.claim(claimAll);
    assert.deepEqual(claimed.map((job) => job.id).sort(), [first!.id, second!.id].sort());
    // Deduplicated like enqueue: a pending job with the same key is returned.
    const again = await add('a');
    assert.deepEqual(again, { id: first!.id, created: false });
  });

  it('rolls back the jobs of a failing item, and commits its neighbours alone', async () => {
    const add = q.queue.batcher(async (trx, names: string[]) => {
      const jobs = await q.queue.enqueueManyIn(
        trx,
        names.map((name) => ({ name: 'email', payload: { name } })),
      );
      if (names.includes('bad')) throw new Error('a statement failed');
      return jobs;
    });
    const before = q.queue.commitStats();
    const results = await Promise.allSettled([add('a'), add('bad'), add('c')]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    // The shared transaction rolled back; the two good items then committed one each.
    assert.equal(q.queue.commitStats().flushes - before.flushes, 2);
    assert.equal(await jobCount(), 2);
  });

  it('enqueues inside a transaction of the caller, committed or rolled back with it', async () => {
    await q.store.db
      .transaction()
      .execute((trx) => q.queue.enqueueManyIn(trx, [{ name: 'email', payload: 1 }]));
    await assert.rejects(
      q.store.db.transaction().execute(async (trx) => {
        await q.queue.enqueueManyIn(trx, [{ name: 'email', payload: 2 }]);
        throw new Error('the caller changed its mind');
      }),
    );
    assert.equal(await jobCount(), 1);
    assert.deepEqual(await q.queue.enqueueManyIn(q.store.db, []), []);
  });
});
