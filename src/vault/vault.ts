import { open, type SecretContext, seal } from './envelope.ts';
import type { Keyring } from './keyring.ts';

/** Encrypts and decrypts credentials; plaintext exists only in memory, only while in use. */
export interface Vault {
  /** The id of the key that encrypts. */
  readonly primaryKid: string;
  /** Every configured key id, the primary first. */
  readonly kids: readonly string[];
  encrypt(plaintext: string, context: SecretContext): string;
  /** Throws `vault_decrypt_failed` or `vault_key_missing`. */
  decrypt(envelope: string, context: SecretContext): string;
}

/** A vault over a keyring: the first key encrypts, every key decrypts. */
export function createVault(keyring: Keyring): Vault {
  const primary = keyring[0];
  return {
    primaryKid: primary.kid,
    kids: keyring.map((k) => k.kid),
    encrypt: (plaintext, context) => seal(primary, plaintext, context),
    decrypt: (envelope, context) => open(keyring, envelope, context),
  };
}
