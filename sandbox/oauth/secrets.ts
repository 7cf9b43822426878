/**
 * Random tokens and constant-time comparison for the OAuth sandbox.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: the shape of most providers' opaque tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Stable key for a token in the in-memory maps, so the maps never hold a token itself. */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Compares two secrets in constant time. Hashing first gives equal-length inputs, as
 * timingSafeEqual requires, without leaking the length of the expected secret.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
export const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 §4.2: an S256 challenge is a 32-byte hash, 43 base64url characters. */
export const CHALLENGE_PATTERN = /^[A-Za-z0-9\-_]{43}$/;
