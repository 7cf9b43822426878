/**
 * Hostile values, independent of any schema: unicode edge cases, huge strings, deep nesting,
 * overlong numbers, invalid UTF-8, and values of every JSON type (for a field of another type).
 */
import fc from 'fast-check';
import { RawJson } from './raw-json.ts';

/** Strings that break naive handling of text: encodings, normalization, direction, control. */
export const UNICODE_EDGES: readonly string[] = [
  '\uD800', // lone high surrogate
  '\uDFFF', // lone low surrogate
  'a\uDC00b',
  '\u0000',
  'nul\u0000inside',
  '\u202Eevil\u202C', // right-to-left override
  '\u200B\u200C\u200D\u2060', // zero-width characters
  '\uFEFF', // byte order mark
  '\uFFFE\uFFFF', // noncharacters
  '👩‍👩‍👧‍👦', // emoji ZWJ sequence
  '🏳️‍🌈',
  '𝕳𝖊𝖑𝖑𝖔', // astral plane
  `e${'\u0301'.repeat(64)}`, // stacked combining marks
  'Å', // A + combining ring (NFD)
  'İıſK', // case mapping that changes length
  '\u2028\u2029', // line and paragraph separators
  '\u0007\u001b[31m', // bell, ANSI escape
  '\r\n\r\nX-Injected: 1',
  'ﷺ',
  '\u0085', // next line
  'عربي',
  '日本語テキスト',
  '%00%ff%2e%2e',
  '../../../etc/passwd',
  '{{7*7}}\u0024{7*7}', // template injection (\u0024 is "$")
  "' OR 1=1 --",
  '__proto__',
  'constructor',
];

export const unicodeEdge: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...UNICODE_EDGES),
  fc.array(fc.constantFrom(...UNICODE_EDGES), { minLength: 2, maxLength: 5 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Text of `length` UTF-16 units built from one repeated unit: cheap to make at any size. */
export function hugeString(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc
    .record({
      unit: fc.constantFrom('a', 'é', '😀', '\u0000', ' ', '\\', '"', '\uD800'),
      length: fc.integer({ min: minLength, max: maxLength }),
    })
    .map(({ unit, length }) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));
}

/** A JSON text nested `depth` levels deep, in one of several shapes. */
export function deepJson(depth: number, shape: 'array' | 'object' | 'mixed'): RawJson {
  const open = shape === 'array' ? '[' : shape === 'object' ? '{"a":' : '[{"a":';
  const close = shape === 'array' ? ']' : shape === 'object' ? '}' : '}]';
  return new RawJson(`${open.repeat(depth)}0${close.repeat(depth)}`, `${shape} nested ${depth} deep`);
}

/** Nesting thousands of levels deep, as raw JSON text (JSON.stringify would overflow first). */
export const deepNesting: fc.Arbitrary<RawJson> = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 100, max: 2_000 }), fc.integer({ min: 2_000, max: 20_000 })),
    shape: fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
  })
  .map(({ depth, shape }) => deepJson(depth, shape));

/** Numbers JSON allows but JavaScript does not hold exactly, or at all. */
export const overlongNumber: fc.Arbitrary<RawJson> = fc
  .constantFrom(
    `1${'0'.repeat(400)}`,
    `-${'9'.repeat(400)}`,
    `0.${'0'.repeat(400)}1`,
    '1e999999',
    '-1e-999999',
    '123456789012345678901234567890',
    '9007199254740993',
    '-0',
    '1E+2',
    `${'1'.repeat(5_000)}.5`,
  )
  .map((text) => new RawJson(text, `number ${text.slice(0, 20)}`));

/** A JSON string literal whose content is not valid UTF-8. */
export const invalidUtf8String: fc.Arbitrary<RawJson> = fc
  .constantFrom(
    [0xff],
    [0xc0, 0x80], // overlong NUL
    [0x80], // lone continuation byte
    [0xed, 0xa0, 0x80], // an encoded surrogate
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0xe2, 0x82], // truncated sequence
    [0xfe, 0xfe, 0xff, 0xff],
  )
  .map(
    (bytes) =>
      new RawJson(
        Buffer.concat([Buffer.from('"x'), Buffer.from(bytes), Buffer.from('y"')]),
        `string with bytes ${bytes.map((b) => b.toString(16)).join(' ')}`,
      ),
  );

/** One value of each JSON type (and a few that coerce surprisingly), for a field of another type. */
export const anyJsonType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e-308, '', '0', 'true', 'null', [], {}, [null], {
    '': null,
  }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Any hostile leaf: what a field of any type may receive from a hostile client. */
export function hostileLeaf(options: { hugeMax: number; deep: boolean }): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: anyJsonType },
    { weight: 4, arbitrary: unicodeEdge },
    { weight: 1, arbitrary: hugeString(1_000, options.hugeMax) },
    { weight: 2, arbitrary: overlongNumber },
    { weight: 2, arbitrary: invalidUtf8String },
    ...(options.deep ? [{ weight: 2, arbitrary: deepNesting as fc.Arbitrary<unknown> }] : []),
  );
}
