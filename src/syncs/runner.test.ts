import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import type { Connection } from '../connections/types.ts';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import { newId } from '../ids/index.ts';
import { createLogger } from '../logger/index.ts';
import type { Page, PageCursor, PaginateRequest, ScriptContext, SyncDefinition } from '../scripting/types.ts';
import { openSyncFixture, type SyncFixture } from './fixtures/sync-fixture.ts';
import { createRecordsRepository, prepareRecord, type RecordsRepository } from './records/index.ts';
import { createRunLock } from './run-lock.ts';
import { createSyncRunner, type SyncRunner } from './runner.ts';
import { createRunsRepository, type RunsRepository } from './runs.ts';
import { createSyncScheduler, type SyncPacer, type SyncScheduler } from './schedules.ts';

const itemSchema = z.object({ id: z.string(), name: z.string(), price: z.number().int() });
type Item = z.output<typeof itemSchema>;

/** A provider listing held in memory: pages of `pageSize`, cursor = offset. */
class FakeListing {
  items: Item[] = [];
  requests = 0;
  /** Throws while serving this page number (1-based), once. */
  failAtPage: number | null = null;
  readonly pageSize: number;
  constructor(count: number, pageSize = 10) {
    this.pageSize = pageSize;
    for (let i = 0; i < count; i++) this.items.push({ id: `item_${i}`, name: `Item ${i}`, price: i * 100 });
  }
  async *pages(startAt: PageCursor | null | undefined): AsyncIterable<Page<Item>> {
    let offset = startAt?.type === 'offset' ? startAt.offset : 0;
    let number = 1;
    while (offset < this.items.length) {
      this.requests++;
      if (this.failAtPage === number) {
        this.failAtPage = null;
        throw new PatchbayError('provider_error', 'the provider answered 500', { details: { status: 500 } });
      }
      const items = this.items.slice(offset, offset + this.pageSize);
      offset += items.length;
      yield {
        items,
        next: offset < this.items.length ? { type: 'offset', offset } : null,
        body: {},
        number: number++,
      };
    }
  }
}

const checkpointSchema = z.object({ next: z.unknown().nullable() });

function itemsSync(overrides: Partial<SyncDefinition> = {}): SyncDefinition {
  return {
    name: 'items',
    description: 'Items',
    models: { items: itemSchema },
    frequency: '1h',
    checkpoint: checkpointSchema,
    async exec(ctx) {
      const saved = (await ctx.checkpoint.get()) as { next: PageCursor | null } | null;
      for await (const page of ctx.paginate<Item>({
        method: 'GET',
        path: '/items',
        startAt: saved?.next ?? null,
      })) {
        await ctx.records.save('items', page.items);
        await ctx.checkpoint.save({ next: page.next });
      }
    },
    ...overrides,
  };
}

/**
 * Pages one event-loop turn apart, as from a provider (the fake otherwise yields them at once, and
 * pages that arrive before a queued batch starts join it).
 */
function pagesOneTurnApart(listing: FakeListing): FakeListing {
  const original = listing.pages.bind(listing);
  listing.pages = async function* (startAt) {
    for await (const page of original(startAt)) {
      await new Promise((resolve) => setImmediate(resolve));
      yield page;
    }
  };
  return listing;
}

