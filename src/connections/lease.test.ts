import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import type { Store } from '../store/index.ts';
import { createLeaseLock, type LeaseLock } from './lease.ts';

for (const target of await testDatabases()) {
  describe(`refresh lease on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    let clock: ManualClock;
    let lease: LeaseLock;
    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });
    beforeEach(async () => {
      await store.db.deleteFrom('connection_locks').execute();
      clock = new ManualClock();
      lease = createLeaseLock(store, { clock });
    });

    it('makes a new owner token for every acquisition', () => {
      const owners = new Set(Array.from({ length: 100 }, () => lease.newOwner()));
      assert.equal(owners.size, 100);
    });

    it('is taken when free and refused to a second owner while it lasts', async () => {
      const a = lease.newOwner();
      const b = lease.newOwner();
      assert.equal(await lease.acquire('conn_1', a, 30_000), true);
      assert.equal(await lease.acquire('conn_1', b, 30_000), false);
      clock.advance(29_999);
      assert.equal(await lease.acquire('conn_1', b, 30_000), false);
      assert.deepEqual(await lease.holder('conn_1'), { owner: a, expiresAt: clock.now() + 1 });
      // Another connection's lease is independent.
      assert.equal(await lease.acquire('conn_2', b, 30_000), true);
    });

    it('lets exactly one of many concurrent contenders win', async () => {
      const owners = Array.from({ length: 50 }, () => lease.newOwner());
      const results = await Promise.all(owners.map((owner) => lease.acquire('conn_race', owner, 30_000)));
      assert.equal(results.filter(Boolean).length, 1);
      const winner = owners[results.indexOf(true)];
      assert.equal((await lease.holder('conn_race'))?.owner, winner);
    });

    it('lets exactly one of two stores (two processes) win, and hands over an expired lease', async () => {
      const other = await database.open();
      try {
        const lease2 = createLeaseLock(other, { clock });
        const contenders = Array.from({ length: 40 }, (_, i) => {
          const lock = i % 2 === 0 ? lease : lease2;
          const owner = lock.newOwner();
          return { owner, acquire: () => lock.acquire('conn_x', owner, 10_000) };
        });
        const results = await Promise.all(contenders.map((c) => c.acquire()));
        assert.equal(results.filter(Boolean).length, 1);

        // The holder stalled past its TTL: the lease is taken over, by one contender again.
        clock.advance(10_000);
        const late = Array.from({ length: 40 }, (_, i) => {
          const lock = i % 2 === 0 ? lease : lease2;
          const owner = lock.newOwner();
          return { owner, lock };
        });
        const taken = await Promise.all(late.map((c) => c.lock.acquire('conn_x', c.owner, 10_000)));
        assert.equal(taken.filter(Boolean).length, 1);
        assert.equal((await lease.holder('conn_x'))?.owner, late[taken.indexOf(true)]?.owner);
      } finally {
        await other.close();
      }
    });

    it('takes over an expired lease; the stale owner can then neither renew nor release it', async () => {
      const stale = lease.newOwner();
      const fresh = lease.newOwner();
      assert.equal(await lease.acquire('conn_1', stale, 30_000), true);
      clock.advance(30_000);
      assert.equal(await lease.acquire('conn_1', fresh, 30_000), true);
      assert.equal(await lease.renew('conn_1', stale, 30_000), false);
      assert.equal(await lease.release('conn_1', stale), false);
      assert.deepEqual(await lease.holder('conn_1'), { owner: fresh, expiresAt: clock.now() + 30_000 });
    });

    it('renews only for its owner, which keeps it past the first expiry', async () => {
      const a = lease.newOwner();
      const b = lease.newOwner();
      assert.equal(await lease.acquire('conn_1', a, 30_000), true);
      clock.advance(20_000);
      assert.equal(await lease.renew('conn_1', b, 30_000), false);
      assert.equal(await lease.renew('conn_1', a, 30_000), true);
      clock.advance(20_000);
      // 40 s after acquiring, still held thanks to the renewal.
      assert.equal(await lease.acquire('conn_1', b, 30_000), false);
      assert.equal((await lease.holder('conn_1'))?.expiresAt, clock.now() + 10_000);
    });

    it('releases only for its owner; then anyone takes it at once', async () => {
      const a = lease.newOwner();
      const b = lease.newOwner();
      assert.equal(await lease.acquire('conn_1', a, 30_000), true);
      assert.equal(await lease.release('conn_1', b), false);
      assert.equal((await lease.holder('conn_1'))?.owner, a);
      assert.equal(await lease.release('conn_1', a), true);
      assert.equal(await lease.holder('conn_1'), undefined);
      assert.equal(await lease.release('conn_1', a), false);
      assert.equal(await lease.acquire('conn_1', b, 30_000), true);
    });

    it('re-acquiring by the current owner extends its own lease', async () => {
      const a = lease.newOwner();
      assert.equal(await lease.acquire('conn_1', a, 30_000), true);
      clock.advance(10_000);
      assert.equal(await lease.acquire('conn_1', a, 30_000), true);
      assert.equal((await lease.holder('conn_1'))?.expiresAt, clock.now() + 30_000);
    });
  });
}
