/**
 * Records benchmark (issue 6): the records store's change detection at sync volume.
 *
 * On SQLite (WAL, synchronous=FULL) and on PostgreSQL when a local server answers, for one
 * connection and model:
 * 1. First ingest: 1,000,000 records (≈300-byte JSON each) validated with their zod model
 *    (prepareRecord) and upserted in batches of 1,000, one transaction per batch, the way a sync
 *    flushes its pages.
 * 2. Full re-sync: the same records again as a full sync with delete detection (trackSeen), 1 % of
 *    them changed and 0.1 % gone, then deleteUnseen; counts are checked.
 * 3. The ceilings, in the same run: the same rows (same columns, same 1,000-row transactions, same
 *    statement shape) inserted into a bare table with only a primary key, with the JSON and hashes
 *    made beforehand, so it measures only what the database can take; then one read of the
 *    stored hashes per batch of ids there, what change detection costs at least.
 * Peak RSS is the process's maximum resident set size after each part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, sql } from 'kysely';
import { openStore, type Store } from '../src/store/index.ts';
import { openSyncFixture } from '../src/syncs/fixtures/sync-fixture.ts';
import { createRecordsRepository, type PreparedRecord, prepareRecord } from '../src/syncs/records/index.ts';
import { SQLITE_UPSERT_ROWS } from '../src/syncs/records/sql.ts';
import type { TestDatabase } from '../test/support/databases.ts';
import { order, orderSchema } from './fixtures/orders.ts';
import { createBenchPostgres } from './lib/servers.ts';
import { round } from './lib/stats.ts';
import type { BenchContext, Benchmark } from './lib/types.ts';

const RECORDS = Number(process.env.PATCHBAY_BENCH_RECORDS ?? 1_000_000);
const BATCH = 1_000;
const MODEL = 'orders';
const FIRST_INGEST_GOAL = 100_000;
const RESYNC_GOAL_MS = 20_000;

// Second pass: which records changed (1 %) and which are gone at the provider (0.1 %), disjoint.
const changed = (i: number) => i % 100 === 1;
const gone = (i: number) => i % 1_000 === 500;

interface PartFigures {
  ms: number;
  recordsPerSecond: number;
  /** Of `ms`: validating, serializing and hashing (prepareRecord). */
  prepareMs: number;
  counts: Record<string, number>;
  peakRssMb: number;
}

function peakRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024);
}

async function runParts(
  label: string,
  database: TestDatabase,
  context: BenchContext,
): Promise<{
  first: PartFigures;
  resync: PartFigures;
  ceiling: PartFigures;
  readCeiling: PartFigures;
  payloadBytes: number;
}> {
  const fixture = await openSyncFixture(database);
  try {
    const records = createRecordsRepository({ store: fixture.store, clock: { now: () => Date.now() } });
    const connectionId = await fixture.connection(fixture.dev.id);
    const scope = (runId: string) => ({ environmentId: fixture.dev.id, connectionId, runId });

    context.log(`${label}: first ingest of ${RECORDS.toLocaleString('en-US')} records`);
    const first = { added: 0, updated: 0, unchanged: 0 };
    let prepareMs = 0;
    let payloadBytes = 0;
    let ms = 0;
    for (let from = 0; from < RECORDS; from += BATCH) {
      // What the provider sent is made outside the timing: only validation and storage count.
      const inputs = [];
      for (let i = from; i < Math.min(from + BATCH, RECORDS); i++) inputs.push(order(i, 0));
      const t = performance.now();
      const batch = inputs.map((input) => prepareRecord(MODEL, orderSchema, input));
      const prepared = performance.now();
      const counts = await fixture.store.db
        .transaction()
        .execute((trx) => records.upsert(trx, scope('run_1'), MODEL, batch));
      prepareMs += prepared - t;
      ms += performance.now() - t;
      if (from === 0) payloadBytes = batch.reduce((sum, r) => sum + r.payload.length, 0) / batch.length;
      first.added += counts.added;
      first.updated += counts.updated;
      first.unchanged += counts.unchanged;
    }
    if (first.added !== RECORDS) throw new Error(`${label}: first ingest added ${first.added}`);
    const firstFigures: PartFigures = {
      ms: round(ms),
      recordsPerSecond: round((RECORDS / ms) * 1000),
      prepareMs: round(prepareMs),
      counts: first,
      peakRssMb: peakRssMb(),
    };
    context.log(`${label}: ${firstFigures.recordsPerSecond} records/s`);

    context.log(`${label}: full re-sync, 1 % changed, 0.1 % gone`);
    const resync = { added: 0, updated: 0, unchanged: 0, deleted: 0 };
    prepareMs = 0;
    ms = 0;
    for (let from = 0; from < RECORDS; from += BATCH) {
      const inputs = [];
      for (let i = from; i < Math.min(from + BATCH, RECORDS); i++) {
        if (!gone(i)) inputs.push(order(i, changed(i) ? 1 : 0));
      }
      const t = performance.now();
      const batch = inputs.map((input) => prepareRecord(MODEL, orderSchema, input));
      const prepared = performance.now();
      const counts = await fixture.store.db
        .transaction()
        .execute((trx) => records.upsert(trx, scope('run_2'), MODEL, batch, { trackSeen: true }));
      prepareMs += prepared - t;
      ms += performance.now() - t;
      resync.added += counts.added;
      resync.updated += counts.updated;
      resync.unchanged += counts.unchanged;
    }
    const t = performance.now();
    resync.deleted = await fixture.store.db
      .transaction()
      .execute((trx) => records.deleteUnseen(trx, scope('run_2'), MODEL, 'run_2'));
    ms += performance.now() - t;
    let goneCount = 0;
    let changedCount = 0;
    for (let i = 0; i < RECORDS; i++) {
      if (gone(i)) goneCount++;
      else if (changed(i)) changedCount++;
    }
    if (
      resync.added !== 0 ||
      resync.updated !== changedCount ||
      resync.deleted !== goneCount ||
      resync.unchanged !== RECORDS - changedCount - goneCount
    )
      throw new Error(`${label}: re-sync counts ${JSON.stringify(resync)}`);
    const resyncFigures: PartFigures = {
      ms: round(ms),
      recordsPerSecond: round((RECORDS / ms) * 1000),
      prepareMs: round(prepareMs),
      counts: resync,
      peakRssMb: peakRssMb(),
    };
    context.log(`${label}: re-sync in ${resyncFigures.ms} ms`);

    context.log(`${label}: ceiling (bare table, same rows and transactions)`);
    const { insert: ceiling, read: readCeiling } = await rawInsert(
      fixture.store,
      connectionId,
      fixture.dev.id,
    );
    context.log(
      `${label}: ceiling ${ceiling.recordsPerSecond} rows/s inserted, ${readCeiling.recordsPerSecond} rows/s read back by id`,
    );
    return { first: firstFigures, resync: resyncFigures, ceiling, readCeiling, payloadBytes };
  } finally {
    await fixture.close();
  }
}

