import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sqliteTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { openQueue, type QueueFixture } from './fixtures/queue-db.ts';
import { createScheduler, type TickReport } from './scheduler.ts';
import type { JobQueue } from './types.ts';

describe('scheduler loop', () => {
  let database: TestDatabase;
  let q: QueueFixture;
  before(async () => {
    database = sqliteTestDatabase();
    q = await openQueue(database);
  });
  after(async () => {
    await q.close();
    await database.destroy();
  });

  it('fires due schedules and reclaims expired leases in one tick', async () => {
    await q.queue.upsertSchedule({ name: 'minutely', cron: '* * * * *', job: 'tick', payload: {} });
    const { id } = await q.queue.enqueue({ name: 'work', payload: {} });
    await q.queue.claim({ names: ['work'], owner: 'dead-worker', leaseMs: 30_000, limit: 1 });
    q.clock.advance(60_000);
    const scheduler = createScheduler({ queue: q.queue });
    const report = await scheduler.tick();
    assert.equal(report.scheduled.length, 1);
    assert.equal(report.scheduled[0]?.schedule, 'minutely');
    assert.deepEqual(report.reclaimed, { requeued: [id], dead: [] });
    const again = await scheduler.tick();
    assert.deepEqual(again, { scheduled: [], reclaimed: { requeued: [], dead: [] } });
  });

  it('runs ticks in a loop until stopped, reporting what they did', async () => {
    q.clock.advance(60_000);
    const reports: TickReport[] = [];
    const first = Promise.withResolvers<void>();
    const scheduler = createScheduler({
      queue: q.queue,
      intervalMs: 5,
      onTick: (report) => {
        reports.push(report);
        first.resolve();
      },
    });
    scheduler.start();
    await first.promise;
    await scheduler.stop();
    assert.equal(reports.length, 1, 'later ticks had nothing to report');
    assert.equal(reports[0]?.scheduled[0]?.schedule, 'minutely');
  });

  it('reports a failing tick and keeps looping', async () => {
    let calls = 0;
    const failing = {
      async runDueSchedules() {
        calls += 1;
        throw new Error(`down ${calls}`);
      },
      async reclaimExpired() {
        return { requeued: [], dead: [] };
      },
    } as unknown as JobQueue;
    const errors: string[] = [];
    const twice = Promise.withResolvers<void>();
    const scheduler = createScheduler({
      queue: failing,
      intervalMs: 1,
      onError: (error) => {
        errors.push((error as Error).message);
        if (errors.length === 2) twice.resolve();
      },
    });
    scheduler.start();
    await twice.promise;
    await scheduler.stop();
    assert.deepEqual(errors.slice(0, 2), ['down 1', 'down 2']);
  });
});
