import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { Kysely, sql } from 'kysely';
import { openStore } from '../open.ts';
import { NodeSqliteDialect } from './node-sqlite-driver.ts';
import { WalSync } from './wal-sync.ts';

/** A WalSync whose flushes are recorded and held until the test releases them. */
class HeldWalSync extends WalSync {
  readonly events: string[] = [];
  #release: (() => void) | undefined;
  hold = false;

  override async sync(): Promise<void> {
    this.events.push('sync');
    if (this.hold) await new Promise<void>((resolve) => (this.#release = resolve));
    await super.sync();
    this.events.push('synced');
  }

  release(): void {
    this.hold = false;
    this.#release?.();
  }
}

interface Table {
  items: { id: number; name: string };
}

describe('SQLite commits flushed off the event loop (WalSync)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-walsync-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function open(name: string) {
    const path = join(dir, name);
    const database = new DatabaseSync(path);
    database.exec('PRAGMA journal_mode = WAL');
    database.exec('PRAGMA synchronous = NORMAL');
    database.exec('create table items (id integer primary key, name text not null)');
    const durability = new HeldWalSync(path);
    const db = new Kysely<Table>({ dialect: new NodeSqliteDialect(database, durability) });
    return { db, durability, path };
  }

  it('flushes after a commit, before the transaction resolves, and hands the connection on only after', async () => {
    const { db, durability } = open('commit.db');
    durability.hold = true;
    const order: string[] = [];
    const writing = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('items').values({ id: 1, name: 'a' }).execute();
      })
      .then(() => order.push('transaction resolved'));
    // Queued behind the transaction: it must not run while the commit is unflushed.
    const reading = db
      .selectFrom('items')
      .selectAll()
      .execute()
      .then((rows) => order.push(`read ${rows.length}`));
    while (!durability.events.includes('sync')) await new Promise((resolve) => setImmediate(resolve));
    // The event loop is free while the flush is held (this line runs), and nothing went past it.
    assert.deepEqual(order, []);
    durability.release();
    await Promise.all([writing, reading]);
    assert.deepEqual(order, ['transaction resolved', 'read 1']);
    assert.deepEqual(durability.events, ['sync', 'synced']);
    await db.destroy();
  });

  it('flushes a write outside a transaction, not a read or a rolled-back transaction', async () => {
    const { db, durability } = open('autocommit.db');
    await db.insertInto('items').values({ id: 1, name: 'a' }).execute();
    assert.deepEqual(durability.events, ['sync', 'synced']);
    await db.selectFrom('items').selectAll().execute();
    await sql`select count(*) from items`.execute(db);
    assert.equal(durability.events.length, 2);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 2, name: 'b' }).execute();
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.equal(durability.events.length, 2);
    assert.equal((await db.selectFrom('items').selectAll().execute()).length, 1);
    await db.updateTable('items').set({ name: 'c' }).where('id', '=', 1).execute();
    assert.equal(durability.events.length, 4);
    await db.destroy();
  });

  it('opens file stores at synchronous=NORMAL with the WAL flushed by the driver, memory stores at FULL', async () => {
    const store = await openStore({ databaseUrl: '', dataDir: join(dir, 'data') });
    const [mode] = (await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db)).rows;
    assert.equal(mode?.synchronous, 1);
    await store.migrate();
    // Written by the migrations' commits, each flushed by the driver.
    assert.ok(statSync(join(dir, 'data', 'patchbay.db-wal')).size > 0);
    await store.close();
    const memory = await openStore({ databaseUrl: 'sqlite::memory:', dataDir: dir });
    const [memoryMode] = (await sql<{ synchronous: number }>`pragma synchronous`.execute(memory.db)).rows;
    assert.equal(memoryMode?.synchronous, 2);
    await memory.close();
  });
});
