/**
 * Constant-time comparison and strict decoding of signatures. Digests are compared as decoded
 * bytes, so `ABCD` and `abcd` hex are the same digest; a length difference is a mismatch on its own
 * (the length of a digest is public, its bytes are not).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** True when both byte strings are equal; their contents are compared in constant time. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Compares two secrets of any length in constant time by comparing their SHA-256 digests, so
 * neither the contents nor the length of the expected value leaks through timing.
 */
export function equalSecrets(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Hex digits only, even length; anything else is not a digest (Buffer.from would skip junk). */
export function decodeHex(text: string): Buffer | null {
  return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : null;
}

/** Standard base64 with its padding; anything else is not a digest. */
export function decodeBase64(text: string): Buffer | null {
  if (text.length === 0 || text.length % 4 !== 0) return null;
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : null;
}

/** True when any candidate equals `expected` (every candidate is compared; order leaks nothing). */
export function anyEqual(candidates: readonly Uint8Array[], expected: Uint8Array): boolean {
  let found = false;
  for (const candidate of candidates) {
    if (equalBytes(candidate, expected)) found = true;
  }
  return found;
}
