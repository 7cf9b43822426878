import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { z } from 'zod';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { isPatchbayError } from '../../errors/index.ts';
import { openSyncFixture, type SyncFixture } from '../fixtures/sync-fixture.ts';
import { prepareRecord } from './prepare.ts';
import { createRecordsRepository } from './repository.ts';
import { recordsSql, webhookWriterId } from './sql.ts';
import type { RecordsRepository, RecordsScope, StoredRecord } from './types.ts';

/** Polls pg_locks until the record locks of this database stand as expected (10 s at most). */
async function waitForLocks(
  db: SyncFixture['store']['db'],
  expected: { granted: number; waiting: number },
): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    // Record locks are (namespace "recd", key hash): objsubid 2, the namespace in classid.
    const { rows } = await sql<{ granted: boolean }>`select granted from pg_locks
      where locktype = 'advisory' and objsubid = 2 and classid = ${0x72656364}::oid
      and database = (select oid from pg_database where datname = current_database())`.execute(db);
    const granted = rows.filter((row) => row.granted).length;
    if (granted === expected.granted && rows.length - granted === expected.waiting) return;
    if (Date.now() > until) throw new Error(`record locks never became ${JSON.stringify(expected)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const product = z.object({ id: z.string(), name: z.string(), price: z.number() });
const prep = (id: string, name: string, price = 1) => prepareRecord('products', product, { id, name, price });

for (const target of await testDatabases()) {
  describe(`records repository on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: SyncFixture;
    let records: RecordsRepository;

    before(async () => {
      database = await target.create!();
      f = await openSyncFixture(database);
      records = createRecordsRepository({ store: f.store, clock: f.clock });
    });
    after(async () => {
      await f?.close();
      await database?.destroy();
    });

    async function scopeOf(runId = 'run_1'): Promise<RecordsScope> {
      return { environmentId: f.dev.id, connectionId: await f.connection(f.dev.id), runId };
    }
    async function all(
      scope: RecordsScope,
      includeDeleted = true,
      model = 'products',
    ): Promise<StoredRecord[]> {
      const out: StoredRecord[] = [];
      let after: string | undefined;
      do {
        const page = await records.list(scope.environmentId, scope.connectionId, model, {
          limit: 7,
          includeDeleted,
          ...(after === undefined ? {} : { after }),
        });
        out.push(...page.data);
        after = page.nextAfter ?? undefined;
      } while (after !== undefined);
      return out;
    }

    it('counts added, updated and unchanged, and writes only what changed', async () => {
      const scope = await scopeOf();
      const first = await records.upsert(f.store.db, scope, 'products', [prep('p1', 'a'), prep('p2', 'b')]);
      assert.deepEqual(first, { added: 2, updated: 0, unchanged: 0 });
      const stampOfP2 = (await all(scope)).find((r) => r.id === 'p2')!.modifiedAt;
      f.clock.advance(1000);
      const second = await records.upsert(f.store.db, scope, 'products', [
        prep('p1', 'a2'),
        prep('p2', 'b'),
        prep('p3', 'c'),
      ]);
      assert.deepEqual(second, { added: 1, updated: 1, unchanged: 1 });
      const again = await records.upsert(f.store.db, scope, 'products', [
        prep('p1', 'a2'),
        prep('p2', 'b'),
        prep('p3', 'c'),
      ]);
      assert.deepEqual(again, { added: 0, updated: 0, unchanged: 3 });
      const stored = await all(scope);
      assert.deepEqual(
        stored.map((r) => [r.id, r.data.name]),
        [
          ['p2', 'b'],
          ['p1', 'a2'],
          ['p3', 'c'],
        ],
      );
      const p1 = stored.find((r) => r.id === 'p1')!;
      assert.equal(p1.firstSeenAt, f.clock.now() - 1000, 'first_seen_at stays when a record changes');
      assert.equal(p1.modifiedAt, f.clock.now());
      assert.equal(
        stored.find((r) => r.id === 'p2')!.modifiedAt,
        stampOfP2,
        'unchanged records keep their stamp',
      );
      assert.equal(await records.count(scope.environmentId, scope.connectionId, 'products'), 3);
      assert.equal(await records.count(scope.environmentId, scope.connectionId, 'orders'), 0);
    });

    it('keeps the last of an id given twice in one batch, counted once', async () => {
      const scope = await scopeOf();
      const counts = await records.upsert(f.store.db, scope, 'products', [
        prep('p1', 'first'),
        prep('p2', 'x'),
        prep('p1', 'last'),
      ]);
      assert.deepEqual(counts, { added: 2, updated: 0, unchanged: 0 });
      const stored = await all(scope);
      assert.equal(stored.find((r) => r.id === 'p1')!.data.name, 'last');
    });

    it('writes batches larger than one insert statement', async () => {
      const scope = await scopeOf();
      const batch = Array.from({ length: 2017 }, (_, i) => prep(`p${i}`, `n${i}`));
      assert.deepEqual(await records.upsert(f.store.db, scope, 'products', batch), {
        added: batch.length,
        updated: 0,
        unchanged: 0,
      });
      const changed = batch.map((r, i) => (i % 500 === 0 ? prep(r.externalId, 'changed') : r));
      assert.deepEqual(await records.upsert(f.store.db, scope, 'products', changed), {
        added: 0,
        updated: 5,
        unchanged: batch.length - 5,
      });
      assert.equal(await records.count(scope.environmentId, scope.connectionId, 'products'), batch.length);
    });

    it('soft-deletes by id once, and a record that comes back is added again', async () => {
      const scope = await scopeOf();
      await records.upsert(f.store.db, scope, 'products', [
        prep('p1', 'a'),
        prep('p2', 'b'),
        prep('p3', 'c'),
      ]);
      f.clock.advance(10);
      assert.equal(await records.softDelete(f.store.db, scope, 'products', ['p1', 'p2', 'p1', 'nope']), 2);
      assert.equal(await records.softDelete(f.store.db, scope, 'products', ['p1']), 0, 'already deleted');
      assert.equal(await records.count(scope.environmentId, scope.connectionId, 'products'), 1);
      assert.equal(
        await records.count(scope.environmentId, scope.connectionId, 'products', { includeDeleted: true }),
        3,
      );
      const deleted = (await all(scope)).find((r) => r.id === 'p1')!;
      assert.equal(deleted.deleted, true);
      assert.equal(deleted.deletedAt, deleted.modifiedAt);
      assert.deepEqual(
        (await all(scope, false)).map((r) => r.id),
        ['p3'],
      );
      // Same payload as before the delete: still written, to clear the delete.
      assert.deepEqual(await records.upsert(f.store.db, scope, 'products', [prep('p1', 'a')]), {
        added: 1,
        updated: 0,
        unchanged: 0,
      });
      const back = (await all(scope)).find((r) => r.id === 'p1')!;
      assert.equal(back.deleted, false);
      assert.equal(back.deletedAt, null);
    });

    it('deleteUnseen spares what a full run saw (unchanged included) and deletes the rest', async () => {
      const scope = await scopeOf('run_a');
      await records.upsert(f.store.db, scope, 'products', [
        prep('p1', 'a'),
        prep('p2', 'b'),
        prep('p3', 'c'),
      ]);
      await records.upsert(f.store.db, scope, 'orders', [
        prepareRecord('orders', product, { id: 'o1', name: 'o', price: 2 }),
      ]);
      const full = { ...scope, runId: 'run_b' };
      await f.store.db.transaction().execute(async (trx) => {
        assert.deepEqual(
          await records.upsert(trx, full, 'products', [prep('p1', 'a')], { trackSeen: true }),
          { added: 0, updated: 0, unchanged: 1 },
        );
        assert.deepEqual(
          await records.upsert(trx, full, 'products', [prep('p2', 'b2'), prep('p4', 'd')], {
            trackSeen: true,
          }),
          { added: 1, updated: 1, unchanged: 0 },
        );
        assert.equal(await records.deleteUnseen(trx, full, 'products', 'run_b'), 1);
      });
      const stored = await all(scope);
      assert.deepEqual(
        stored.filter((r) => r.deleted).map((r) => r.id),
        ['p3'],
      );
      assert.deepEqual(
        stored
          .filter((r) => !r.deleted)
          .map((r) => r.id)
          .sort(),
        ['p1', 'p2', 'p4'],
      );
      assert.equal(
        await records.count(scope.environmentId, scope.connectionId, 'orders'),
        1,
        'other models untouched',
      );
      assert.equal(await records.deleteUnseen(f.store.db, full, 'products', 'run_b'), 0, 'idempotent');
    });

    it('delete detection spares what a webhook handler wrote since the run started, not before', async () => {
      const scope = await scopeOf('run_old');
      const db = f.store.db;
      const earlyHandler = { ...scope, runId: webhookWriterId('in_early') };
      await records.upsert(db, scope, 'products', [prep('h1', 'a'), prep('h2', 'b'), prep('h3', 'c')]);
      await records.upsert(db, earlyHandler, 'products', [prep('h5', 'e')]);
      f.clock.advance(1000);
      const startedAt = f.clock.now();
      f.clock.advance(1000);
      // While the full run lists (and sees none of these), a handler changes h2 and adds h4.
      const handler = { ...scope, runId: webhookWriterId('in_late') };
      assert.deepEqual(await records.upsert(db, handler, 'products', [prep('h2', 'b2'), prep('h4', 'd')]), {
        added: 1,
        updated: 1,
        unchanged: 0,
      });
      const full = { ...scope, runId: 'run_full' };
      assert.equal(await records.deleteUnseen(db, full, 'products', 'run_full', startedAt), 3);
      const stored = await all(scope);
      assert.deepEqual(
        stored
          .filter((r) => r.deleted)
          .map((r) => r.id)
          .sort(),
        ['h1', 'h3', 'h5'],
      );
      assert.equal(
        (await records.find(db, scope.environmentId, scope.connectionId, 'products', 'h2'))?.data.name,
        'b2',
      );
      assert.equal(await records.find(db, scope.environmentId, scope.connectionId, 'products', 'h1'), null);
      assert.equal(await records.find(db, scope.environmentId, scope.connectionId, 'orders', 'h2'), null);
    });

    it("a run's writes leave alone what a webhook handler wrote since the run started, not before", async () => {
      const scope = await scopeOf('run_w0');
      const db = f.store.db;
      const model = 'spared';
      await records.upsert(db, scope, model, [
        prep('w1', 'listed'),
        prep('w2', 'listed'),
        prep('w3', 'listed'),
      ]);
      await records.upsert(db, { ...scope, runId: webhookWriterId('in_before') }, model, [
        prep('w3', 'hooked early'),
      ]);
      f.clock.advance(1000);
      const startedAt = f.clock.now();
      f.clock.advance(1000);
      // While the run lists (its page read before these events), handlers move w1 on.
      await records.upsert(db, { ...scope, runId: webhookWriterId('in_paid') }, model, [prep('w1', 'paid')]);
      const run = { ...scope, runId: 'run_w1' };
      const counts = await records.upsert(
        db,
        run,
        model,
        [
          prep('w1', 'open (stale page)'),
          prep('w2', 'edited'),
          prep('w3', 'listed again'),
          prep('w4', 'new'),
        ],
        { spareWebhookWritesSince: startedAt },
      );
      assert.deepEqual(counts, { added: 1, updated: 2, unchanged: 1 });
      const name = async (id: string) =>
        (await records.find(db, scope.environmentId, scope.connectionId, model, id))?.data.name;
      assert.equal(await name('w1'), 'paid', "the handler's newer word stays");
      assert.equal(await name('w2'), 'edited');
      assert.equal(await name('w3'), 'listed again', 'a handler write from before the run is overwritten');
      assert.equal(await name('w4'), 'new');
      // Without the option (a handler's own write), the record is written whoever wrote it last.
      await records.upsert(db, { ...scope, runId: webhookWriterId('in_refund') }, model, [
        prep('w1', 'refunded'),
      ]);
      assert.equal(await name('w1'), 'refunded');
    });

    it('the upsert statement itself spares a webhook write (a handler committing after the hashes were read)', async () => {
      const scope = await scopeOf('run_r0');
      const db = f.store.db;
      const model = 'raced';
      const startedAt = f.clock.now();
      f.clock.advance(1000);
      await records.upsert(db, { ...scope, runId: webhookWriterId('in_race') }, model, [prep('r1', 'paid')]);
      const statements = recordsSql(f.store.dialect.name).upsert(
        scope.environmentId,
        scope.connectionId,
        model,
        f.clock.now() + 1,
        'run_r1',
        [prep('r1', 'open (stale page)'), prep('r2', 'new')],
        startedAt,
      );
      for (const statement of statements)
        await db.executeQuery(CompiledQuery.raw(statement.text, statement.parameters));
      const name = async (id: string) =>
        (await records.find(db, scope.environmentId, scope.connectionId, model, id))?.data.name;
      assert.equal(await name('r1'), 'paid');
      assert.equal(await name('r2'), 'new');
    });

    it('lock: a second writer of the same record waits for the first to commit, then reads its write', {
      skip: target.name === 'sqlite' ? 'SQLite serializes write transactions already' : false,
    }, async () => {
      const scope = await scopeOf('webhook:in_a');
      const db = f.store.db;
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = db.transaction().execute(async (trx) => {
        await records.lock(trx, scope, 'products', ['L1']);
        await held;
        await records.upsert(trx, scope, 'products', [prep('L1', 'written first')]);
      });
      // The first transaction holds the lock before the second asks for it.
      await waitForLocks(db, { granted: 1, waiting: 0 });
      const second = db.transaction().execute(async (trx) => {
        await records.lock(trx, scope, 'products', ['L1']);
        return records.find(trx, scope.environmentId, scope.connectionId, 'products', 'L1');
      });
      await waitForLocks(db, { granted: 1, waiting: 1 });
      release();
      await first;
      assert.equal((await second)?.data.name, 'written first');
    });

    it('remembers seen ids per run, connection and model, and forgetSeen drops them', async () => {
      const scope = await scopeOf('run_a');
      const other = await scopeOf('run_a');
      await records.upsert(f.store.db, scope, 'products', [prep('p1', 'a'), prep('p2', 'b')]);
      await records.upsert(f.store.db, other, 'products', [prep('p1', 'a')]);
      const full = { ...scope, runId: 'run_b' };
      const before = await all(scope);
      // Seen unchanged in another connection's run of the same id, and in another model.
      await records.upsert(f.store.db, { ...other, runId: 'run_b' }, 'products', [prep('p1', 'a')], {
        trackSeen: true,
      });
      await records.upsert(
        f.store.db,
        full,
        'orders',
        [prepareRecord('orders', product, { id: 'p1', name: 'o', price: 1 })],
        {
          trackSeen: true,
        },
      );
      assert.deepEqual(
        await records.upsert(f.store.db, full, 'products', [prep('p2', 'b')], { trackSeen: true }),
        {
          added: 0,
          updated: 0,
          unchanged: 1,
        },
      );
      assert.deepEqual(await all(scope), before, 'an unchanged record is not rewritten');
      const seenRows = () =>
        f.store.db
          .selectFrom('records_seen')
          .select('ids')
          .where('run_id', '=', 'run_b')
          .where('connection_id', '=', scope.connectionId)
          .execute();
      assert.deepEqual(
        (await seenRows()).map((row) => JSON.parse(row.ids)),
        [['p2']],
        'one row per batch with its unchanged ids (the orders batch added its record)',
      );
      await f.store.db.transaction().execute(async (trx) => {
        assert.equal(await records.deleteUnseen(trx, full, 'products', 'run_b'), 1, 'p1 was not seen here');
        await records.forgetSeen(trx, full);
      });
      assert.deepEqual(await seenRows(), []);
      assert.deepEqual(
        (await all(scope, false)).map((r) => r.id),
        ['p2'],
      );
      assert.equal(
        (await all(other, false)).length,
        1,
        "the other connection's rows are untouched, and so are its remembered ids",
      );
      assert.equal(
        (
          await f.store.db
            .selectFrom('records_seen')
            .select('ids')
            .where('connection_id', '=', other.connectionId)
            .execute()
        ).length,
        1,
      );
    });

    it('without trackSeen, unchanged records are not marked seen and deleteUnseen removes them', async () => {
      const scope = await scopeOf('run_a');
      await records.upsert(f.store.db, scope, 'products', [prep('p1', 'a'), prep('p2', 'b')]);
      const incremental = { ...scope, runId: 'run_b' };
      await records.upsert(f.store.db, incremental, 'products', [prep('p1', 'a'), prep('p2', 'b2')]);
      assert.equal(await records.deleteUnseen(f.store.db, incremental, 'products', 'run_b'), 1);
      assert.deepEqual(
        (await all(scope, false)).map((r) => r.id),
        ['p2'],
      );
    });

    it('pages with a stable cursor while records change: nothing skipped, a changed record once more', async () => {
      const scope = await scopeOf();
      const ids = Array.from({ length: 10 }, (_, i) => `r${String(i).padStart(2, '0')}`);
      await records.upsert(
        f.store.db,
        scope,
        'products',
        ids.map((id) => prep(id, 'v1')),
      );
      const page1 = await records.list(scope.environmentId, scope.connectionId, 'products', { limit: 4 });
      assert.deepEqual(
        page1.data.map((r) => r.id),
        ['r00', 'r01', 'r02', 'r03'],
      );
      assert.ok(page1.nextAfter);
      // The clock does not move: stamps still must move forward.
      await records.upsert(f.store.db, scope, 'products', [prep('r01', 'v2'), prep('r08', 'v2')]);
      await records.upsert(f.store.db, scope, 'products', [prep('r10', 'new')]);
      const seen: StoredRecord[] = [];
      let after: string | null = page1.nextAfter;
      while (after !== null) {
        const page = await records.list(scope.environmentId, scope.connectionId, 'products', {
          limit: 4,
          after,
        });
        seen.push(...page.data);
        after = page.nextAfter;
      }
      assert.deepEqual(
        seen.map((r) => [r.id, r.data.name]),
        [
          ['r04', 'v1'],
          ['r05', 'v1'],
          ['r06', 'v1'],
          ['r07', 'v1'],
          ['r09', 'v1'],
          ['r01', 'v2'],
          ['r08', 'v2'],
          ['r10', 'new'],
        ],
      );
      const stamps = [...page1.data, ...seen].map((r) => r.modifiedAt);
      assert.deepEqual(
        stamps,
        [...stamps].sort((a, b) => a - b),
      );
    });

    it('stamps never go backwards when the clock does', async () => {
      const scope = await scopeOf();
      await records.upsert(f.store.db, scope, 'products', [prep('p1', 'a')]);
      const before = (await all(scope))[0]!.modifiedAt;
      f.clock.advance(-60_000);
      await records.upsert(f.store.db, scope, 'products', [prep('p2', 'b')]);
      await records.softDelete(f.store.db, scope, 'products', ['p1']);
      f.clock.advance(60_000);
      const stored = await all(scope);
      assert.deepEqual(
        stored.map((r) => [r.id, r.modifiedAt]),
        [
          ['p2', before + 1],
          ['p1', before + 2],
        ],
      );
    });

    it('filters by modifiedSince and includeDeleted', async () => {
      const scope = await scopeOf();
      await records.upsert(f.store.db, scope, 'products', [prep('old', 'a'), prep('gone', 'b')]);
      f.clock.advance(5_000);
      const since = f.clock.now();
      await records.upsert(f.store.db, scope, 'products', [prep('new', 'c')]);
      f.clock.advance(5_000);
      await records.softDelete(f.store.db, scope, 'products', ['gone']);
      const list = (options: { modifiedSince?: number; includeDeleted?: boolean }) =>
        records
          .list(scope.environmentId, scope.connectionId, 'products', { limit: 50, ...options })
          .then((page) => page.data.map((r) => r.id));
      assert.deepEqual(await list({}), ['old', 'new']);
      assert.deepEqual(await list({ modifiedSince: since }), ['new']);
      assert.deepEqual(await list({ modifiedSince: since, includeDeleted: true }), ['new', 'gone']);
      assert.deepEqual(await list({ includeDeleted: true }), ['old', 'new', 'gone']);
    });

    it("scopes by environment: another environment's connection is not found and its scope writes nothing", async () => {
      const scope = await scopeOf();
      await records.upsert(f.store.db, scope, 'products', [prep('p1', 'a')]);
      await assert.rejects(
        records.list(f.prod.id, scope.connectionId, 'products', { limit: 10 }),
        (error: unknown) => isPatchbayError(error, 'not_found'),
      );
      await assert.rejects(
        records.list(f.dev.id, 'conn_01jz8x7y6w5v4t3s2r1q0p9n8m', 'products', { limit: 10 }),
        (error: unknown) => isPatchbayError(error, 'not_found'),
      );
      assert.equal(await records.count(f.prod.id, scope.connectionId, 'products'), 0);
      const wrong = { ...scope, environmentId: f.prod.id };
      assert.equal(await records.softDelete(f.store.db, wrong, 'products', ['p1']), 0);
      assert.equal(await records.deleteUnseen(f.store.db, wrong, 'products', 'other'), 0);
      // A write under the wrong environment finds no row to compare and cannot overwrite the real one.
      await records.upsert(f.store.db, wrong, 'products', [prep('p1', 'hijacked')]);
      assert.equal((await all(scope))[0]!.data.name, 'a');
    });

    it('refuses a cursor it did not make with invalid_request', async () => {
      const scope = await scopeOf();
      await assert.rejects(
        records.list(scope.environmentId, scope.connectionId, 'products', { limit: 10, after: 'garbage' }),
        (error: unknown) => isPatchbayError(error, 'invalid_request'),
      );
    });
  });
}
