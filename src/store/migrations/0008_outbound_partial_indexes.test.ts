import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type CompiledQuery,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  sql,
  type UnknownRow,
} from 'kysely';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { ManualClock } from '../../clock/index.ts';
import { sweepMessages } from '../../outbound/delivery/sweep.ts';
import type { MessageStatus, Store } from '../index.ts';
import { runMigrations } from '../migration.ts';
import type { Database } from '../schema.ts';
import { MIGRATIONS } from './index.ts';

/** Records the SQL of every query run through it (the sweep's, exactly as it sends them). */
class Capture implements KyselyPlugin {
  readonly nodes: RootOperationNode[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.nodes.push(args.node);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

const ROWS = 2_000;

function message(i: number) {
  const pending = i % 50 === 0;
  return {
    id: `msg_${String(i).padStart(8, '0')}`,
    environment_id: i % 10 === 1 ? 'env_b' : 'env_a',
    endpoint_id: 'ep_a',
    event_id: null,
    event_type: 'order.shipped',
    channels: null,
    payload: `{"i":${i}}`,
    idempotency_key: i % 20 === 0 ? `key_${i}` : null,
    status: (pending ? 'pending' : i % 7 === 0 ? 'failed' : 'succeeded') as MessageStatus,
    attempts: 1,
    // Pending: every other one overdue, the rest parked (no next attempt).
    next_attempt_at: pending && i % 100 === 0 ? 1_000 + i : null,
    last_attempt_at: null,
    created_at: i,
    updated_at: i,
  };
}

async function explain(db: Kysely<Database>, dialect: string, query: CompiledQuery): Promise<string> {
  return db.connection().execute(async (connection) => {
    const result = await connection.executeQuery({
      ...query,
      sql: `${dialect === 'postgres' ? 'explain' : 'explain query plan'} ${query.sql}`,
    });
    return result.rows
      .map((row) => {
        const fields = row as Record<string, unknown>;
        return String(fields['QUERY PLAN'] ?? fields.detail);
      })
      .join('\n');
  });
}

for (const target of await testDatabases()) {
  describe(`migration 0008 (partial outbound indexes) on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    const before8 = MIGRATIONS.filter((migration) => migration.version < 8);

    before(async () => {
      database = await target.create!();
      store = await database.open();
      await runMigrations(store.db, store.dialect, before8);
      const db = store.db;
      await db
        .insertInto('environments')
        .values([
          { id: 'env_a', name: 'a', created_at: 1 },
          { id: 'env_b', name: 'b', created_at: 1 },
        ])
        .execute();
      await db
        .insertInto('endpoints')
        .values({
          id: 'ep_a',
          environment_id: 'env_a',
          url: 'https://example.com/hook',
          description: null,
          event_types: null,
          channels: null,
          headers: '{}',
          rate_limit_per_second: null,
          max_concurrency: 10,
          secret: 'sealed',
          previous_secret: null,
          previous_secret_expires_at: null,
          enabled: 1,
          disabled_reason: null,
          failing_since: null,
          failing_warned_at: null,
          last_success_at: null,
          created_at: 1,
          updated_at: 1,
        })
        .execute();
      for (let from = 0; from < ROWS; from += 500) {
        const rows = [];
        for (let i = from; i < from + 500; i += 1) rows.push(message(i));
        await db.insertInto('messages').values(rows).execute();
      }
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });

    it('applies on a database at version 7 with messages, keeping them, and makes both indexes partial', async () => {
      const report = await store.migrate();
      // 0008 first; later migrations (if any) follow it.
      assert.equal(report.applied[0], '0008_outbound_partial_indexes');
      const rows = await store.db.selectFrom('messages').selectAll().orderBy('id').execute();
      assert.equal(rows.length, ROWS);
      assert.deepEqual(
        rows.map((row) => ({
          ...row,
          attempts: Number(row.attempts),
          next_attempt_at: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
          created_at: Number(row.created_at),
          updated_at: Number(row.updated_at),
        })),
        Array.from({ length: ROWS }, (_, i) => message(i)),
      );
      const definitions =
        store.dialect.name === 'postgres'
          ? await sql<{ name: string; definition: string }>`
              select indexname as name, indexdef as definition from pg_indexes
              where tablename = 'messages' and indexname in ('messages_due', 'messages_idempotency')
              order by indexname`.execute(store.db)
          : await sql<{ name: string; definition: string }>`
              select name, sql as definition from sqlite_master
              where type = 'index' and name in ('messages_due', 'messages_idempotency')
              order by name`.execute(store.db);
      const [due, idempotency] = definitions.rows;
      assert.equal(due?.name, 'messages_due');
      assert.match(due!.definition, /where.*status.*=.*'pending'/i);
      assert.equal(idempotency?.name, 'messages_idempotency');
      assert.match(idempotency!.definition, /where.*idempotency_key.* is not null/i);
      await sql`analyze`.execute(store.db);
    });

    it('keeps the delivery sweep on messages_due, with the queries it sends', async () => {
      const capture = new Capture();
      const db = store.db.withPlugin(capture);
      const queued: unknown[] = [];
      const report = await sweepMessages({
        store: { ...store, db },
        cursor: {},
        jobs: {
          enqueueMany: async (requests: unknown[]) => {
            queued.push(...requests);
            return requests.map(() => ({ created: true }));
          },
        } as never,
        clock: new ManualClock(10_000_000),
        graceMs: 30_000,
        batchSize: 15,
        maxBatches: 10,
      });
      // 40 pending messages: 20 overdue, 20 parked (created long ago), all of the enabled endpoint.
      assert.deepEqual(report, { overdue: 20, unparked: 20 });
      assert.equal(queued.length, 40);
      const sweeps = capture.nodes.filter((node) => node.kind === 'SelectQueryNode');
      assert.ok(sweeps.length >= 2);
      for (const node of sweeps) {
        const compiled = store.db.getExecutor().compileQuery(node, { queryId: 'explain' } as never);
        const plan = await explain(store.db, store.dialect.name, compiled);
        assert.match(plan, /messages_due/, `${compiled.sql}\n${plan}`);
      }
    });

    it('keeps the idempotency lookup of message creation on messages_idempotency', async () => {
      // The query of the messages service's byIdempotencyKey: `idempotency_key = ?` implies the
      // index's `is not null` on both databases.
      const compiled = store.db
        .selectFrom('messages')
        .selectAll()
        .where('environment_id', '=', 'env_a')
        .where('idempotency_key', '=', 'key_40')
        .orderBy('id')
        .compile();
      const plan = await explain(store.db, store.dialect.name, compiled);
      assert.match(plan, /messages_idempotency/, plan);
      const rows = await store.db.executeQuery(compiled);
      assert.deepEqual(
        rows.rows.map((row) => (row as { id: string }).id),
        ['msg_00000040'],
      );
    });
  });
}
