import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { sqliteTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import { createCatalog, defineJob } from './catalog.ts';
import { openQueue, type QueueFixture } from './fixtures/queue-db.ts';
import { createJobs } from './jobs.ts';
import { backoffDelay, DEFAULT_RETRY } from './retry.ts';

const sendEmail = defineJob({
  name: 'email.send',
  payload: z.object({ to: z.email(), template: z.string().default('welcome') }),
  retry: { attempts: 3, backoff: { initialMs: 500 } },
  timeoutMs: 10_000,
  priority: 2,
});
const report = defineJob({ name: 'report.build', payload: z.object({ day: z.string() }) });
const catalog = createCatalog([sendEmail, report]);

describe('retry policy', () => {
  it('doubles from the initial delay, caps at the maximum, and cuts by jitter × random', () => {
    const policy = { initialMs: 1000, maxMs: 10_000, factor: 2, jitter: 0.2 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 0)),
      [1000, 2000, 4000, 8000, 10_000, 10_000],
    );
    assert.equal(
      backoffDelay(policy, 2, () => 0.5),
      1800,
    );
    assert.equal(
      backoffDelay(policy, 2, () => 0.999_999),
      1600,
    );
    assert.equal(backoffDelay({ initialMs: 100, factor: 3, jitter: 0 }, 3, Math.random), 900);
  });

  it('fills job definitions with the defaults and refuses invalid ones', () => {
    assert.deepEqual(report.retry, {
      attempts: DEFAULT_RETRY.attempts,
      backoff: { ...DEFAULT_RETRY.backoff },
    });
    assert.equal(report.timeoutMs, 300_000);
    assert.deepEqual(sendEmail.retry, {
      attempts: 3,
      backoff: { initialMs: 500, maxMs: 3_600_000, factor: 2, jitter: 0.2 },
    });
    assert.throws(
      () => defineJob({ name: 'x', payload: z.object({}), retry: { attempts: 0 } }),
      (e) => isPatchbayError(e, 'config_invalid'),
    );
    assert.throws(
      () => defineJob({ name: 'x', payload: z.object({}), retry: { backoff: { jitter: 2 } } }),
      (e) => isPatchbayError(e, 'config_invalid'),
    );
    assert.throws(
      () => createCatalog([report, report]),
      (e) => isPatchbayError(e, 'config_invalid'),
    );
  });
});

describe('typed jobs', () => {
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

  it('enqueues a valid payload with the catalog retry policy and priority', async () => {
    const jobs = createJobs(q.queue, catalog);
    const { id } = await jobs.enqueue('email.send', { to: 'ada@example.com' }, { environmentId: 'env_1' });
    const info = await q.queue.get(id);
    assert.equal(info?.name, 'email.send');
    assert.deepEqual(info?.payload, { to: 'ada@example.com' });
    assert.equal(info?.maxAttempts, 3);
    assert.equal(info?.priority, 2);
    assert.equal(info?.environmentId, 'env_1');
    const overridden = await jobs.enqueue('email.send', { to: 'b@example.com' }, { priority: -1 });
    assert.equal((await q.queue.get(overridden.id))?.priority, -1);
  });

  it('rejects a payload that fails its schema with job_payload_invalid and the failing paths', async () => {
    const jobs = createJobs(q.queue, catalog);
    await assert.rejects(
      jobs.enqueue('email.send', { to: 'not-an-email' }),
      (error) =>
        isPatchbayError(error, 'job_payload_invalid') &&
        error.status === 400 &&
        (error.details as { job: string; issues: Array<{ path: string }> }).job === 'email.send' &&
        (error.details as { issues: Array<{ path: string }> }).issues[0]?.path === 'to',
    );
    const before = (await q.queue.stats()).waiting;
    // One bad entry refuses the whole batch before anything is written.
    await assert.rejects(
      jobs.enqueueMany([
        { name: 'report.build', payload: { day: '2026-01-01' } },
        { name: 'report.build', payload: { day: 5 } as unknown as { day: string } },
      ]),
      (error) => isPatchbayError(error, 'job_payload_invalid'),
    );
    assert.equal((await q.queue.stats()).waiting, before);
  });

  it('rejects a job name outside the catalog with unknown_job', async () => {
    const jobs = createJobs(q.queue, catalog);
    await assert.rejects(
      jobs.enqueue('nope' as 'report.build', { day: 'x' }),
      (error) => isPatchbayError(error, 'unknown_job') && error.status === 400,
    );
    await assert.rejects(
      jobs.schedule({ name: 's', cron: '* * * * *', job: 'nope' as 'report.build', payload: { day: 'x' } }),
      (error) => isPatchbayError(error, 'unknown_job'),
    );
    await assert.rejects(
      jobs.schedule({ name: 's', cron: '* * * * *', job: 'report.build', payload: {} as { day: string } }),
      (error) => isPatchbayError(error, 'job_payload_invalid'),
    );
  });

  it('schedules a catalog job with its retry policy', async () => {
    const jobs = createJobs(q.queue, catalog);
    const schedule = await jobs.schedule({
      name: 'daily-report',
      cron: '0 6 * * *',
      timezone: 'Europe/Paris',
      job: 'report.build',
      payload: { day: 'today' },
    });
    assert.equal(schedule.job, 'report.build');
    assert.deepEqual(schedule.options, {
      maxAttempts: 5,
      backoff: { ...DEFAULT_RETRY.backoff },
      priority: 0,
    });
    // 2026-01-01 06:00 in Paris is 05:00 UTC.
    assert.equal(schedule.nextRunAt, Date.UTC(2026, 0, 1, 5, 0));
  });
});