for (const target of await testDatabases()) {
  describe(`sync runner on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: SyncFixture;
    let records: RecordsRepository;
    let runs: RunsRepository;
    let listing: FakeListing;
    let sync: SyncDefinition;
    const connections = new Map<string, Connection>();

    before(async () => {
      database = await target.create!();
      f = await openSyncFixture(database);
      records = createRecordsRepository({ store: f.store, clock: f.clock });
      runs = createRunsRepository({ db: f.store.db, clock: f.clock });
    });
    after(async () => {
      await f?.close();
      await database?.destroy();
    });

    async function newConnection(environmentId = f.dev.id): Promise<string> {
      const id = await f.connection(environmentId, { provider: 'test' });
      connections.set(id, {
        id,
        environmentId,
        integrationId: await f.integration(environmentId, 'test'),
        integrationKey: 'test',
        provider: 'test',
        endUser: { id: 'user_1', email: null, organization: null },
        status: 'active',
        connectionConfig: {},
        metadata: {},
        expiresAt: null,
        lastError: null,
        lastRefreshedAt: null,
        createdAt: 0,
        updatedAt: 0,
      });
      return id;
    }

    /** Each write transaction of a run: the records it upserted and whether it stored a checkpoint. */
    interface WriteSpy {
      batches: { records: number; checkpoint: boolean }[];
      failOnBatch?: number;
    }

    function world(
      options: {
        lockTtlMs?: number;
        lockPollMs?: number;
        batchSize?: number;
        checkpointIntervalMs?: number;
        spy?: WriteSpy;
        pace?: SyncPacer;
      } = {},
    ): {
      runner: SyncRunner;
      scheduler: SyncScheduler;
    } {
      const registry = new Map([
        [
          'test',
          {
            provider: 'test',
            syncs: new Map([['items', sync]]),
            actions: new Map(),
            paginators: new Map(),
            webhookHandlers: new Map(),
            webhookSubscriptions: null,
          },
        ],
      ]);
      const runner = createSyncRunner({
        db: f.store.db,
        clock: f.clock,
        logger: createLogger({ level: 'silent' }),
        runs,
        lock: spiedLock(options.spy, options.lockPollMs),
        records: {
          prepare: (schema, model, input) => prepareRecord(model, schema as typeof itemSchema, input),
          upsert: async (trx, scope, model, list, opts) => {
            const batch = options.spy?.batches.at(-1);
            if (batch) batch.records += list.length;
            if (options.spy && options.spy.failOnBatch === options.spy.batches.length)
              throw new Error('disk full');
            return records.upsert(trx, scope, model, list, opts);
          },
          softDelete: (trx, scope, model, ids) => records.softDelete(trx, scope, model, ids),
          deleteUnseen: (trx, scope, model, runId, writtenBefore) =>
            records.deleteUnseen(trx, scope, model, runId, writtenBefore),
          forgetSeen: (trx, scope) => records.forgetSeen(trx, scope),
        },
        connection: async (environmentId, id) => {
          const connection = connections.get(id);
          if (!connection || connection.environmentId !== environmentId)
            throw new PatchbayError('not_found', 'no');
          return connection;
        },
        resolveSync: () => sync,
        contextFor: async ({ environmentId, connectionId, signal, log }): Promise<ScriptContext> => ({
          connection: {
            id: connectionId,
            environmentId,
            integrationId: 'int',
            provider: 'test',
            endUserId: 'user_1',
            config: {},
            metadata: {},
          },
          proxy: {} as ScriptContext['proxy'],
          paginate: <T>(request: PaginateRequest) => listing.pages(request.startAt) as AsyncIterable<Page<T>>,
          log,
          signal,
        }),
        ...(options.lockTtlMs ? { lockTtlMs: options.lockTtlMs } : {}),
        batchSize: options.batchSize ?? 1000,
        // Every checkpoint written at once unless a test says otherwise: pages here are small.
        checkpointIntervalMs: options.checkpointIntervalMs ?? 0,
      });
      const scheduler = createSyncScheduler({
        db: f.store.db,
        queue: f.queue,
        clock: f.clock,
        runs,
        registry,
        ...(options.pace ? { pace: options.pace } : {}),
      });
      return { runner, scheduler };
    }

    // The run lock's fence opens every write transaction of a run (and its close): a spy there sees
    // each transaction and whether it carries a checkpoint.
    function spiedLock(spy: WriteSpy | undefined, pollMs?: number) {
      const lock = createRunLock({
        db: f.store.db,
        clock: f.clock,
        ...(pollMs === undefined ? {} : { pollMs }),
      });
      if (!spy) return lock;
      const fence = lock.fence.bind(lock);
      lock.fence = (trx, key, owner, ttlMs, update) => {
        // A batch's checkpoint is JSON text; the run's start clears it with null (not a batch).
        if (update && update.checkpoint !== null)
          spy.batches.push({ records: 0, checkpoint: update.checkpoint !== undefined });
        return fence(trx, key, owner, ttlMs, update);
      };
      return lock;
    }

    /**
     * Runs `attempt` with a job signal that fires while the listing serves its third page (lease
     * lost, shutdown), expects it to give up, and puts the listing back.
     */
    async function stopWhileServingPage3(attempt: (signal: AbortSignal) => Promise<unknown>) {
      const stop = new AbortController();
      const original = listing.pages.bind(listing);
      listing.pages = async function* (startAt) {
        for await (const page of original(startAt)) {
          if (page.number === 3) stop.abort(new Error('worker stopping'));
          yield page;
        }
      };
      try {
        await assert.rejects(attempt(stop.signal));
      } finally {
        listing.pages = original;
      }
    }

    async function runOnce(connectionId: string, mode?: 'full' | 'incremental', w = world()) {
      const { runId } = await w.scheduler.trigger(f.dev.id, connectionId, sync, {
        trigger: 'manual',
        ...(mode ? { mode } : {}),
      });
      // The job is not needed here: the runner executes the run directly, as the worker would.
      await f.store.db.deleteFrom('jobs').execute();
      const run = await w.runner.execute(runId, { attempt: 1, signal: new AbortController().signal });
      assert.ok(run);
      return run;
    }

    async function eventsOf(type: string, runId: string) {
      const rows = await f.store.db.selectFrom('events').select(['data']).where('type', '=', type).execute();
      return rows
        .map((row) => JSON.parse(row.data) as Record<string, unknown>)
        .filter((data) => data.syncRunId === runId);
    }

    it('saves every page, counts them, and closes the run with its events', async () => {
      sync = itemsSync();
      listing = new FakeListing(25);
      const connectionId = await newConnection();
      const run = await runOnce(connectionId);
      assert.equal(run.status, 'succeeded');
      assert.deepEqual([run.added, run.updated, run.unchanged, run.deleted, run.pages], [25, 0, 0, 0, 3]);
      assert.equal(run.mode, 'full', 'the first run of a sync lists everything');
      assert.equal(await records.count(f.dev.id, connectionId, 'items'), 25);
      const [succeeded] = await eventsOf('sync.succeeded', run.id);
      assert.equal(succeeded?.added, 25);
      assert.deepEqual(succeeded?.models, ['items']);
      const changed = await eventsOf('records.changed', run.id);
      assert.deepEqual(
        changed.map((e) => [e.model, e.added]),
        [['items', 25]],
      );
      const schedule = (await world().scheduler.list(f.dev.id, connectionId))[0];
      assert.equal(schedule?.runningRunId, null, 'the run lock is released');
      assert.notEqual(schedule?.lastSuccessAt, null);
    });

    it('an unchanged re-run updates nothing and emits no records.changed', async () => {
      sync = itemsSync();
      listing = new FakeListing(12);
      const connectionId = await newConnection();
      await runOnce(connectionId);
      const again = await runOnce(connectionId, 'full');
      assert.deepEqual([again.added, again.updated, again.unchanged], [0, 0, 12]);
      assert.deepEqual(await eventsOf('records.changed', again.id), []);
      listing.items[3] = { ...listing.items[3]!, price: 1 };
      const third = await runOnce(connectionId, 'full');
      assert.deepEqual([third.added, third.updated, third.unchanged], [0, 1, 11]);
    });

    it('a full run of a sync that tracks deletes soft-deletes what the provider no longer lists', async () => {
      sync = itemsSync({ trackDeletes: true });
      listing = new FakeListing(30);
      const connectionId = await newConnection();
      await runOnce(connectionId);
      listing.items.splice(5, 2);
      const run = await runOnce(connectionId);
      assert.equal(run.deleted, 2);
      assert.equal(await records.count(f.dev.id, connectionId, 'items'), 28);
      assert.equal(await records.count(f.dev.id, connectionId, 'items', { includeDeleted: true }), 30);
      const [changed] = await eventsOf('records.changed', run.id);
      assert.equal(changed?.deleted, 2);
      assert.deepEqual(
        await f.store.db
          .selectFrom('records_seen')
          .select('run_id')
          .where('connection_id', '=', connectionId)
          .execute(),
        [],
        'the ids the run remembered as seen are gone once it closed',
      );
    });

    it('a full run that tracks deletes and is resumed spares what its first attempt saw', async () => {
      sync = itemsSync({ trackDeletes: true });
      listing = new FakeListing(50, 10);
      const connectionId = await newConnection();
      await runOnce(connectionId);
      listing.items.splice(45, 3);
      const w = world({ lockTtlMs: 5_000, batchSize: 10 });
      const { runId } = await w.scheduler.trigger(f.dev.id, connectionId, sync, { trigger: 'manual' });
      await stopWhileServingPage3((stop) => w.runner.execute(runId, { attempt: 1, signal: stop }));
      assert.equal((await runs.get(f.dev.id, runId)).unchanged, 20, 'two pages committed, all unchanged');
      f.clock.advance(5_001);
      const resumed = await w.runner.execute(runId, { attempt: 2, signal: new AbortController().signal });
      assert.equal(resumed?.status, 'succeeded');
      assert.deepEqual([resumed?.unchanged, resumed?.deleted], [47, 3], 'only the 3 the provider dropped');
      assert.equal(await records.count(f.dev.id, connectionId, 'items'), 47);
      assert.deepEqual(
        await f.store.db.selectFrom('records_seen').select('run_id').where('run_id', '=', runId).execute(),
        [],
      );
    });

    it('an incremental run does not delete what it did not list', async () => {
      sync = itemsSync({ trackDeletes: false });
      listing = new FakeListing(10);
      const connectionId = await newConnection();
      await runOnce(connectionId);
      listing.items.splice(0, 5);
      const run = await runOnce(connectionId, 'incremental');
      assert.equal(run.deleted, 0);
      assert.equal(await records.count(f.dev.id, connectionId, 'items'), 10);
    });

    it('a run whose worker stops mid-way resumes from its checkpoint with exact counts', async () => {
      sync = itemsSync();
      listing = new FakeListing(50, 10);
      const connectionId = await newConnection();
      const w = world({ lockTtlMs: 5_000, batchSize: 10 });
      const { runId } = await w.scheduler.trigger(f.dev.id, connectionId, sync, {
        trigger: 'manual',
      });
      await stopWhileServingPage3((stop) => w.runner.execute(runId, { attempt: 1, signal: stop }));
      const interrupted = await runs.get(f.dev.id, runId);
      assert.equal(interrupted.status, 'running', 'the run stays open for the next attempt');
      assert.equal(interrupted.added, 20, 'two pages were committed with their checkpoint');
      listing.requests = 0;
      // The crashed attempt's lock has not expired yet: the next attempt waits for it.
      f.clock.advance(5_001);
      const resumed = await w.runner.execute(runId, { attempt: 2, signal: new AbortController().signal });
      assert.equal(resumed?.status, 'succeeded');
      assert.equal(resumed?.attempt, 2);
      assert.deepEqual(
        [resumed?.added, resumed?.updated, resumed?.unchanged],
        [50, 0, 0],
        'no record counted twice',
      );
      assert.equal(listing.requests, 3, 'the resumed attempt starts at page 3');
      assert.equal(await records.count(f.dev.id, connectionId, 'items'), 50);
    });

    it("writes a page's records and its checkpoint in one transaction", async () => {
      sync = itemsSync();
      listing = new FakeListing(50, 10);
      const connectionId = await newConnection();
      const spy: WriteSpy = { batches: [] };
      const run = await runOnce(connectionId, undefined, world({ batchSize: 10, spy }));
      assert.equal(run.status, 'succeeded');
      assert.equal(run.added, 50);
      assert.equal(
        spy.batches.reduce((sum, batch) => sum + batch.records, 0),
        50,
      );
      // Never a transaction of records without the checkpoint that follows them: at most one per
      // page (pages that arrive while a batch waits to start join it).
      assert.ok(spy.batches.length <= 5, `${spy.batches.length} write transactions for 5 pages`);
      for (const batch of spy.batches) assert.equal(batch.checkpoint, true);
    });

    it('checkpoints ride with the next full batch, within the checkpoint interval', async () => {
      sync = itemsSync();
      listing = pagesOneTurnApart(new FakeListing(50, 10));
      const connectionId = await newConnection();
      const spy: WriteSpy = { batches: [] };
      const w = world({ batchSize: 20, checkpointIntervalMs: 60_000, spy });
      const run = await runOnce(connectionId, undefined, w);
      assert.equal(run.status, 'succeeded');
      assert.equal(run.added, 50);
      // Two pages per commit, the last page with the final flush; each with its checkpoint.
      assert.deepEqual(spy.batches, [
        { records: 20, checkpoint: true },
        { records: 20, checkpoint: true },
        { records: 10, checkpoint: true },
      ]);
    });

    it('a checkpoint left waiting for its batch is written once the interval is up', async () => {
      sync = itemsSync();
      listing = new FakeListing(20, 10);
      // The second page does not come until the test has seen the first one committed.
      let releaseSecondPage!: () => void;
      const secondPage = new Promise<void>((resolve) => {
        releaseSecondPage = resolve;
      });
      const original = listing.pages.bind(listing);
      listing.pages = async function* (startAt) {
        for await (const page of original(startAt)) {
          if (page.number === 2) await secondPage;
          yield page;
        }
      };
      const connectionId = await newConnection();
      const w = world({ batchSize: 1000, checkpointIntervalMs: 50 });
      const { runId } = await w.scheduler.trigger(f.dev.id, connectionId, sync, { trigger: 'manual' });
      const running = w.runner.execute(runId, { attempt: 1, signal: new AbortController().signal });
      while ((await runs.get(f.dev.id, runId)).added < 10)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const [schedule] = await w.scheduler.list(f.dev.id, connectionId);
      assert.deepEqual(
        schedule?.checkpoint,
        { next: { type: 'offset', offset: 10 } },
        'the first page was committed with its checkpoint',
      );
      releaseSecondPage();
      const run = await running;
      assert.equal(run?.status, 'succeeded');
      assert.equal(run?.added, 20);
    });

    it('a write that fails fails the run, which keeps the batches committed before it', async () => {
      sync = itemsSync();
      listing = pagesOneTurnApart(new FakeListing(60, 10));
      const connectionId = await newConnection();
      const spy: WriteSpy = { batches: [], failOnBatch: 2 };
      const run = await runOnce(connectionId, undefined, world({ batchSize: 10, spy }));
      assert.equal(run.status, 'failed');
      assert.match(run.error?.message ?? '', /disk full/);
      const committed = spy.batches[0]!.records;
      assert.ok(committed >= 10);
      assert.equal(run.added, committed, 'the failed batch and everything after it counted nothing');
      assert.equal(await records.count(f.dev.id, connectionId, 'items'), committed);
      assert.ok(listing.requests < 6, 'the script stopped at its next save');
    });

    it('a provider failure fails the run with its code and keeps what was committed', async () => {
      sync = itemsSync();
      listing = new FakeListing(40, 10);
      listing.failAtPage = 3;
      const connectionId = await newConnection();
      const run = await runOnce(connectionId);
      assert.equal(run.status, 'failed');
      assert.equal(run.error?.code, 'provider_error');
      assert.equal(run.added, 20);
      const [failed] = await eventsOf('sync.failed', run.id);
      assert.deepEqual(failed?.error, run.error);
      // The next run continues from the checkpoint of page 2.
      listing.requests = 0;
      const next = await runOnce(connectionId, 'incremental');
      assert.equal(next.status, 'succeeded');
      assert.equal(next.added, 20);
      assert.equal(listing.requests, 2);
    });

    it('a record that does not match its model fails the run with record_invalid', async () => {
      sync = itemsSync();
      listing = new FakeListing(5);
      (listing.items[2] as unknown as Record<string, unknown>).price = 'free';
      const run = await runOnce(await newConnection());
      assert.equal(run.status, 'failed');
      assert.equal(run.error?.code, 'record_invalid');
      assert.match(run.error?.message ?? '', /item_2/);
    });

    it('a run longer than its timeout fails with sync_timeout', async () => {
      sync = itemsSync({
        timeoutMs: 50,
        exec: (ctx) =>
          new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
          ),
      });
      const run = await runOnce(await newConnection());
      assert.equal(run.status, 'failed');
      assert.equal(run.error?.code, 'sync_timeout');
    });

    it('two concurrent triggers make one run and one job', async () => {
      sync = itemsSync();
      const connectionId = await newConnection();
      const w = world();
      await f.store.db.deleteFrom('jobs').execute();
      const [a, b] = await Promise.all([
        w.scheduler.trigger(f.dev.id, connectionId, sync, { trigger: 'manual' }),
        w.scheduler.trigger(f.dev.id, connectionId, sync, { trigger: 'manual' }),
      ]);
      assert.equal(a.runId, b.runId);
      assert.deepEqual([a.created, b.created].sort(), [false, true]);
      const queued = await f.store.db
        .selectFrom('sync_runs')
        .select('id')
        .where('connection_id', '=', connectionId)
        .execute();
      assert.equal(queued.length, 1);
      const jobs = await f.store.db.selectFrom('jobs').select('id').where('name', '=', 'sync.run').execute();
      assert.equal(jobs.length, 1);
      await f.store.db.deleteFrom('jobs').execute();
    });

    it("a trigger right after a run ends waits for its job's release and makes a new run", async () => {
      sync = itemsSync();
      listing = new FakeListing(5);
      const connectionId = await newConnection();
      const w = world();
      await f.store.db.deleteFrom('jobs').execute();
      const first = await w.scheduler.trigger(f.dev.id, connectionId, sync, { trigger: 'manual' });
      // A worker holds the run's job while it runs the run to its end …
      const [job] = await f.queue.claim({
        names: ['sync.run'],
        owner: 'worker-1',
        leaseMs: 30_000,
        limit: 1,
      });
      assert.ok(job);
      const run = await w.runner.execute(first.runId, { attempt: 1, signal: new AbortController().signal });
      assert.equal(run?.status, 'succeeded', JSON.stringify(run?.error));
      // … and completes the job a moment later: a trigger in between must not get the ended run.
      const release = setTimeout(() => void f.queue.complete({ id: job.id, owner: 'worker-1' }), 60);
      try {
        const second = await w.scheduler.trigger(f.dev.id, connectionId, sync, { trigger: 'manual' });
        assert.equal(second.created, true);
        assert.notEqual(second.runId, first.runId);
        assert.equal((await w.scheduler.list(f.dev.id, connectionId)).length, 1);
      } finally {
        clearTimeout(release);
        await f.store.db.deleteFrom('jobs').execute();
      }
    });

    it('runs waiting for the lock wake when its holder releases it, not when its lease runs out', {
      // The bound only turns a hang into a failure: with an hour's lease and an hour between looks,
      // only the release itself can wake the waiters.
      timeout: 60_000,
    }, async () => {
      sync = itemsSync();
      const connectionId = await newConnection();
      const hour = 3_600_000;
      const w = world({ lockTtlMs: hour, lockPollMs: hour });
      await w.scheduler.ensure(f.dev.id, connectionId, sync);
      let running = 0;
      let mostAtOnce = 0;
      const imports = ['a', 'b', 'c'].map(async (name) => {
        const id = newId('syncRun', f.clock.now());
        await runs.create(f.store.db, {
          id,
          environmentId: f.dev.id,
          connectionId,
          sync: 'items',
          trigger: 'import',
          mode: 'incremental',
        });
        return w.runner.execute(id, {
          attempt: 1,
          signal: new AbortController().signal,
          // What a report import does: save its rows as the run's body.
          async body(context) {
            running += 1;
            mostAtOnce = Math.max(mostAtOnce, running);
            await context.records.save('items', [{ id: `item_${name}`, name, price: 1 }]);
            await new Promise((resolve) => setImmediate(resolve));
            running -= 1;
            return undefined;
          },
        });
      });
      const finished = await Promise.all(imports);
      assert.deepEqual(
        finished.map((run) => run?.status),
        ['succeeded', 'succeeded', 'succeeded'],
      );
      assert.equal(mostAtOnce, 1, 'one run at a time');
      assert.equal(await records.count(f.dev.id, connectionId, 'items'), 3);
      const schedule = (await w.scheduler.list(f.dev.id, connectionId))[0];
      assert.equal(schedule?.runningRunId, null, 'the last one released the lock');
    });

    it('a stalled worker whose lock passed to another cannot write', async () => {
      listing = new FakeListing(30, 10);
      const connectionId = await newConnection();
      const w = world({ lockTtlMs: 1_000, batchSize: 10 });
      let release!: () => void;
      const stalled = new Promise<void>((resolve) => {
        release = resolve;
      });
      let firstPageSeen!: () => void;
      const reachedStall = new Promise<void>((resolve) => {
        firstPageSeen = resolve;
      });
      sync = itemsSync({
        async exec(ctx) {
          for await (const page of ctx.paginate<Item>({ method: 'GET', path: '/items' })) {
            await ctx.records.save('items', page.items);
            await ctx.checkpoint.save({ next: page.next });
            if (page.number === 1 && ctx.run.attempt === 1) {
              firstPageSeen();
              await stalled;
            }
          }
        },
      });
      const { runId } = await w.scheduler.trigger(f.dev.id, connectionId, sync, {
        trigger: 'manual',
      });
      const first = w.runner.execute(runId, { attempt: 1, signal: new AbortController().signal });
      await reachedStall;
      // Its first page's batch commits (renewing the lease) before the lease is let run out.
      while ((await runs.get(f.dev.id, runId)).added < 10)
        await new Promise((resolve) => setImmediate(resolve));
      f.clock.advance(1_001);
      const second = await w.runner.execute(runId, { attempt: 2, signal: new AbortController().signal });
      assert.equal(second?.status, 'succeeded');
      release();
      await assert.rejects(first, (error) => isPatchbayError(error, 'sync_lock_lost'));
      const final = await runs.get(f.dev.id, runId);
      assert.equal(final.status, 'succeeded');
      assert.equal(final.added, 30);
    });

    it('a run left open without a worker (a killed CLI run) is queued again and resumes', async () => {
      sync = itemsSync();
      listing = new FakeListing(30, 10);
      const connectionId = await newConnection();
      const w = world({ lockTtlMs: 1_000, batchSize: 10 });
      await f.store.db.deleteFrom('jobs').execute();
      const { runId } = await w.scheduler.trigger(f.dev.id, connectionId, sync, {
        trigger: 'manual',
      });
      await f.store.db.deleteFrom('jobs').execute(); // as if it had been run in-process, without a job
      const stop = new AbortController();
      const original = listing.pages.bind(listing);
      listing.pages = async function* (startAt) {
        for await (const page of original(startAt)) {
          if (page.number === 2) stop.abort(new Error('killed'));
          yield page;
        }
      };
      await assert.rejects(w.runner.execute(runId, { attempt: 1, signal: stop.signal }));
      listing.pages = original;
      // Paused, so the tick only looks for orphans (a due scheduled run would take the dedupe key).
      await w.scheduler.update(f.dev.id, connectionId, sync, { paused: true });
      await w.scheduler.tick();
      const jobsOfRun = async () =>
        (await f.queue.list({ state: 'queued', name: 'sync.run', limit: 1000 })).filter(
          (job) => (job.payload as { runId: string }).runId === runId,
        );
      assert.equal((await jobsOfRun()).length, 0, 'not while it may still be running');
      f.clock.advance(3 * 60_000);
      await w.scheduler.tick();
      assert.equal((await jobsOfRun()).length, 1);
      const resumed = await w.runner.execute(runId, { attempt: 2, signal: new AbortController().signal });
      assert.equal(resumed?.status, 'succeeded');
      assert.equal(resumed?.added, 30);
      await f.store.db.deleteFrom('jobs').execute();
    });

    it('the scheduler creates schedules for new connections and enqueues due runs once', async () => {
      sync = itemsSync();
      await f.store.db.deleteFrom('jobs').execute();
      const w = world();
      const connectionId = await newConnection();
      const enqueued = await w.scheduler.tick();
      const mine = enqueued.filter((r) => r.created);
      assert.ok(mine.length >= 1);
      const again = await w.scheduler.tick();
      assert.deepEqual(
        again.filter((r) => r.created),
        [],
        'nothing is due twice',
      );
      const schedules = await w.scheduler.list(f.dev.id, connectionId);
      assert.equal(schedules[0]?.frequencyMs, 3_600_000);
      const paused = await w.scheduler.update(f.dev.id, connectionId, sync, { paused: true });
      assert.equal(paused.paused, true);
      f.clock.advance(2 * 3_600_000);
      await f.store.db.deleteFrom('jobs').execute();
      const runsBefore = await runs.list(f.dev.id, { connectionId, limit: 100 });
      await w.scheduler.tick();
      const runsAfter = await runs.list(f.dev.id, { connectionId, limit: 100 });
      assert.equal(runsAfter.data.length, runsBefore.data.length, 'a paused schedule is not run');
      await f.store.db.deleteFrom('jobs').execute();
    });

    it('paces scheduled runs by the plan: a slower floor spaces them, a held connection is skipped', async () => {
      sync = itemsSync();
      await f.store.db.deleteFrom('jobs').execute();
      const held = new Set<string>();
      const w = world({
        pace: async (_environmentId, connectionId, frequencyMs) => ({
          run: !held.has(connectionId),
          frequencyMs: Math.max(frequencyMs, 86_400_000),
        }),
      });
      const connectionId = await newConnection();
      const runsOf = async () => (await runs.list(f.dev.id, { connectionId, limit: 100 })).data.length;
      await w.scheduler.tick();
      const first = await runsOf();
      assert.equal(first, 1);
      const [schedule] = await w.scheduler.list(f.dev.id, connectionId);
      // The sync's own frequency (1 h) stays; the plan's floor (1 day) sets the next turn.
      assert.equal(schedule?.frequencyMs, 3_600_000);
      assert.equal(schedule?.nextRunAt, f.clock.now() + 86_400_000);
      // The run is done (no worker here): nothing pending for the next triggers to meet.
      await f.store.db.deleteFrom('jobs').execute();
      await f.store.db
        .updateTable('sync_runs')
        .set({ status: 'succeeded' })
        .where('connection_id', '=', connectionId)
        .execute();
      f.clock.advance(2 * 3_600_000);
      await w.scheduler.tick();
      assert.equal(await runsOf(), first, 'not due again after one hour on a daily plan');
      f.clock.advance(86_400_000);
      held.add(connectionId);
      await w.scheduler.tick();
      assert.equal(await runsOf(), first, 'a paused connection is not run');
      f.clock.advance(86_400_000);
      held.delete(connectionId);
      await w.scheduler.tick();
      assert.equal(await runsOf(), first + 1);
      await f.store.db.deleteFrom('jobs').execute();
    });

    it("queues a new connection's first run in its creating transaction, not at the next tick", async () => {
      sync = itemsSync();
      await f.store.db.deleteFrom('jobs').execute();
      const w = world();
      const rolledBack = await newConnection();
      await assert.rejects(
        f.store.db.transaction().execute(async (trx) => {
          await w.scheduler.startIn(trx, f.dev.id, rolledBack, [sync]);
          throw new Error('the connection was not saved');
        }),
        /not saved/,
      );
      assert.deepEqual(await w.scheduler.list(f.dev.id, rolledBack), [], 'nothing of a rolled-back start');

      const connectionId = await newConnection();
      await f.store.db.transaction().execute(async (trx) => {
        await w.scheduler.startIn(trx, f.dev.id, connectionId, [sync]);
      });
      const queued = await runs.list(f.dev.id, { connectionId, limit: 10 });
      assert.deepEqual(
        queued.data.map((r) => [r.trigger, r.mode, r.status]),
        [['schedule', 'full', 'queued']],
      );
      const jobs = await f.store.db.selectFrom('jobs').select('payload').execute();
      assert.equal(jobs.filter((j) => String(j.payload).includes(queued.data[0]!.id)).length, 1);
      const [schedule] = await w.scheduler.list(f.dev.id, connectionId);
      assert.equal(schedule?.nextRunAt, f.clock.now() + 3_600_000, 'the next turn is one period away');
      await w.scheduler.tick();
      const after = await runs.list(f.dev.id, { connectionId, limit: 10 });
      assert.equal(after.data.length, 1, 'the tick does not queue the first run again');
      await f.store.db.deleteFrom('jobs').execute();
    });
  });
}
