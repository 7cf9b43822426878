/**
 * Request bodies that are not the JSON an operation expects: broken or surprising JSON text,
 * other media types, random bytes, bodies near the size limit. And the content types that
 * announce them, honestly or not.
 */
import fc from 'fast-check';
import { deepNesting, hugeString } from './hostile.ts';
import { encodeJson } from './raw-json.ts';

const BROKEN_JSON = [
  '',
  ' ',
  '{',
  '{"a":',
  '[1,2',
  'null',
  'true',
  '"text"',
  '1',
  '[]',
  '{"a":1}{"b":2}',
  '\uFEFF{}',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  '{"a":Infinity}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"eventType":"a.b","eventType":"c.d","data":{}}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":1}\u0000',
  '\u0000',
  '/*c*/{}',
];

/** A multipart body with one file part of `content` (what the import route reads). */
function multipart(boundary: string, fileName: string, content: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
        'Content-Type: text/csv\r\n\r\n',
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

/**
 * Raw bodies of any kind. `sizeLimit` is the engine's body limit: some bodies go just over it.
 * `deep`: some are JSON nested thousands of levels deep.
 */
export function rawBody(sizeLimit: number, deep: boolean): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...BROKEN_JSON).map((text) => Buffer.from(text, 'utf8')) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 300 }))
        .map(([name, bytes]) => multipart('fuzzboundary', name.replace(/["\r\n]/g, ''), Buffer.from(bytes))),
    },
    {
      weight: 1,
      arbitrary: fc
        .dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 })
        .map((form) => Buffer.from(new URLSearchParams(form).toString())),
    },
    ...(deep ? [{ weight: 1, arbitrary: deepNesting.map((raw) => raw.bytes) }] : []),
    {
      weight: 1,
      arbitrary: hugeString(sizeLimit - 64, sizeLimit + 64).map((text) =>
        encodeJson({ pad: text.replace(/[^\x20-\x7e]/g, 'a') }),
      ),
    },
  );
}

/** The content type sent with a body: mostly JSON, sometimes another or a lie. */
export const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 16, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json;;;',
      'application/vnd.api+json',
      'application/json, text/plain',
      'text/plain',
      'text/csv',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=fuzzboundary',
      'multipart/form-data',
      'application/octet-stream',
      '*/*',
      'json',
      ';',
      'x',
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);