/**
 * The same rows into a table with the records columns and only a primary key, in the same
 * transactions, without change detection (SQLite: the store's multi-row VALUES of
 * SQLITE_UPSERT_ROWS rows; PostgreSQL: INSERT … SELECT FROM unnest of arrays); rows are made
 * beforehand, outside the timing.
 */
async function rawInsert(
  store: Store,
  connectionId: string,
  environmentId: string,
): Promise<{ insert: PartFigures; read: PartFigures }> {
  await sql`create table bench_records_raw (connection_id text not null, model text not null, external_id text not null, environment_id text not null, payload text not null, hash text not null, first_seen_at bigint not null, modified_at bigint not null, deleted_at bigint, last_run_id text, primary key (connection_id, model, external_id))`.execute(
    store.db,
  );
  const columns =
    'connection_id, model, external_id, environment_id, payload, hash, first_seen_at, modified_at, deleted_at, last_run_id';
  const sqliteText = (rows: number) =>
    `insert into bench_records_raw (${columns}) values ${Array.from(
      { length: rows },
      (_, r) => `(?2, ?3, ?${6 + r * 3}, ?1, ?${7 + r * 3}, ?${8 + r * 3}, ?4, ?4, null, ?5)`,
    ).join(', ')}`;
  const postgresText = `insert into bench_records_raw (${columns}) select $2::text, $3::text, e, $1::text, p, h, $4::bigint, $4::bigint, null::bigint, $5::text from unnest($6::text[], $7::text[], $8::text[]) as u(e, p, h)`;
  try {
    let ms = 0;
    for (let from = 0; from < RECORDS; from += BATCH) {
      const batch: PreparedRecord[] = [];
      for (let i = from; i < Math.min(from + BATCH, RECORDS); i++)
        batch.push(prepareRecord(MODEL, orderSchema, order(i, 0)));
      const fixed = [environmentId, connectionId, MODEL, Date.now(), 'run_raw'];
      const queries: CompiledQuery[] = [];
      if (store.dialect.name === 'sqlite') {
        for (let start = 0; start < batch.length; start += SQLITE_UPSERT_ROWS) {
          const rows = batch.slice(start, start + SQLITE_UPSERT_ROWS);
          queries.push(
            CompiledQuery.raw(sqliteText(rows.length), [
              ...fixed,
              ...rows.flatMap((r) => [r.externalId, r.payload, r.hash]),
            ]),
          );
        }
      } else {
        queries.push(
          CompiledQuery.raw(postgresText, [
            ...fixed,
            batch.map((r) => r.externalId),
            batch.map((r) => r.payload),
            batch.map((r) => r.hash),
          ]),
        );
      }
      const t = performance.now();
      await store.db.transaction().execute(async (trx) => {
        for (const query of queries) await trx.executeQuery(query);
      });
      ms += performance.now() - t;
    }
    const insert: PartFigures = {
      ms: round(ms),
      recordsPerSecond: round((RECORDS / ms) * 1000),
      prepareMs: 0,
      counts: { inserted: RECORDS },
      peakRssMb: peakRssMb(),
    };
    // What change detection costs at least: one read of the batch's stored hashes by id.
    const readText =
      store.dialect.name === 'sqlite'
        ? 'select external_id, hash from bench_records_raw where connection_id = ?1 and model = ?2 and external_id in (select value from json_each(?3))'
        : 'select external_id, hash from bench_records_raw where (connection_id, model, external_id) in (select $1, $2, unnest($3::text[]))';
    ms = 0;
    for (let from = 0; from < RECORDS; from += BATCH) {
      const ids: string[] = [];
      for (let i = from; i < Math.min(from + BATCH, RECORDS); i++) ids.push(order(i, 0).id);
      const query = CompiledQuery.raw(readText, [
        connectionId,
        MODEL,
        store.dialect.name === 'sqlite' ? JSON.stringify(ids) : ids,
      ]);
      const t = performance.now();
      await store.db.transaction().execute((trx) => trx.executeQuery(query));
      ms += performance.now() - t;
    }
    const read: PartFigures = {
      ms: round(ms),
      recordsPerSecond: round((RECORDS / ms) * 1000),
      prepareMs: 0,
      counts: { read: RECORDS },
      peakRssMb: peakRssMb(),
    };
    return { insert, read };
  } finally {
    await sql`drop table bench_records_raw`.execute(store.db);
  }
}

