import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { Store } from '../store/index.ts';
import {
  createVault,
  type EncryptedColumn,
  parseKeyring,
  rotateSecrets,
  type Vault,
  verifyVaultKeys,
} from './index.ts';

const OLD = `old:${randomBytes(32).toString('base64')}`;
const NEW = `new:${randomBytes(32).toString('base64')}`;
const column: EncryptedColumn = { table: 'test_secrets', idColumn: 'id', column: 'secret', purpose: 'test' };
const ROWS = 23;

async function seed(store: Store, vault: Vault): Promise<void> {
  await sql`create table test_secrets (id text primary key, secret text)`.execute(store.db);
  for (let i = 0; i < ROWS; i++) {
    const id = `row_${String(i).padStart(3, '0')}`;
    // Row 5 holds no secret (null), row 7 an empty value (no envelope, as an endpoint without
    // custom headers stores): rotation leaves both alone.
    const secret =
      i === 5
        ? null
        : i === 7
          ? ''
          : vault.encrypt(`secret-${i}`, { table: column.table, rowId: id, purpose: 'test' });
    await sql`insert into test_secrets (id, secret) values (${id}, ${secret})`.execute(store.db);
  }
}

async function readAll(store: Store, vault: Vault): Promise<Array<string | null>> {
  const { rows } = await sql<{
    id: string;
    secret: string | null;
  }>`select id, secret from test_secrets order by id`.execute(store.db);
  return rows.map((row) =>
    row.secret === null || row.secret === ''
      ? row.secret
      : vault.decrypt(row.secret, { table: column.table, rowId: row.id, purpose: 'test' }),
  );
}

async function kidsInUse(store: Store): Promise<string[]> {
  const { rows } = await sql<{
    secret: string;
  }>`select secret from test_secrets where secret is not null and secret <> ''`.execute(store.db);
  return [...new Set(rows.map((row) => row.secret.split('.')[1] ?? ''))].sort();
}

const expected = Array.from({ length: ROWS }, (_, i) => (i === 5 ? null : i === 7 ? '' : `secret-${i}`));

for (const target of await testDatabases()) {
  describe(`vault keys and rotation on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });

    it('rotates every secret to the new key, after which the old key can be removed', async () => {
      const oldVault = createVault(parseKeyring(OLD));
      await verifyVaultKeys(store, oldVault, [column]);
      await seed(store, oldVault);

      // Old data readable under a keyring whose new key encrypts.
      const rotating = createVault(parseKeyring(`${NEW},${OLD}`));
      await verifyVaultKeys(store, rotating, [column]);
      assert.deepEqual(await readAll(store, rotating), expected);

      // Without the old key, start-up refuses while secrets still need it.
      const newOnly = createVault(parseKeyring(NEW));
      await assert.rejects(
        verifyVaultKeys(store, newOnly, [column]),
        (error) =>
          isPatchbayError(error, 'vault_key_missing') && /test_secrets\.secret.*"old"/.test(error.message),
      );

      const progress: number[] = [];
      const report = await rotateSecrets(store, rotating, [column], {
        batchSize: 5,
        onProgress: (p) => progress.push(p.rotated),
      });
      assert.deepEqual(report.columns, [
        { table: 'test_secrets', column: 'secret', rotated: ROWS - 2, skipped: 0 },
      ]);
      assert.deepEqual(report.unusedKids, ['old']);
      assert.deepEqual(progress, [5, 10, 15, 20, 21]);
      assert.deepEqual(await kidsInUse(store), ['new']);

      // Now the old key is removable: the new key alone verifies and reads everything.
      await verifyVaultKeys(store, newOnly, [column]);
      assert.deepEqual(await readAll(store, newOnly), expected);
      const canaries = await store.db.selectFrom('vault_keys').select('kid').execute();
      assert.deepEqual(
        canaries.map((c) => c.kid),
        ['new'],
      );
      // A second run has nothing left to do.
      const again = await rotateSecrets(store, newOnly, [column]);
      assert.equal(again.columns[0]?.rotated, 0);
    });

    it('resumes a rotation interrupted after its first batch', async () => {
      const fresh = await target.create!();
      const s = await fresh.open();
      try {
        await s.migrate();
        const oldVault = createVault(parseKeyring(OLD));
        await seed(s, oldVault);
        const rotating = createVault(parseKeyring(`${NEW},${OLD}`));
        await assert.rejects(
          rotateSecrets(s, rotating, [column], {
            batchSize: 4,
            onProgress: () => {
              throw new Error('crash after the first batch');
            },
          }),
          /crash/,
        );
        assert.deepEqual(await kidsInUse(s), ['new', 'old']);
        assert.deepEqual(await readAll(s, rotating), expected);
        const report = await rotateSecrets(s, rotating, [column], { batchSize: 4 });
        assert.equal(report.columns[0]?.rotated, ROWS - 2 - 4);
        assert.deepEqual(await kidsInUse(s), ['new']);
        assert.deepEqual(await readAll(s, createVault(parseKeyring(NEW))), expected);
      } finally {
        await s.close();
        await fresh.destroy();
      }
    });

    it('leaves alone a secret rewritten under the new key while the rotation runs', async () => {
      const fresh = await target.create!();
      const s = await fresh.open();
      try {
        await s.migrate();
        await seed(s, createVault(parseKeyring(OLD)));
        const rotating = createVault(parseKeyring(`${NEW},${OLD}`));
        // A writer rewrites row_015 (due in the second batch) once the first batch is committed.
        const context = { table: column.table, rowId: 'row_015', purpose: 'test' };
        let written = false;
        const report = await rotateSecrets(s, rotating, [column], {
          batchSize: 10,
          onProgress: async () => {
            if (written) return;
            written = true;
            await sql`update test_secrets set secret = ${rotating.encrypt('changed', context)} where id = 'row_015'`.execute(
              s.db,
            );
          },
        });
        assert.equal(report.columns[0]?.rotated, ROWS - 3);
        const values = await readAll(s, rotating);
        assert.equal(values[15], 'changed');
        assert.deepEqual(await kidsInUse(s), ['new']);
      } finally {
        await s.close();
        await fresh.destroy();
      }
    });

    it('refuses a configured key that does not match the database', async () => {
      const fresh = await target.create!();
      const s = await fresh.open();
      try {
        await s.migrate();
        await verifyVaultKeys(s, createVault(parseKeyring(OLD)), []);
        const impostor = createVault(parseKeyring(`old:${randomBytes(32).toString('base64')}`));
        await assert.rejects(
          verifyVaultKeys(s, impostor, []),
          (error) => isPatchbayError(error, 'vault_key_invalid') && error.message.includes('"old"'),
        );
      } finally {
        await s.close();
        await fresh.destroy();
      }
    });
  });
}
