/** A table column that holds vault envelopes: what key rotation and start-up checks scan. */
export interface EncryptedColumn {
  table: string;
  idColumn: string;
  column: string;
  /** The purpose bound into each envelope of this column (SecretContext.purpose). */
  purpose: string;
}

/**
 * Every column of the engine that stores secrets. A module that adds one registers it here, so
 * `patchbay keys rotate` re-encrypts it and start-up refuses to run without a key it still needs.
 * (API keys are not here: they are stored as hashes, never decryptable.)
 */
export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [];
