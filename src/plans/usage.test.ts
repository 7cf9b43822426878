import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import type { Clock } from '../clock/index.ts';
import { createEnvironmentsService } from '../environments/index.ts';
import type { Store } from '../store/index.ts';
import { createUsageMeter, type UsageMeter } from './usage.ts';

class ManualClock implements Clock {
  at = Date.UTC(2026, 11, 7, 12);
  now(): number {
    return this.at;
  }
}

for (const target of await testDatabases()) {
  describe(`usage meter on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    let meter: UsageMeter;
    let environmentId: string;
    const clock = new ManualClock();

    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
      const environments = createEnvironmentsService({ store, clock });
      environmentId = (await environments.ensureBootstrap()).environments[0]!.id;
      // No timer flush during the test: only explicit flushes and reads write.
      meter = createUsageMeter({ store, clock, flushIntervalMs: 3_600_000, maxPending: 1000, freshMs: 0 });
    });
    after(async () => {
      await meter?.close();
      await store?.close();
      await database?.destroy();
    });

    it('counts in memory and writes one row per counter, adding to what is stored', async () => {
      for (let i = 0; i < 250; i += 1) meter.add(environmentId, 'u1', 'proxyCalls');
      meter.add(environmentId, 'u1', 'syncedRecords', 40);
      assert.equal(await meter.current(environmentId, 'u1', 'proxyCalls'), 250);
      const before = await store.db.selectFrom('usage_counters').selectAll().execute();
      assert.equal(before.length, 0);
      await meter.flush();
      meter.add(environmentId, 'u1', 'proxyCalls', 5);
      await meter.flush();
      const rows = await store.db.selectFrom('usage_counters').selectAll().orderBy('metric').execute();
      assert.deepEqual(
        rows.map((row) => [row.end_user_id, row.period, row.metric, Number(row.value)]),
        [
          ['u1', '2026-12', 'proxyCalls', 255],
          ['u1', '2026-12', 'syncedRecords', 40],
        ],
      );
      assert.deepEqual(await meter.read(environmentId, 'u1'), {
        actionRuns: 0,
        proxyCalls: 255,
        syncedRecords: 40,
      });
    });

    it('starts each month from zero and keeps past months readable', async () => {
      clock.at = Date.UTC(2027, 0, 1);
      assert.equal(await meter.current(environmentId, 'u1', 'proxyCalls'), 0);
      meter.add(environmentId, 'u1', 'proxyCalls');
      assert.equal((await meter.read(environmentId, 'u1')).proxyCalls, 1);
      assert.equal((await meter.read(environmentId, 'u1', '2026-12')).proxyCalls, 255);
    });

    it('forgets an end user in the caller transaction', async () => {
      meter.add(environmentId, 'u1', 'actionRuns');
      await store.db.transaction().execute((trx) => meter.forgetIn(trx, environmentId, 'u1'));
      await meter.flush();
      assert.deepEqual(await meter.read(environmentId, 'u1'), {
        actionRuns: 0,
        proxyCalls: 0,
        syncedRecords: 0,
      });
    });
  });
}
