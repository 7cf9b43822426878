import { existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchbayError } from '../errors/index.ts';
import { generateKeyString, type Keyring, parseKeyring } from './keyring.ts';

/** Name of the generated key file in the data directory (embedded default only). */
export const KEY_FILE_NAME = 'encryption-keys';

export interface KeyFileResult {
  keyring: Keyring;
  path: string;
  /** True when this call created the file: the caller warns the operator to back it up. */
  generated: boolean;
}

/**
 * Reads the data directory's key file, creating it (mode 0600, in a 0700 directory) on first
 * start. Safe when several processes start at once: the file is written aside and linked into
 * place, so it appears whole or not at all and exactly one process creates it.
 */
export function loadOrCreateKeyFile(dataDir: string): KeyFileResult {
  const path = join(dataDir, KEY_FILE_NAME);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const aside = `${path}.${process.pid}.tmp`;
    writeFileSync(aside, `${generateKeyString()}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(aside, path);
      return { keyring: readKeyFile(path), path, generated: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(aside);
    }
  }
  return { keyring: readKeyFile(path), path, generated: false };
}

function readKeyFile(path: string): Keyring {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new PatchbayError(
      'vault_key_invalid',
      `The key file ${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
    );
  }
  return parseKeyring(readFileSync(path, 'utf8'), path);
}
