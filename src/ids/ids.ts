import { randomFillSync } from 'node:crypto';
import { decodeTime, encodeTime, monotonicFactory, type PRNG } from 'ulid';
import { PatchbayError } from '../errors/index.ts';
import { ID_PREFIXES, type IdKind } from './prefixes.ts';

// Crockford base32, lower-cased: URL-safe, case-insensitive on input, and lexicographic order
// equals time order, which is what lets ids serve as range cursors.
// The first character only reaches 7: 48 bits of time fill 10 characters minus 2 bits.
const BODY = /^[0-7][0-9a-hjkmnp-tv-z]{25}$/;
const SEPARATOR = '_';

/** A source of ids. Injected (with the clock) so tests can make ids at chosen instants. */
export type IdFactory = (kind: IdKind, now?: number) => string;

/**
 * Makes ids that sort by creation time: 48 bits of milliseconds then 80 random bits, monotonic
 * within one process (ids made in the same millisecond still sort in creation order).
 */
export function createIdFactory(): IdFactory {
  const next = monotonicFactory(pooledRandom);
  return (kind, now = Date.now()) => `${ID_PREFIXES[kind]}${SEPARATOR}${next(now).toLowerCase()}`;
}

// ulid's own PRNG asks the operating system for one byte per character: 16 calls per id. This one
// hands out the bytes of a pooled buffer that crypto.randomFillSync refills once it is used up, so
// ids stay cryptographically random at one system call per 256 ids. Each byte is used once; ulid
// keeps its top 5 bits (floor(byte / 256 * 32)), so every character stays uniform.
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

const pooledRandom: PRNG = () => {
  if (poolOffset === POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]! / 256;
};

/** The process-wide default id factory. */
export const newId: IdFactory = createIdFactory();

/** True when `value` is a well-formed id of `kind`. */
export function isId(kind: IdKind, value: string): boolean {
  const prefix = `${ID_PREFIXES[kind]}${SEPARATOR}`;
  return value.startsWith(prefix) && BODY.test(value.slice(prefix.length));
}

/** Returns `value` if it is an id of `kind`, else throws `invalid_id` naming what was expected. */
export function parseId(kind: IdKind, value: string): string {
  if (!isId(kind, value)) {
    throw new PatchbayError(
      'invalid_id',
      `"${value.slice(0, 80)}" is not a valid ${kind} id; expected "${ID_PREFIXES[kind]}_" followed by 26 base32 characters`,
      { details: { expected: `${ID_PREFIXES[kind]}_` } },
    );
  }
  return value;
}

/** The creation time (epoch ms) encoded in an id. */
export function idTime(id: string): number {
  const body = id.slice(id.indexOf(SEPARATOR) + 1);
  return decodeTime(body.toUpperCase());
}

/**
 * The smallest id of `kind` that could have been made at `time`: a range cursor, so
 * `id >= idLowerBound('message', since)` selects rows created at or after `since`.
 */
export function idLowerBound(kind: IdKind, time: number): string {
  const clamped = Math.min(Math.max(Math.floor(time), 0), MAX_TIME);
  return `${ID_PREFIXES[kind]}${SEPARATOR}${encodeTime(clamped, 10).toLowerCase()}${'0'.repeat(16)}`;
}

// 48 bits of milliseconds: the largest instant an id can encode (year 10889).
const MAX_TIME = 2 ** 48 - 1;
