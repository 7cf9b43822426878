import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { PatchbayError } from '../errors/index.ts';

/** One AES-256 key and the id stored with every ciphertext it makes. */
export interface VaultKey {
  kid: string;
  key: Buffer;
  /**
   * The same key as a KeyObject, made once when the keyring is parsed: handing the cipher a raw
   * Buffer makes Node build a KeyObject on every encrypt and decrypt.
   */
  secret: KeyObject;
}

/** Keys in order of preference: the first encrypts, every one decrypts. */
export type Keyring = readonly [VaultKey, ...VaultKey[]];

const KID = /^[a-z0-9_-]{1,32}$/;
const KEY_BYTES = 32;
const ENV = 'PATCHBAY_ENCRYPTION_KEYS';
const HOW_TO = `generate one with \`patchbay keys generate\` (or: echo "k1:$(openssl rand -base64 32)")`;

/**
 * Parses `kid:base64key[,kid:base64key…]`. Throws `config_invalid` naming the variable and the
 * faulty entry's position, never its key material.
 */
export function parseKeyring(text: string, source = ENV): Keyring {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw invalid(`${source} holds no key; ${HOW_TO}`);
  const keys = entries.map((entry, index) => {
    const separator = entry.indexOf(':');
    const kid = entry.slice(0, separator);
    const material = entry.slice(separator + 1);
    if (separator < 1 || !KID.test(kid)) {
      throw invalid(
        `${source}: entry ${index + 1} must be kid:base64key with a kid of 1–32 of [a-z0-9_-]; ${HOW_TO}`,
      );
    }
    const key = Buffer.from(material, 'base64');
    if (
      key.length !== KEY_BYTES ||
      key.toString('base64').replace(/=+$/, '') !== material.replace(/=+$/, '')
    ) {
      throw invalid(`${source}: the key "${kid}" must be ${KEY_BYTES} bytes of base64; ${HOW_TO}`);
    }
    return { kid, key, secret: createSecretKey(key) };
  });
  const kids = new Set(keys.map((k) => k.kid));
  if (kids.size !== keys.length)
    throw invalid(`${source}: a key id appears twice; each key needs its own id`);
  return keys as unknown as Keyring;
}

/** A new key as `kid:base64`, ready for PATCHBAY_ENCRYPTION_KEYS (put it first to make it the one that encrypts). */
export function generateKeyString(now = new Date(), random: (size: number) => Buffer = randomBytes): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `k${date}${random(2).toString('hex')}:${random(KEY_BYTES).toString('base64')}`;
}

function invalid(message: string): PatchbayError {
  return new PatchbayError('config_invalid', message);
}
