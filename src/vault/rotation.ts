import { sql } from 'kysely';
import type { Store } from '../store/index.ts';
import { firstColumnUsing, startsWith } from './canaries.ts';
import type { EncryptedColumn } from './encrypted-columns.ts';
import { envelopePrefix } from './envelope.ts';
import type { Vault } from './vault.ts';

export interface RotationProgress {
  column: EncryptedColumn;
  /** Rows re-encrypted in this column so far. */
  rotated: number;
}

export interface RotationOptions {
  /** Rows per transaction. Default 500. */
  batchSize?: number;
  /** Called after each committed batch (a CLI progress line). */
  onProgress?: (progress: RotationProgress) => void;
}

export interface RotationReport {
  columns: Array<{ table: string; column: string; rotated: number; skipped: number }>;
  /** Configured keys that no stored secret uses any more: safe to remove from the config. */
  unusedKids: string[];
}

/**
 * Re-encrypts every stored secret under the vault's primary key, online. Each batch is its own
 * transaction and each row is a compare-and-set on the old ciphertext, so a secret written
 * concurrently (already under the primary key) is never overwritten. Resumable: a run that stops
 * half-way leaves rows on either key, both readable, and the next run picks up the rest, because
 * it selects exactly the rows not yet under the primary key.
 */
export async function rotateSecrets(
  store: Pick<Store, 'db'>,
  vault: Vault,
  columns: readonly EncryptedColumn[],
  options: RotationOptions = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 500;
  const primary = envelopePrefix(vault.primaryKid);
  const report: RotationReport = { columns: [], unusedKids: [] };

  for (const column of columns) {
    let rotated = 0;
    let skipped = 0;
    let after = '';
    for (;;) {
      const batch = await store.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ id: string; value: string }>`
          select ${sql.ref(column.idColumn)} as id, ${sql.ref(column.column)} as value
          from ${sql.table(column.table)}
          where ${sql.ref(column.column)} is not null and ${sql.ref(column.column)} <> ''
            and not (${startsWith(column, primary)})
            and ${sql.ref(column.idColumn)} > ${after}
          order by ${sql.ref(column.idColumn)} limit ${batchSize}`.execute(trx);
        let changed = 0;
        for (const row of rows) {
          const context = { table: column.table, rowId: row.id, purpose: column.purpose };
          const fresh = vault.encrypt(vault.decrypt(row.value, context), context);
          const result = await sql`update ${sql.table(column.table)} set ${sql.ref(column.column)} = ${fresh}
            where ${sql.ref(column.idColumn)} = ${row.id} and ${sql.ref(column.column)} = ${row.value}`.execute(
            trx,
          );
          if (Number(result.numAffectedRows ?? 0) > 0) changed += 1;
        }
        return { rows, changed };
      });
      rotated += batch.changed;
      skipped += batch.rows.length - batch.changed;
      const last = batch.rows.at(-1);
      if (!last) break;
      after = last.id;
      options.onProgress?.({ column, rotated });
    }
    report.columns.push({ table: column.table, column: column.column, rotated, skipped });
  }

  for (const kid of vault.kids) {
    if (kid === vault.primaryKid) continue;
    if (!(await firstColumnUsing(store.db, columns, kid))) report.unusedKids.push(kid);
  }
  return report;
}
