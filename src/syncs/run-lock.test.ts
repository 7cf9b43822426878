import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import { openSyncFixture, type SyncFixture } from './fixtures/sync-fixture.ts';
import { createRunLock, type RunLockKey } from './run-lock.ts';

const HOUR = 3_600_000;

for (const target of await testDatabases()) {
  describe(`sync run lock on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: SyncFixture;
    before(async () => {
      database = await target.create!();
      f = await openSyncFixture(database);
    });
    after(async () => {
      await f?.close();
      await database?.destroy();
    });

    async function newKey(): Promise<RunLockKey> {
      const connectionId = await f.connection(f.dev.id);
      const now = f.clock.now();
      await f.store.db
        .insertInto('sync_schedules')
        .values({
          connection_id: connectionId,
          sync_name: 'items',
          environment_id: f.dev.id,
          frequency_ms: HOUR,
          paused: 0,
          next_run_at: null,
          checkpoint: null,
          checkpoint_updated_at: null,
          last_run_id: null,
          last_success_at: null,
          running_run_id: null,
          run_owner: null,
          run_lease_until: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { connectionId, syncName: 'items' };
    }

    it('a waiter in another process sees the release at its next look, long before the lease ends', {
      timeout: 60_000,
    }, async () => {
      const key = await newKey();
      // Two processes: each has its own lock, so the holder's release cannot wake the waiter here.
      const holder = createRunLock({ db: f.store.db, clock: f.clock, pollMs: HOUR });
      const elsewhere = createRunLock({ db: f.store.db, clock: f.clock, pollMs: 20 });
      const first = holder.newOwner();
      await holder.acquire(key, 'run_1', first, {
        ttlMs: HOUR,
        maxWaitMs: HOUR,
        signal: new AbortController().signal,
      });
      let acquired = false;
      const waiting = elsewhere
        .acquire(key, 'run_2', elsewhere.newOwner(), {
          ttlMs: HOUR,
          maxWaitMs: HOUR,
          signal: new AbortController().signal,
        })
        .then(() => {
          acquired = true;
        });
      // Several looks go by while the lock is held: each finds it taken.
      const looks = async (count: number) => {
        for (let i = 0; i < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      };
      await looks(3);
      assert.equal(acquired, false, 'held: the waiter keeps waiting');
      await holder.releaseWith(key, first, async () => undefined);
      await waiting;
      const row = await f.store.db
        .selectFrom('sync_schedules')
        .select('running_run_id')
        .where('connection_id', '=', key.connectionId)
        .executeTakeFirstOrThrow();
      assert.equal(row.running_run_id, 'run_2');
    });

    it('gives up with sync_unavailable after its wait, and stops at once when its signal aborts', async () => {
      const key = await newKey();
      const lock = createRunLock({ db: f.store.db, clock: f.clock, pollMs: 10 });
      const options = { ttlMs: HOUR, maxWaitMs: HOUR, signal: new AbortController().signal };
      await lock.acquire(key, 'run_1', lock.newOwner(), options);
      await assert.rejects(
        lock.acquire(key, 'run_2', lock.newOwner(), { ...options, maxWaitMs: 30 }),
        (error) => isPatchbayError(error, 'sync_unavailable'),
      );
      const stop = new AbortController();
      const aborted = lock.acquire(key, 'run_3', lock.newOwner(), { ...options, signal: stop.signal });
      stop.abort(new Error('worker stopping'));
      await assert.rejects(aborted, /worker stopping/);
    });

    it('takes over the lock of a holder whose lease ran out', async () => {
      const key = await newKey();
      const lock = createRunLock({ db: f.store.db, clock: f.clock, pollMs: HOUR });
      const options = { ttlMs: 1_000, maxWaitMs: HOUR, signal: new AbortController().signal };
      await lock.acquire(key, 'run_1', lock.newOwner(), options);
      f.clock.advance(1_001);
      await lock.acquire(key, 'run_2', lock.newOwner(), options);
    });
  });
}
