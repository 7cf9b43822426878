/**
 * Deterministic identifiers and pseudo-random numbers for the Gumroad emulator. Everything is
 * derived from an index, so a million sales need no storage: sale n has the same id, buyer and
 * price on every request and in every process.
 */

/** A 32-bit integer hash (lowbias32): a bijection on uint32 with good avalanche. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A deterministic number in [0, modulo) for `index` under `salt`. */
export function pick(index: number, salt: number, modulo: number): number {
  return mix32(mix32(index) ^ Math.imul(salt, 0x9e3779b1)) % modulo;
}

// Order ids and page keys carry an obfuscated number, as Gumroad's do (ObfuscateIds.encrypt_numeric):
// an affine map modulo a prime, so it is reversible and the numbers look unrelated.
const PRIME = 2_147_483_647n;
const MULTIPLIER = 1_103_515_245n;
const OFFSET = 12_345n;
const INVERSE = modInverse(MULTIPLIER, PRIME);

/** Obfuscates a number in [0, 2^31 - 1) into another number of that range. */
export function obfuscate(value: number): number {
  return Number((BigInt(value) * MULTIPLIER + OFFSET) % PRIME);
}

/** The inverse of `obfuscate`; undefined for numbers outside its range. */
export function deobfuscate(value: number): number | undefined {
  if (!Number.isSafeInteger(value) || value < 0 || BigInt(value) >= PRIME) return undefined;
  return Number(((((BigInt(value) - OFFSET) % PRIME) + PRIME) * INVERSE) % PRIME);
}

/**
 * A Gumroad-style external id (`A-m3CDDC5dlrSdKZp0RFhA==`: url-safe base64 of 16 bytes with
 * padding) for entity `index` of a kind (`salt` separates sales from products).
 */
export function externalId(index: number, salt: number): string {
  const bytes = Buffer.alloc(16);
  for (let word = 0; word < 4; word++) {
    bytes.writeUInt32BE(mix32(mix32(index * 4 + word) ^ Math.imul(salt, 0x85ebca6b)), word * 4);
  }
  return `${bytes.toString('base64url')}==`;
}

/** A short lower-case permalink (`xkcdq`) for product `index`. */
export function permalink(index: number): string {
  let value = mix32(index ^ 0x5bd1e995);
  let text = '';
  for (let i = 0; i < 6; i++) {
    text += String.fromCharCode(97 + (value % 26));
    value = Math.floor(value / 26);
  }
  return text;
}

/** The greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}
