import { type Kysely, sql } from 'kysely';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import type { Database, Store } from '../store/index.ts';
import type { EncryptedColumn } from './encrypted-columns.ts';
import { envelopePrefix } from './envelope.ts';
import type { Vault } from './vault.ts';

const CANARY_PLAINTEXT = 'patchbay-vault-canary';

function canaryContext(kid: string) {
  return { table: 'vault_keys', rowId: kid, purpose: 'canary' };
}

export interface VerifyOptions {
  now?: number;
  /** Check only (`patchbay doctor`): neither register new keys' canaries nor drop unused ones. */
  readOnly?: boolean;
}

/**
 * Proves at start-up that the configured keys are the ones this database was encrypted with:
 * - each configured key decrypts its canary (written on its first use), else `vault_key_invalid`;
 * - each key the database has seen but the config lacks must no longer encrypt any stored
 *   secret, else `vault_key_missing`. A key that nothing uses any more (rotation moved every
 *   secret off it) may be removed: its canary is then deleted.
 */
export async function verifyVaultKeys(
  store: Pick<Store, 'db'>,
  vault: Vault,
  columns: readonly EncryptedColumn[],
  options: VerifyOptions = {},
): Promise<void> {
  const now = options.now ?? Date.now();
  const write = !options.readOnly;
  const db = store.db;
  const canaries = await db.selectFrom('vault_keys').selectAll().execute();
  const known = new Map(canaries.map((row) => [row.kid, row.canary]));

  for (const kid of vault.kids) {
    const canary = known.get(kid);
    if (canary === undefined) {
      if (!write) continue;
      await db
        .insertInto('vault_keys')
        .values({ kid, canary: vault.encrypt(CANARY_PLAINTEXT, canaryContext(kid)), created_at: now })
        .onConflict((oc) => oc.column('kid').doNothing())
        .execute();
      continue;
    }
    if (!opensCanary(vault, kid, canary)) {
      throw new PatchbayError(
        'vault_key_invalid',
        `The encryption key "${kid}" does not match the key this database was encrypted with; restore the original value of "${kid}" in PATCHBAY_ENCRYPTION_KEYS (or the data dir's key file)`,
      );
    }
  }

  for (const kid of known.keys()) {
    if (vault.kids.includes(kid)) continue;
    const user = await firstColumnUsing(db, columns, kid);
    if (user) {
      throw new PatchbayError(
        'vault_key_missing',
        `Secrets in ${user.table}.${user.column} are still encrypted with key "${kid}", which is not configured; add "${kid}" back to PATCHBAY_ENCRYPTION_KEYS (after its new primary), run \`patchbay keys rotate\`, then remove it`,
      );
    }
    if (write) await db.deleteFrom('vault_keys').where('kid', '=', kid).execute();
  }
}

/** The first registered column still holding a secret encrypted with `kid`, if any. */
export async function firstColumnUsing(
  db: Kysely<Database>,
  columns: readonly EncryptedColumn[],
  kid: string,
): Promise<EncryptedColumn | undefined> {
  for (const column of columns) {
    const { rows } = await sql`select 1 as found from ${sql.table(column.table)}
      where ${startsWith(column, envelopePrefix(kid))} limit 1`.execute(db);
    if (rows.length > 0) return column;
  }
  return undefined;
}

/**
 * `column starts with prefix`, by substring rather than LIKE: key ids may contain `_`, which LIKE
 * reads as a wildcard. Registered columns are not in the typed schema, hence raw SQL.
 */
export function startsWith(column: EncryptedColumn, prefix: string) {
  return sql`substr(${sql.ref(column.column)}, 1, ${prefix.length}) = ${prefix}`;
}

function opensCanary(vault: Vault, kid: string, canary: string): boolean {
  try {
    return vault.decrypt(canary, canaryContext(kid)) === CANARY_PLAINTEXT;
  } catch (error) {
    if (isPatchbayError(error, 'vault_decrypt_failed')) return false;
    throw error;
  }
}
