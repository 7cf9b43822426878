/**
 * Object ids and secrets shaped like Stripe's: a type prefix (`cus_`, `in_`, `cs_test_`…) then
 * base62 characters. Drawn from a buffered random pool, so seeding tens of thousands of objects
 * costs one `randomBytes` call per few hundred ids.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const POOL_SIZE = 8192;

let pool = randomBytes(POOL_SIZE);
let offset = 0;

function nextByte(): number {
  if (offset >= POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  return pool[offset++] as number;
}

/** `length` base62 characters, uniformly drawn (bytes of 248 and above are rejected). */
export function base62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = nextByte();
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

/** A new object id: `newId('cus')` → `cus_4Hq…` (24 characters after the prefix, as Stripe's newer ids). */
export function newId(prefix: string): string {
  return `${prefix}_${base62(24)}`;
}

/** A request id for the `Request-Id` header and `event.request.id`. */
export function newRequestId(): string {
  return `req_${base62(14)}`;
}
