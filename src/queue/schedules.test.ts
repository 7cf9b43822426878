import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import { nextCronRun } from './cron.ts';
import { openQueue, type QueueFixture } from './fixtures/queue-db.ts';
import type { ScheduledRun } from './types.ts';

const run = promisify(execFile);
const CHILD = new URL('./fixtures/schedule-child.ts', import.meta.url).pathname;

/** Ticks the schedules from `count` separate processes at once, at instant `now`; returns all runs. */
async function tickFromProcesses(
  database: TestDatabase,
  now: number,
  count: number,
): Promise<ScheduledRun[]> {
  const outputs = await Promise.all(
    Array.from({ length: count }, () =>
      run(process.execPath, [CHILD, database.databaseUrl, database.dataDir, String(now)], {
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      }),
    ),
  );
  return outputs.flatMap((output) => JSON.parse(output.stdout) as ScheduledRun[]);
}

const JAN_1 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

describe('cron times', () => {
  it('reads the expression in the schedule time zone', () => {
    assert.equal(nextCronRun('0 9 * * *', 'America/New_York', JAN_1), Date.UTC(2026, 0, 1, 14));
    assert.equal(nextCronRun('0 9 * * *', 'Europe/Paris', JAN_1), Date.UTC(2026, 0, 1, 8));
    assert.equal(nextCronRun('0 9 * * *', null, JAN_1), Date.UTC(2026, 0, 1, 9));
    // Summer time: Paris is UTC+2 on 1 July.
    assert.equal(nextCronRun('0 9 * * *', 'Europe/Paris', Date.UTC(2026, 6, 1)), Date.UTC(2026, 6, 1, 7));
    // Six fields: seconds first. Strictly after the reference.
    assert.equal(nextCronRun('*/5 * * * * *', null, JAN_1), JAN_1 + 5000);
  });

  it('refuses malformed expressions, unknown zones and expressions that never fire', () => {
    for (const [expression, zone] of [
      ['0 9 * *', null],
      ['61 * * * *', null],
      ['0 0 9 * * * 2030', null],
      ['0 9 * * *', 'Mars/Olympus_Mons'],
      ['0 0 30 2 *', null],
    ] as const) {
      assert.throws(
        () => nextCronRun(expression, zone, JAN_1),
        (e) => isPatchbayError(e, 'schedule_invalid'),
        `${expression} ${zone}`,
      );
    }
  });
});