const benchmark: Benchmark = {
  name: 'records',
  description: `records store: ${RECORDS.toLocaleString('en-US')} records in batches of ${BATCH.toLocaleString('en-US')}, first ingest and a full re-sync with 1 % changed`,
  async run(context) {
    const results: Record<string, Awaited<ReturnType<typeof runParts>> | { skipped: string }> = {};

    const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-'));
    const sqliteDb: TestDatabase = {
      name: 'sqlite',
      databaseUrl: '',
      dataDir,
      open: () => openStore({ databaseUrl: '', dataDir }),
      async destroy() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    try {
      results.sqlite = await runParts('SQLite', sqliteDb, context);
    } finally {
      await sqliteDb.destroy();
    }

    const postgres = await createBenchPostgres('records');
    if (postgres.ok) {
      const pgDb: TestDatabase = {
        name: 'postgres',
        databaseUrl: postgres.value.url,
        dataDir: tmpdir(),
        open: () => openStore({ databaseUrl: postgres.value.url, dataDir: tmpdir(), poolSize: 5 }),
        destroy: postgres.value.drop,
      };
      try {
        results.postgres = await runParts('PostgreSQL', pgDb, context);
      } finally {
        await pgDb.destroy();
      }
    } else {
      results.postgres = { skipped: postgres.reason };
      context.log(`PostgreSQL part skipped: ${postgres.reason}`);
    }

    const sqlite = results.sqlite as Awaited<ReturnType<typeof runParts>>;
    const table: Array<Record<string, string | number | null>> = [];
    for (const [name, result] of Object.entries(results)) {
      if ('skipped' in result) {
        table.push({ database: name, part: `skipped: ${result.skipped}` });
        continue;
      }
      for (const [part, figures] of [
        ['first ingest', result.first],
        ['full re-sync, 1 % changed', result.resync],
        ['ceiling: bare INSERT', result.ceiling],
        ['ceiling: bare read of hashes by id', result.readCeiling],
      ] as const) {
        table.push({
          database: name,
          part,
          'records/s': figures.recordsPerSecond,
          's total': round(figures.ms / 1000, 2),
          's prepareRecord': round(figures.prepareMs / 1000, 2),
          'peak RSS MB': figures.peakRssMb,
        });
      }
    }
    return {
      unit: 'records/s (first ingest, SQLite)',
      value: sqlite.first.recordsPerSecond,
      ceiling: sqlite.ceiling.recordsPerSecond,
      goal: `first ingest ≥ ${FIRST_INGEST_GOAL.toLocaleString('en-US')} records/s on SQLite, and a full re-sync of ${RECORDS.toLocaleString('en-US')} with 1 % changed well under ${RESYNC_GOAL_MS / 1000} s`,
      met: sqlite.first.recordsPerSecond >= FIRST_INGEST_GOAL && sqlite.resync.ms < RESYNC_GOAL_MS,
      details: {
        records: RECORDS,
        batch: BATCH,
        payloadBytes: round(sqlite.payloadBytes),
        notes: [
          'one transaction per batch of 1,000; SQLite in WAL with synchronous=FULL',
          'first ingest and re-sync include prepareRecord (zod validation, JSON, SHA-1) of every record; making the provider objects is not timed',
          're-sync: trackSeen on every batch, then deleteUnseen; 1 % changed, 0.1 % gone',
          'ceiling: same rows, same transactions and statement shape (SQLite: 40-row VALUES; PostgreSQL: unnest), plain INSERT into a table with only a primary key; rows made outside the timing',
        ],
        ...results,
        machine: { cpus: availableParallelism(), node: process.version },
      },
      table,
    };
  },
};

export default benchmark;
