import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PatchbayError } from '../errors/index.ts';
import type { Keyring, VaultKey } from './keyring.ts';

/**
 * Where a secret lives. It is bound into every ciphertext as associated data, so a ciphertext
 * copied to another row, column purpose or table does not decrypt.
 */
export interface SecretContext {
  table: string;
  rowId: string;
  purpose: string;
}

// pbv1.<kid>.<base64url(nonce ‖ ciphertext ‖ tag)>
const VERSION = 'pbv1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The prefix every envelope made with `kid` starts with (used to find rows still on an old key). */
export function envelopePrefix(kid: string): string {
  return `${VERSION}.${kid}.`;
}

/** The key id an envelope names, or null when the text is not an envelope. */
export function envelopeKid(envelope: string): string | null {
  const parts = envelope.split('.');
  return parts.length === 3 && parts[0] === VERSION && parts[1] ? parts[1] : null;
}

/** AES-256-GCM with a fresh random 96-bit nonce; the key id is inside the associated data too. */
export function seal(key: VaultKey, plaintext: string, context: SecretContext): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.secret, nonce);
  cipher.setAAD(associatedData(key.kid, context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const sealed = Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  return `${envelopePrefix(key.kid)}${sealed}`;
}

/**
 * Opens an envelope with the key it names. Any tampering — a flipped byte, another row's
 * ciphertext, a swapped key id — fails with `vault_decrypt_failed`; the message names the
 * location, never the content.
 */
export function open(keyring: Keyring, envelope: string, context: SecretContext): string {
  const where = `${context.table}/${context.rowId}/${context.purpose}`;
  const kid = envelopeKid(envelope);
  if (!kid) throw failed(`The secret at ${where} is not a vault envelope`);
  const key = keyring.find((k) => k.kid === kid);
  if (!key) {
    throw new PatchbayError(
      'vault_key_missing',
      `The secret at ${where} was encrypted with key "${kid}", which is not configured; add it back to PATCHBAY_ENCRYPTION_KEYS`,
    );
  }
  const raw = Buffer.from(envelope.slice(envelopePrefix(kid).length), 'base64url');
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw failed(`The secret at ${where} is truncated`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.secret, raw.subarray(0, NONCE_BYTES));
    decipher.setAAD(associatedData(kid, context));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch (cause) {
    throw failed(
      `The secret at ${where} failed authentication: it was altered, moved, or made with another key`,
      cause,
    );
  }
}

function associatedData(kid: string, context: SecretContext): Buffer {
  // JSON keeps the fields unambiguous whatever characters they contain.
  return Buffer.from(JSON.stringify([VERSION, kid, context.table, context.rowId, context.purpose]), 'utf8');
}

function failed(message: string, cause?: unknown): PatchbayError {
  return new PatchbayError('vault_decrypt_failed', message, cause === undefined ? {} : { cause });
}
