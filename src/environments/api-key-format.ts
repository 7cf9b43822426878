import { createHash, randomBytes } from 'node:crypto';

/**
 * Secret API keys look like `pb_sk_<environment>_<43 base62 characters>` (~256 bits of entropy):
 * recognizable in code and by secret scanners and log redaction (`pb_sk_…`), and naming the
 * environment they act in. Only their SHA-256 is stored: keys are random, so a fast hash cannot
 * be brute-forced, and lookups go through a unique index on the hash instead of comparing secrets.
 */
export const API_KEY_PREFIX = 'pb_sk_';
const RANDOM_LENGTH = 43;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_SHAPE = /^pb_sk_([a-z0-9]+)_([0-9A-Za-z]{43})$/;
// How many characters of the random part the display prefix keeps: enough to tell keys apart in
// a listing, far too few (~24 bits) to matter for the remaining secret.
const DISPLAY_RANDOM_CHARS = 4;

/** A source of random bytes; injected so tests can make known keys. */
export type RandomSource = (size: number) => Uint8Array;

/** Makes a new secret key for the environment named `environmentName`. */
export function generateApiKey(environmentName: string, random: RandomSource = randomBytes): string {
  let body = '';
  while (body.length < RANDOM_LENGTH) {
    for (const byte of random(RANDOM_LENGTH * 2)) {
      // Rejection sampling: 248 = 4 × 62, so bytes below it map to base62 without bias.
      if (byte < 248 && body.length < RANDOM_LENGTH) body += BASE62[byte % 62];
    }
  }
  return `${API_KEY_PREFIX}${environmentName}_${body}`;
}

/** The environment name and random part of a well-formed key, or null for anything else. */
export function parseApiKey(key: string): { environmentName: string } | null {
  const match = KEY_SHAPE.exec(key);
  return match ? { environmentName: match[1]! } : null;
}

/** SHA-256 of the whole key, hex: what is stored and looked up. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The part of a key that may be shown again after creation, e.g. `pb_sk_dev_4Zq8`. */
export function displayPrefix(key: string): string {
  const cut = key.lastIndexOf('_') + 1;
  return key.slice(0, cut + DISPLAY_RANDOM_CHARS);
}
