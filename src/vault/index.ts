/**
 * Credential encryption at rest: AES-256-GCM envelopes bound to their row and purpose, a keyring
 * for rotation, start-up key verification, and online re-encryption. See docs/security.md.
 */
export { firstColumnUsing, type VerifyOptions, verifyVaultKeys } from './canaries.ts';
export { ENCRYPTED_COLUMNS, type EncryptedColumn } from './encrypted-columns.ts';
export { envelopeKid, envelopePrefix, type SecretContext } from './envelope.ts';
export { KEY_FILE_NAME, type KeyFileResult, loadOrCreateKeyFile } from './key-file.ts';
export { generateKeyString, type Keyring, parseKeyring, type VaultKey } from './keyring.ts';
export { type OpenedVault, type OpenVaultOptions, openVault } from './open.ts';
export {
  type RotationOptions,
  type RotationProgress,
  type RotationReport,
  rotateSecrets,
} from './rotation.ts';
export { createVault, type Vault } from './vault.ts';
