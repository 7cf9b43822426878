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

    it('refuses migrations that are out of order', async () => {
      const store = await database.open();
      const a: Migration = { version: 2, name: 'a', up: async () => {} };
      const b: Migration = { version: 2, name: 'b', up: async () => {} };
      await assert.rejects(runMigrations(store.db, store.dialect, [a, b]), /out of order/);
      await store.close();
    });
  });
}
