import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sqliteTestDatabase } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import { postgresDialect } from '../store/index.ts';
import { generateKeyString, KEY_FILE_NAME, loadOrCreateKeyFile, openVault } from './index.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-vault-'));
  dirs.push(dir);
  return dir;
}

describe('key file (embedded default)', () => {
  it('is generated once with mode 0600 in a 0700 directory, then reused', () => {
    const dataDir = join(tempDir(), 'data');
    const first = loadOrCreateKeyFile(dataDir);
    assert.equal(first.generated, true);
    assert.equal(first.path, join(dataDir, KEY_FILE_NAME));
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    const second = loadOrCreateKeyFile(dataDir);
    assert.equal(second.generated, false);
    assert.equal(second.keyring[0].kid, first.keyring[0].kid);
    assert.ok(second.keyring[0].key.equals(first.keyring[0].key));
    assert.match(readFileSync(first.path, 'utf8'), /^k\d{8}[0-9a-f]{4}:[A-Za-z0-9+/=]{44}\n$/);
  });

  it('refuses a key file other users can read', () => {
    const dataDir = tempDir();
    const { path } = loadOrCreateKeyFile(dataDir);
    chmodSync(path, 0o644);
    assert.throws(
      () => loadOrCreateKeyFile(dataDir),
      (error) => isPatchbayError(error, 'vault_key_invalid') && error.message.includes('chmod 600'),
    );
  });
});

describe('openVault', () => {
  it('generates the key on first start, reports it once, and verifies it on the next', async () => {
    const database = sqliteTestDatabase();
    const store = await database.open();
    try {
      await store.migrate();
      const config = { encryptionKeys: '', dataDir: database.dataDir, databaseUrl: '' };
      const first = await openVault({ config, store, columns: [] });
      assert.equal(first.generatedKeyFile, join(database.dataDir, KEY_FILE_NAME));
      const second = await openVault({ config, store, columns: [] });
      assert.equal(second.generatedKeyFile, null);
      assert.equal(second.vault.primaryKid, first.vault.primaryKid);
    } finally {
      await store.close();
      await database.destroy();
    }
  });

  it('refuses a configured key other than the one the database knows', async () => {
    const database = sqliteTestDatabase();
    const store = await database.open();
    try {
      await store.migrate();
      const key = generateKeyString();
      const kid = key.split(':')[0];
      await openVault({
        config: { encryptionKeys: key, dataDir: database.dataDir, databaseUrl: '' },
        store,
        columns: [],
      });
      const impostor = `${kid}:${generateKeyString().split(':')[1]}`;
      await assert.rejects(
        openVault({
          config: { encryptionKeys: impostor, dataDir: database.dataDir, databaseUrl: '' },
          store,
          columns: [],
        }),
        (error) => isPatchbayError(error, 'vault_key_invalid'),
      );
    } finally {
      await store.close();
      await database.destroy();
    }
  });

  it('requires PATCHBAY_ENCRYPTION_KEYS with PostgreSQL instead of generating a per-host key', async () => {
    const dataDir = tempDir();
    await assert.rejects(
      openVault({
        config: { encryptionKeys: '', dataDir, databaseUrl: 'postgres://x@127.0.0.1/none' },
        // Refused before the database is touched.
        store: { dialect: postgresDialect, db: undefined as never },
        columns: [],
      }),
      (error) =>
        isPatchbayError(error, 'vault_key_missing') && error.message.includes('PATCHBAY_ENCRYPTION_KEYS'),
    );
  });
});
