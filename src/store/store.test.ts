import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { Migration, MigrationReport } from './index.ts';
import { runMigrations } from './migration.ts';
import { MIGRATIONS } from './migrations/index.ts';

const run = promisify(execFile);
const ALL = MIGRATIONS.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`);
const CHILD = new URL('../../test/fixtures/migrate-child.ts', import.meta.url).pathname;

for (const target of await testDatabases()) {
  describe(`store on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    before(async () => {
      database = await target.create!();
    });
    after(() => database?.destroy());

    it('reports every migration pending on an empty database, and none after migrate', async () => {
      const store = await database.open();
      assert.deepEqual(await store.pendingMigrations(), ALL);
      const report = await store.migrate();
      assert.deepEqual(report.applied, ALL);
      assert.deepEqual(await store.pendingMigrations(), []);
      assert.deepEqual((await store.migrate()).applied, []);
      await store.ping();
      await store.close();
    });

    it('keeps data across reopening (a restart)', async () => {
      const first = await database.open();
      await first.migrate();
      await first.db
        .insertInto('environments')
        .values({ id: 'env_restart', name: 'restart', created_at: 1 })
        .execute();
      await first.close();
      const second = await database.open();
      const row = await second.db
        .selectFrom('environments')
        .selectAll()
        .where('id', '=', 'env_restart')
        .executeTakeFirst();
      assert.deepEqual({ ...row }, { id: 'env_restart', name: 'restart', created_at: 1 });
      await second.close();
    });

    it('never double-applies when processes migrate at once', async () => {
      const fresh = await target.create!();
      try {
        const args = [fresh.databaseUrl, fresh.dataDir];
        const outputs = await Promise.all(
          [1, 2, 3].map(() =>
            run(process.execPath, [CHILD, ...args], { env: { ...process.env, NODE_NO_WARNINGS: '1' } }),
          ),
        );
        const reports = outputs.map((o) => JSON.parse(o.stdout) as MigrationReport);
        const applied = reports.flatMap((r) => r.applied);
        assert.deepEqual(applied, ALL);
        const store = await fresh.open();
        const ledger = await store.db.selectFrom('schema_migrations').select('version').execute();
        assert.equal(ledger.length, MIGRATIONS.length);
        await store.close();
      } finally {
        await fresh.destroy();
      }
    });

    it('rolls back a failing migration whole, leaving the ledger as it was', async () => {
      const fresh = await target.create!();
      try {
        const store = await fresh.open();
        await store.migrate();
        const broken: Migration = {
          version: 9999,
          name: 'broken',
          async up(db) {
            await db.schema.createTable('half_done').addColumn('id', 'text').execute();
            throw new Error('boom');
          },
        };
        await assert.rejects(runMigrations(store.db, store.dialect, [...MIGRATIONS, broken]), (error) =>
          isPatchbayError(error, 'migration_failed'),
        );
        const ledger = await store.db.selectFrom('schema_migrations').select('version').execute();
        assert.deepEqual(
          ledger.map((r) => r.version),
          MIGRATIONS.map((m) => m.version),
        );
        const tables = await store.db.introspection.getTables();
        assert.ok(!tables.some((t) => t.name === 'half_done'));
        await store.close();
      } finally {
        await fresh.destroy();
      }
    });

    it('0006 keeps the records of a database at version 5 and drops their foreign key', async () => {
      const fresh = await target.create!();
      try {
        const store = await fresh.open();
        await runMigrations(store.db, store.dialect, MIGRATIONS.slice(0, 5));
        await store.db.insertInto('environments').values({ id: 'env_m', name: 'm', created_at: 1 }).execute();
        await store.db
          .insertInto('integrations')
          .values({
            id: 'int_m',
            environment_id: 'env_m',
            key: 'gumroad',
            provider: 'gumroad',
            display_name: null,
            client_id: null,
            client_secret: null,
            webhook_secret: null,
            scopes: null,
            settings: '{}',
            enabled: 1,
            created_at: 1,
            updated_at: 1,
          })
          .execute();
        await store.db
          .insertInto('connections')
          .values({
            id: 'conn_m',
            environment_id: 'env_m',
            integration_id: 'int_m',
            end_user_id: 'user_m',
            end_user_email: null,
            end_user_org: null,
            status: 'active',
            credentials: null,
            expires_at: null,
            connection_config: '{}',
            metadata: '{}',
            refresh_failures: 0,
            created_at: 1,
            updated_at: 1,
          })
          .execute();
        const record = (connectionId: string, id: string) => ({
          connection_id: connectionId,
          model: 'orders',
          external_id: id,
          environment_id: 'env_m',
          payload: `{"id":"${id}"}`,
          hash: 'h',
          first_seen_at: 1,
          modified_at: 2,
          deleted_at: null,
          last_run_id: 'run_m',
        });
        await store.db
          .insertInto('records')
          .values([record('conn_m', 'o1'), record('conn_m', 'o2')])
          .execute();
        await assert.rejects(store.db.insertInto('records').values(record('conn_missing', 'o1')).execute());

        await store.migrate();
        const rows = await store.db.selectFrom('records').selectAll().orderBy('external_id').execute();
        assert.deepEqual(
          rows.map((row) => ({
            ...row,
            first_seen_at: Number(row.first_seen_at),
            modified_at: Number(row.modified_at),
          })),
          [record('conn_m', 'o1'), record('conn_m', 'o2')],
        );
        await store.db.insertInto('records').values(record('conn_missing', 'o1')).execute();
        await assert.rejects(
          store.db.insertInto('records').values(record('conn_m', 'o1')).execute(),
          'the primary key survives the rebuild',
        );
        await store.close();
      } finally {
        await fresh.destroy();
      }
    });

    it('refuses migrations that are out of order', async () => {
      const store = await database.open();
      const a: Migration = { version: 2, name: 'a', up: async () => {} };
      const b: Migration = { version: 2, name: 'b', up: async () => {} };
      await assert.rejects(runMigrations(store.db, store.dialect, [a, b]), /out of order/);
      await store.close();
    });
  });
}
