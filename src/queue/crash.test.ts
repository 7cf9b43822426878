import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { crashCatalog } from './fixtures/crash-catalog.ts';
import { openQueue } from './fixtures/queue-db.ts';
import { createWorker, type WorkerEvent } from './worker.ts';

const CHILD = new URL('./fixtures/crash-child.ts', import.meta.url).pathname;

/** Starts the child worker and resolves with what it claimed; the child then hangs in its handler. */
async function childClaims(database: TestDatabase) {
  const child = spawn(process.execPath, [CHILD, database.databaseUrl, database.dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  return { child, ...(JSON.parse(line) as { claimed: string; owner: string }) };
}

for (const target of await testDatabases()) {
  describe(`crash recovery on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    before(async () => {
      database = await target.create!();
    });
    after(() => database?.destroy());

    it('reclaims the job of a worker killed with SIGKILL and completes it in another process', async () => {
      // The parent's clock starts at real time, like the child's, and is moved by hand afterwards.
      const clock = new ManualClock(Date.now() - 1000);
      const q = await openQueue(database, { clock });
      const { id } = await q.queue.enqueue({ name: 'crashy', payload: { n: 7 } });
      const { child, claimed, owner } = await childClaims(database);
      try {
        assert.equal(claimed, id);
        child.kill('SIGKILL');
        const [, signal] = (await once(child, 'exit')) as [number | null, string | null];
        assert.equal(signal, 'SIGKILL');

        const orphan = await q.queue.get(id);
        assert.equal(orphan?.state, 'active');
        assert.equal(orphan?.leaseOwner, owner);
        // While the lease lasts the job is not taken from its (maybe just slow) worker.
        clock.set(Date.now());
        assert.deepEqual(await q.queue.reclaimExpired(), { requeued: [], dead: [] });
        // The lease ran out: the job goes back to the queue.
        clock.set(orphan!.leaseUntil! + 1);
        assert.deepEqual(await q.queue.reclaimExpired(), { requeued: [id], dead: [] });

        const events: WorkerEvent[] = [];
        const done = Promise.withResolvers<{ n: number; attempt: number }>();
        const worker = createWorker({
          queue: q.queue,
          catalog: crashCatalog,
          pollIntervalMs: 10,
          onEvent: (event) => events.push(event),
          handlers: {
            crashy: (payload, { job }) => done.resolve({ n: payload.n, attempt: job.attempt }),
          },
        });
        worker.start();
        assert.deepEqual(await done.promise, { n: 7, attempt: 2 });
        await worker.stop({ timeoutMs: 1000 });
        assert.ok(events.some((e) => e.type === 'completed' && e.job.id === id));
        assert.equal(await q.queue.get(id), undefined);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await q.close();
      }
    });
  });
}
