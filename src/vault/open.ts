import type { PatchbayConfig } from '../config/index.ts';
import { PatchbayError } from '../errors/index.ts';
import type { Store } from '../store/index.ts';
import { verifyVaultKeys } from './canaries.ts';
import type { EncryptedColumn } from './encrypted-columns.ts';
import { loadOrCreateKeyFile } from './key-file.ts';
import { type Keyring, parseKeyring } from './keyring.ts';
import { createVault, type Vault } from './vault.ts';

export interface OpenVaultOptions {
  config: Pick<PatchbayConfig, 'encryptionKeys' | 'dataDir' | 'databaseUrl'>;
  store: Pick<Store, 'db' | 'dialect'>;
  columns: readonly EncryptedColumn[];
}

export interface OpenedVault {
  vault: Vault;
  /** The key file generated on this start (embedded default), for a back-it-up warning. */
  generatedKeyFile: string | null;
}

/**
 * The vault of a starting engine: keys from PATCHBAY_ENCRYPTION_KEYS, or — embedded default only —
 * from a key file generated into the data dir on first start; then verified against the database.
 * There is no plaintext fallback: without the right keys the engine does not start.
 */
export async function openVault(options: OpenVaultOptions): Promise<OpenedVault> {
  const { config, store } = options;
  let keyring: Keyring;
  let generatedKeyFile: string | null = null;
  if (config.encryptionKeys.trim() !== '') {
    keyring = parseKeyring(config.encryptionKeys);
  } else if (store.dialect.name === 'postgres') {
    // Scale-out processes on other hosts could not share a generated file: each would make its
    // own key and refuse the others' secrets.
    throw new PatchbayError(
      'vault_key_missing',
      'PATCHBAY_ENCRYPTION_KEYS is required with PostgreSQL: every process must share the same keys; generate one with `patchbay keys generate`',
    );
  } else {
    const file = loadOrCreateKeyFile(config.dataDir);
    keyring = file.keyring;
    if (file.generated) generatedKeyFile = file.path;
  }
  const vault = createVault(keyring);
  await verifyVaultKeys(store, vault, options.columns);
  return { vault, generatedKeyFile };
}
