/**
 * Path segments, query values and header values a client can really send: ids that look right
 * (or right but of another kind), percent-encoded unicode, broken percent-encoding, traversal,
 * very long values. Header values stay within what an HTTP/1.1 parser accepts (visible ASCII,
 * obs-text, space and tab): bytes outside it never reach a route, they fail the request framing.
 */
import fc from 'fast-check';
import { hugeString, unicodeEdge } from './hostile.ts';

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
/** Every id prefix the fuzzer tries in the wrong place (the engine's, and a few it has not). */
const PREFIXES = [
  'env',
  'key',
  'int',
  'conn',
  'cs',
  'evt',
  'ep',
  'msg',
  'atm',
  'in',
  'run',
  'act',
  'job',
  'req',
  'x',
];

/** Percent-encodes the UTF-8 bytes of `text` except the unreserved characters. */
export function percentEncode(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** A well-formed id body: 26 base32 characters, the first at most 7 (48 bits of time). */
const idBody = fc
  .tuple(
    fc.constantFrom(...'01234567'),
    fc.string({ unit: fc.constantFrom(...BASE32), minLength: 25, maxLength: 25 }),
  )
  .map(([first, rest]) => first + rest);

/** Ids of `prefix` that are well-formed, nearly so, or of another kind. */
export function idLike(prefix: string | null): fc.Arbitrary<string> {
  const own = prefix ?? 'x';
  return fc.oneof(
    idBody.map((body) => `${own}_${body}`),
    fc.tuple(fc.constantFrom(...PREFIXES), idBody).map(([other, body]) => `${other}_${body}`),
    idBody.map((body) => `${own}_${body}`.toUpperCase()),
    fc.constantFrom(
      `${own}_`,
      `${own}_${'0'.repeat(26)}`,
      `${own}_${'7'.padEnd(26, 'z')}`,
      `${own}_${'8'.padEnd(26, '0')}`, // beyond 48 bits of time
      `${own}_${'i'.repeat(26)}`, // letters Crockford base32 leaves out
      `${own}_${'0'.repeat(27)}`,
      `${own}-${'0'.repeat(26)}`,
    ),
  );
}

/** Path segments that were never encoded properly, or that try to leave their place. */
const BROKEN_SEGMENTS = [
  '%',
  '%zz',
  '%ff',
  '%ED%A0%80', // an encoded surrogate
  '%C0%AE%C0%AE', // overlong dots
  '%00',
  '..',
  '.',
  '%2e%2e',
  '%2F',
  'a%2Fb',
  '%252e',
  '%E2%80%AE',
  '',
];

/** A path segment: encoded unicode, broken encodings, traversal, or very long. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  unicodeEdge.map(percentEncode),
  fc.constantFrom(...BROKEN_SEGMENTS),
  fc.string({ maxLength: 30 }).map(percentEncode),
  hugeString(500, 6_000).map(percentEncode),
);

/** Text an HTTP/1.1 header value can carry: anything else becomes `?`. */
export function headerSafe(text: string): string {
  let safe = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    safe += code === 9 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff) ? char : '?';
  }
  return safe.trim() === '' ? 'x' : safe;
}

/** A hostile header value that still frames. */
export const hostileHeaderValue: fc.Arbitrary<string> = fc
  .oneof(
    unicodeEdge,
    fc.string({ maxLength: 60 }),
    hugeString(200, 7_000),
    fc.constantFrom('\u00ff\u00fe', 'null', '-1', '0', 'true', '[]', '{}', 'é'),
  )
  .map(headerSafe);
