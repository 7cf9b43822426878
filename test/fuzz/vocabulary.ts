/**
 * What the fuzzer knows of Patchbay's API beyond its OpenAPI document: which parameters and
 * fields name rows or names the engine has (so that requests reach past "not found"), and
 * values worth trying in fields whose schema says only "string".
 */
import fc from 'fast-check';
import { hostileSegment } from './url-parts.ts';

/** The pool kind of a parameter or body field, or null. An id example's prefix wins. */
export function kindOf(name: string, idPrefix: string | null): string | null {
  if (idPrefix) return idPrefix;
  switch (name) {
    case 'idOrKey':
    case 'integration':
      return 'integration';
    case 'integrationId':
      return 'int';
    case 'connection':
    case 'connectionId':
      return 'conn';
    case 'endpointId':
      return 'ep';
    case 'sync':
    case 'action':
    case 'model':
    case 'target':
    case 'provider':
      return name;
    default:
      return null;
  }
}

/**
 * URLs for endpoint and base-URL fields: names (resolved to 127.0.0.1 and refused), private,
 * loopback and metadata addresses (refused), and junk. Never a public IP literal: the SSRF guard
 * lets those through, and the fuzzer must not reach any other machine.
 */
const urls = fc.oneof(
  fc.webPath().map((path) => `https://hooks.fuzz.example.test${path}`),
  fc.constantFrom(
    'https://hooks.fuzz.example.test/in',
    'http://127.0.0.1:1/x',
    'http://[::1]/x',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://localhost/',
    'https://user:pass@fuzz.example.test/',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'ftp://fuzz.example.test/',
    'https://',
    'https://fuzz.example.test:99999/',
    'https://xn--80ak6aa92e.example.test/',
    'https://fuzz.example.test/\u202Eevil',
  ),
  hostileSegment.map((path) => `https://fuzz.example.test/${path}`),
);

/** Instants at and past the edges of what dates and ids can hold. */
const instants = fc.constantFrom(
  '1970-01-01T00:00:00.000Z',
  '0000-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '10889-08-02T05:31:50.655Z', // the last instant an id can encode
  '2026-02-30T00:00:00Z',
  '2026-01-01',
  '2026-01-01T00:00:00+14:00',
  '2026-01-01T24:00:00Z',
  '1e12',
  '-1',
);

/** Page cursors: opaque base64url of JSON that is almost, or not at all, what the engine wrote. */
const cursors = fc
  .oneof(
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    fc.constantFrom('{"t":-1,"id":""}', '{"t":1e400}', '[', 'null', '{"modifiedAt":"x","id":1}'),
  )
  .map((text) => Buffer.from(text).toString('base64url'));

const VALUES: Record<string, fc.Arbitrary<unknown>> = {
  since: instants,
  until: instants,
  modifiedSince: instants,
  after: cursors,
  url: urls,
  allowedOrigin: fc.oneof(urls, fc.constantFrom('null', '*', 'https://app.example.test')),
  baseUrls: fc.dictionary(fc.constantFrom('*', 'https://api.fuzz.example.test', 'https://x'), urls, {
    maxKeys: 2,
  }),
  frequency: fc.constantFrom('1m', '30s', '1h', '0s', '999999d', '-1h', '1.5h', 'h', '1 h', '١h'),
  eventType: fc.constantFrom('fuzz.x', 'connection.created', 'a', 'A.B', 'a..b', 'a.*', '*'),
  eventTypes: fc.array(fc.constantFrom('fuzz.*', '*', 'connection.created', '', 'a.b.*.c'), { maxLength: 3 }),
  pathPrefix: fc.constantFrom('/', '/me', '', '..', '//x', 'no-slash'),
};

/** Candidate values for a body field of this name, or undefined. */
export function fieldValues(name: string): fc.Arbitrary<unknown> | undefined {
  return VALUES[name];
}