for (const target of await testDatabases()) {
  describe(`cron schedules on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let a: QueueFixture;
    let b: QueueFixture;
    before(async () => {
      database = await target.create!();
    });
    after(() => database?.destroy());
    beforeEach(async () => {
      a = await openQueue(database);
      // A second process on the same database, with the same time.
      b = await openQueue(database, { clock: a.clock, keep: true });
    });
    afterEach(async () => {
      await a.close();
      await b.close();
    });

    it('fires each due time once across two queue instances, then advances in its time zone', async () => {
      const schedule = await a.queue.upsertSchedule({
        name: 'nightly',
        cron: '30 2 * * *',
        timezone: 'America/New_York',
        job: 'report',
        payload: { kind: 'nightly' },
        environmentId: 'env_1',
        options: { priority: 3, maxAttempts: 2 },
      });
      const firstDue = Date.UTC(2026, 0, 1, 7, 30); // 02:30 in New York (UTC-5)
      assert.equal(schedule.nextRunAt, firstDue);
      assert.deepEqual(await a.queue.runDueSchedules(), []);

      // Three processes tick at the due time (each twice, concurrently).
      a.clock.set(firstDue);
      const runs = await tickFromProcesses(database, firstDue, 3);
      assert.equal(runs.length, 1);
      assert.equal(runs[0]?.dueAt, firstDue);
      assert.equal(runs[0]?.job.created, true);
      const job = await a.queue.get(runs[0]!.job.id);
      assert.deepEqual(
        {
          name: job?.name,
          payload: job?.payload,
          env: job?.environmentId,
          priority: job?.priority,
          max: job?.maxAttempts,
          key: job?.dedupeKey,
          runAt: job?.runAt,
        },
        {
          name: 'report',
          payload: { kind: 'nightly' },
          env: 'env_1',
          priority: 3,
          max: 2,
          key: 'schedule:nightly',
          runAt: firstDue,
        },
      );
      const [stored] = await b.queue.listSchedules();
      assert.equal(stored?.lastRunAt, firstDue);
      assert.equal(stored?.nextRunAt, firstDue + 24 * HOUR);

      // The run is done; the next day fires once more.
      const [claimed] = await a.queue.claim({ names: ['report'], owner: 'w', leaseMs: 1000, limit: 1 });
      await a.queue.complete(claimed!);
      a.clock.set(firstDue + 24 * HOUR + 5000);
      const next = await tickFromProcesses(database, a.clock.now(), 2);
      assert.equal(next.length, 1);
      assert.equal(next[0]?.dueAt, firstDue + 24 * HOUR);
      assert.equal(next[0]?.job.created, true);
      assert.equal((await a.queue.stats()).waiting, 1);
    });

    it('folds a due time into the run still pending from the previous one', async () => {
      await a.queue.upsertSchedule({ name: 'every-minute', cron: '* * * * *', job: 'tick', payload: {} });
      a.clock.advance(60_000);
      const [first] = await a.queue.runDueSchedules();
      a.clock.advance(60_000);
      const [second] = await b.queue.runDueSchedules();
      assert.equal(second?.dueAt, JAN_1 + 120_000);
      assert.deepEqual(second?.job, { id: first?.job.id, created: false });
      assert.equal((await a.queue.stats()).waiting, 1);
    });

    it('fires a schedule that missed several times once, then continues from now', async () => {
      await a.queue.upsertSchedule({ name: 'hourly', cron: '0 * * * *', job: 'tick', payload: {} });
      a.clock.set(JAN_1 + 5 * HOUR + 10 * 60_000);
      const runs = await a.queue.runDueSchedules();
      assert.deepEqual(
        runs.map((run) => run.dueAt),
        [JAN_1 + HOUR],
      );
      const [stored] = await a.queue.listSchedules();
      assert.equal(stored?.nextRunAt, JAN_1 + 6 * HOUR);
    });

    it('keeps the next run on an identical upsert, recomputes it on a changed one, and removes', async () => {
      await a.queue.upsertSchedule({ name: 's', cron: '0 12 * * *', job: 'tick', payload: { v: 1 } });
      a.clock.advance(HOUR);
      const same = await b.queue.upsertSchedule({
        name: 's',
        cron: '0 12 * * *',
        job: 'tick',
        payload: { v: 2 },
      });
      assert.equal(same.nextRunAt, Date.UTC(2026, 0, 1, 12));
      assert.deepEqual(same.payload, { v: 2 });
      const moved = await a.queue.upsertSchedule({
        name: 's',
        cron: '0 12 * * *',
        timezone: 'Asia/Tokyo',
        job: 'tick',
        payload: {},
      });
      // 12:00 in Tokyo (UTC+9) is 03:00 UTC, still ahead at 01:00 UTC.
      assert.equal(moved.nextRunAt, Date.UTC(2026, 0, 1, 3));
      const disabled = await a.queue.upsertSchedule({
        name: 's',
        cron: '0 12 * * *',
        timezone: 'Asia/Tokyo',
        job: 'tick',
        payload: {},
        enabled: false,
      });
      assert.equal(disabled.enabled, false);
      a.clock.set(Date.UTC(2026, 0, 3));
      assert.deepEqual(await a.queue.runDueSchedules(), []);
      assert.equal(await a.queue.removeSchedule('s'), true);
      assert.equal(await a.queue.removeSchedule('s'), false);
      assert.deepEqual(await a.queue.listSchedules(), []);
      await assert.rejects(
        a.queue.upsertSchedule({ name: 'bad', cron: 'every day', job: 'tick', payload: {} }),
        (e) => isPatchbayError(e, 'schedule_invalid'),
      );
    });
  });
}
