import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeQueueSuites, openQueue } from './fixtures/queue-db.ts';

const OWNER = 'worker-a';
const claimAll = { names: ['email', 'report'], owner: OWNER, leaseMs: 30_000, limit: 100 };

await describeQueueSuites('SQL job queue', (q) => {
  it('enqueues, claims under a lease, and deletes the job on completion', async () => {
    const { id, created } = await q.queue.enqueue({
      name: 'email',
      payload: { to: 'a@b.c' },
      environmentId: 'env_1',
    });
    assert.equal(created, true);
    assert.match(id, /^job_/);
    const [job, ...rest] = await q.queue.claim(claimAll);
    assert.equal(rest.length, 0);
    assert.deepEqual(job, {
      id,
      owner: OWNER,
      name: 'email',
      payload: { to: 'a@b.c' },
      environmentId: 'env_1',
      priority: 0,
      runAt: q.clock.now(),
      attempt: 1,
      maxAttempts: 5,
      leaseUntil: q.clock.now() + 30_000,
      createdAt: q.clock.now(),
    });
    assert.deepEqual(await q.queue.claim(claimAll), []);
    assert.equal((await q.queue.stats()).active, 1);
    assert.equal(await q.queue.complete({ id, owner: OWNER }), true);
    assert.equal(await q.queue.get(id), undefined);
    assert.deepEqual(await q.queue.stats(), { waiting: 0, delayed: 0, active: 0, dead: 0, byName: {} });
  });

  it('claims by priority, then due time, then enqueue order, and only the names asked for', async () => {
    const t = q.clock.now();
    const low = await q.queue.enqueue({ name: 'email', payload: 1, priority: 5 });
    const laterDue = await q.queue.enqueue({ name: 'email', payload: 2, runAt: t - 10 });
    const first = await q.queue.enqueue({ name: 'email', payload: 3, runAt: t - 20 });
    const urgent = await q.queue.enqueue({ name: 'email', payload: 4, priority: -1 });
    const fifoA = await q.queue.enqueue({ name: 'email', payload: 5 });
    const fifoB = await q.queue.enqueue({ name: 'email', payload: 6 });
    const other = await q.queue.enqueue({ name: 'other', payload: 7, priority: -100 });
    const claimed = await q.queue.claim({ ...claimAll, limit: 4 });
    assert.deepEqual(
      claimed.map((job) => job.id),
      [urgent.id, first.id, laterDue.id, fifoA.id],
    );
    const rest = await q.queue.claim(claimAll);
    assert.deepEqual(
      rest.map((job) => job.id),
      [fifoB.id, low.id],
    );
    assert.equal((await q.queue.get(other.id))?.state, 'queued');
  });

  it('holds delayed jobs until their time on the injected clock', async () => {
    const delayed = await q.queue.enqueue({ name: 'email', payload: {}, delayMs: 60_000 });
    const at = await q.queue.enqueue({ name: 'report', payload: {}, runAt: q.clock.now() + 120_000 });
    assert.deepEqual(await q.queue.claim(claimAll), []);
    const stats = await q.queue.stats();
    assert.equal(stats.delayed, 2);
    assert.deepEqual(stats.byName.report, { waiting: 0, delayed: 1, active: 0, dead: 0 });
    q.clock.advance(59_999);
    assert.deepEqual(await q.queue.claim(claimAll), []);
    q.clock.advance(1);
    assert.deepEqual(
      (await q.queue.claim(claimAll)).map((j) => j.id),
      [delayed.id],
    );
    q.clock.advance(60_000);
    assert.deepEqual(
      (await q.queue.claim(claimAll)).map((j) => j.id),
      [at.id],
    );
  });

  it('deduplicates: a pending job with the same name and key is returned instead of a new one', async () => {
    const first = await q.queue.enqueue({ name: 'email', payload: { n: 1 }, dedupeKey: 'conn_1' });
    const again = await q.queue.enqueue({ name: 'email', payload: { n: 2 }, dedupeKey: 'conn_1' });
    assert.deepEqual(again, { id: first.id, created: false });
    const otherName = await q.queue.enqueue({ name: 'report', payload: {}, dedupeKey: 'conn_1' });
    assert.equal(otherName.created, true);
    // Still deduplicated while it runs.
    const [claimed] = await q.queue.claim({ ...claimAll, names: ['email'] });
    assert.equal(claimed?.id, first.id);
    assert.deepEqual(await q.queue.enqueue({ name: 'email', payload: {}, dedupeKey: 'conn_1' }), {
      id: first.id,
      created: false,
    });
    // Once it is done, the key is free again.
    await q.queue.complete({ id: first.id, owner: OWNER });
    const fresh = await q.queue.enqueue({ name: 'email', payload: {}, dedupeKey: 'conn_1' });
    assert.equal(fresh.created, true);
    assert.notEqual(fresh.id, first.id);
    // Duplicates inside one batch collapse onto the first.
    const batch = await q.queue.enqueueMany([
      { name: 'email', payload: {}, dedupeKey: 'k2' },
      { name: 'email', payload: {}, dedupeKey: 'k2' },
      { name: 'email', payload: {}, dedupeKey: 'conn_1' },
      { name: 'email', payload: {} },
    ]);
    assert.equal(batch[0]?.created, true);
    assert.deepEqual(batch[1], { id: batch[0]?.id, created: false });
    assert.deepEqual(batch[2], { id: fresh.id, created: false });
    assert.equal(batch[3]?.created, true);
    assert.equal((await q.queue.stats()).byName.email?.waiting, 3);
  });

  it('retries with exponential backoff and jitter at exact times, then keeps the job dead', async () => {
    const backoff = { initialMs: 1000, factor: 2, maxMs: 3000, jitter: 0.5 };
    const { id } = await q.queue.enqueue({ name: 'email', payload: {}, maxAttempts: 4, backoff });
    const start = q.clock.now();
    // random() = 0.5 cuts each delay by a quarter: 1000 → 750, 2000 → 1500, 4000 capped at 3000 → 2250.
    const expectedDelays = [750, 1500, 2250];
    for (const [index, delay] of expectedDelays.entries()) {
      const [job] = await q.queue.claim(claimAll);
      assert.equal(job?.attempt, index + 1);
      const outcome = await q.queue.fail(job!, { message: `boom ${index + 1}`, code: 'provider_down' });
      assert.deepEqual(outcome, { state: 'queued', runAt: q.clock.now() + delay, attempts: index + 1 });
      q.clock.advance(delay - 1);
      assert.deepEqual(await q.queue.claim(claimAll), [], 'not before its retry time');
      q.clock.advance(1);
    }
    assert.equal(q.clock.now() - start, 750 + 1500 + 2250);
    const [last] = await q.queue.claim(claimAll);
    assert.equal(last?.attempt, 4);
    assert.deepEqual(await q.queue.fail(last!, { message: 'final' }), { state: 'dead', attempts: 4 });
    q.clock.advance(3_600_000);
    assert.deepEqual(await q.queue.claim(claimAll), []);
    const dead = await q.queue.list({ state: 'dead' });
    assert.equal(dead.length, 1);
    assert.equal(dead[0]?.id, id);
    assert.deepEqual(dead[0]?.lastError, { message: 'final' });
    assert.equal(dead[0]?.attempts, 4);
    assert.equal(dead[0]?.leaseOwner, null);
    assert.equal((await q.queue.stats()).dead, 1);
  });

  it('uses the queue default backoff when a job has none, and fails permanently on request', async () => {
    const a = await q.queue.enqueue({ name: 'email', payload: {} });
    const b = await q.queue.enqueue({ name: 'email', payload: {} });
    const [jobA, jobB] = await q.queue.claim(claimAll);
    assert.equal(jobA?.id, a.id);
    // Default: 1 s initial, 20 % jitter, random 0.5 → 900 ms.
    assert.deepEqual(await q.queue.fail(jobA!, { message: 'x' }), {
      state: 'queued',
      runAt: q.clock.now() + 900,
      attempts: 1,
    });
    assert.equal(jobB?.id, b.id);
    assert.deepEqual(await q.queue.fail(jobB!, { message: 'bad input' }, { retry: false }), {
      state: 'dead',
      attempts: 1,
    });
  });

  it('accepts lease operations only from the lease owner', async () => {
    const { id } = await q.queue.enqueue({ name: 'email', payload: {} });
    await q.queue.claim(claimAll);
    const intruder = { id, owner: 'worker-b' };
    assert.equal(await q.queue.complete(intruder), false);
    assert.deepEqual(await q.queue.fail(intruder, { message: 'x' }), { state: 'lost' });
    assert.deepEqual(await q.queue.extendLeases('worker-b', [id], 60_000), []);
    assert.deepEqual(await q.queue.release('worker-b', [id]), []);
    q.clock.advance(10_000);
    assert.deepEqual(await q.queue.extendLeases(OWNER, [id, 'job_missing'], 60_000), [id]);
    assert.equal((await q.queue.get(id))?.leaseUntil, q.clock.now() + 60_000);
  });

  it('release gives the job back at once without counting the attempt', async () => {
    const { id } = await q.queue.enqueue({ name: 'email', payload: {}, maxAttempts: 1 });
    const [job] = await q.queue.claim(claimAll);
    assert.equal(job?.attempt, 1);
    assert.deepEqual(await q.queue.release(OWNER, [id]), [id]);
    const info = await q.queue.get(id);
    assert.equal(info?.state, 'queued');
    assert.equal(info?.attempts, 0);
    assert.equal(info?.leaseOwner, null);
    const [again] = await q.queue.claim({ ...claimAll, owner: 'worker-b' });
    assert.equal(again?.attempt, 1);
    assert.equal(await q.queue.complete({ id, owner: 'worker-b' }), true);
  });

  it('reclaims expired leases: requeued, or dead when that was the last attempt', async () => {
    const retried = await q.queue.enqueue({ name: 'email', payload: {}, maxAttempts: 2 });
    const last = await q.queue.enqueue({ name: 'report', payload: {}, maxAttempts: 1 });
    const alive = await q.queue.enqueue({ name: 'email', payload: {} });
    await q.queue.claim({ ...claimAll, limit: 2 });
    q.clock.advance(20_000);
    await q.queue.claim({ ...claimAll, owner: 'worker-b', leaseMs: 30_000 });
    assert.deepEqual(await q.queue.reclaimExpired(), { requeued: [], dead: [] });
    q.clock.advance(10_001);
    assert.deepEqual(await q.queue.reclaimExpired(), { requeued: [retried.id], dead: [last.id] });
    const requeued = await q.queue.get(retried.id);
    assert.equal(requeued?.state, 'queued');
    assert.equal(requeued?.attempts, 1);
    assert.equal(requeued?.lastError?.code, 'lease_expired');
    assert.equal((await q.queue.get(last.id))?.state, 'dead');
    assert.equal((await q.queue.get(alive.id))?.state, 'active');
    // The crashed worker's late completion is refused; the new claimer's is accepted.
    assert.equal(await q.queue.complete({ id: retried.id, owner: OWNER }), false);
    const [again] = await q.queue.claim({ ...claimAll, owner: 'worker-c' });
    assert.equal(again?.id, retried.id);
    assert.equal(again?.attempt, 2);
    assert.equal(await q.queue.complete({ id: retried.id, owner: 'worker-c' }), true);
  });

  it('group-commits operations issued together into one transaction', async () => {
    const before = q.queue.commitStats();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => q.queue.enqueue({ name: 'email', payload: { i } })),
    );
    const after = q.queue.commitStats();
    assert.equal(after.flushes - before.flushes, 1);
    assert.equal(after.operations - before.operations, 200);
    assert.equal(new Set(results.map((r) => r.id)).size, 200);
    // Completions and the next claim also share one commit.
    const claimed = await q.queue.claim({ ...claimAll, limit: 50 });
    const mid = q.queue.commitStats();
    const [completed, next] = await Promise.all([
      Promise.all(claimed.map((job) => q.queue.complete(job))),
      q.queue.claim({ ...claimAll, limit: 50 }),
    ]);
    assert.equal(q.queue.commitStats().flushes - mid.flushes, 1);
    assert.ok(completed.every(Boolean));
    assert.equal(next.length, 50);
  });

  it('keeps other callers unharmed when one operation in a batch fails', async () => {
    const { id } = await q.queue.enqueue({ name: 'report', payload: {} });
    const [job] = await q.queue.claim(claimAll);
    // A row the queue cannot read: failing it throws inside the shared transaction.
    await q.store.db.updateTable('jobs').set({ backoff: 'not json' }).where('id', '=', id).execute();
    const before = q.queue.commitStats();
    const results = await Promise.allSettled([
      q.queue.enqueue({ name: 'email', payload: 1 }),
      q.queue.fail(job!, { message: 'x' }),
      q.queue.enqueue({ name: 'email', payload: 2 }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    // The failed group was rolled back, then the two good operations committed alone.
    assert.equal(q.queue.commitStats().flushes - before.flushes, 2);
    assert.equal((await q.queue.stats()).byName.email?.waiting, 2);
    assert.equal((await q.queue.get(id))?.state, 'active');
    await assert.rejects(q.queue.claim({ ...claimAll, leaseMs: Number.NaN }), {
      code: 'validation_failed',
    });
  });

  it('never hands one job to two claimers sharing the database', async () => {
    const other = await openQueue(q.database, { clock: q.clock, keep: true });
    try {
      await q.queue.enqueueMany(Array.from({ length: 60 }, (_, i) => ({ name: 'email', payload: i })));
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? other.queue : q.queue).claim({ ...claimAll, owner: `w${i}`, limit: 15 }),
        ),
      );
      const ids = claims.flat().map((job) => job.id);
      assert.equal(ids.length, 60);
      assert.equal(new Set(ids).size, 60);
    } finally {
      await other.close();
    }
  });

  it('lists dead jobs by name and validates enqueue input', async () => {
    await assert.rejects(q.queue.enqueue({ name: 'email', payload: undefined }), {
      code: 'job_payload_invalid',
    });
    await assert.rejects(q.queue.enqueue({ name: '', payload: {} }), { code: 'validation_failed' });
    await assert.rejects(q.queue.enqueue({ name: 'email', payload: {}, priority: 1.5 }), {
      code: 'validation_failed',
    });
    const { id } = await q.queue.enqueue({ name: 'report', payload: { r: 1 }, maxAttempts: 1 });
    const [job] = await q.queue.claim(claimAll);
    await q.queue.fail(job!, { message: 'nope', code: 'provider_error' });
    assert.deepEqual(await q.queue.list({ state: 'dead', name: 'email' }), []);
    assert.deepEqual(await q.queue.list({ state: 'dead', environmentId: 'env_other' }), []);
    const [dead] = await q.queue.list({ state: 'dead', name: 'report' });
    assert.equal(dead?.id, id);
    assert.deepEqual(dead?.payload, { r: 1 });
    assert.deepEqual(dead?.lastError, { code: 'provider_error', message: 'nope' });
  });

  it('refuses new work after close, having committed what was pending', async () => {
    const pending = q.queue.enqueue({ name: 'email', payload: {} });
    await q.queue.close();
    assert.equal((await pending).created, true);
    await assert.rejects(q.queue.enqueue({ name: 'email', payload: {} }), { code: 'queue_closed' });
  });
});
