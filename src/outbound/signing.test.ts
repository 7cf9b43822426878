import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { verifyWebhook, WebhookVerificationError } from '../../sdk/src/webhooks.ts';
import { isPatchbayError } from '../errors/index.ts';
import { generateEndpointSecret, secretKey, signatureHeaders } from './signing.ts';

// The official verifiers read the real clock, so the messages are signed at the real time.
const nowSeconds = () => Math.floor(Date.now() / 1000);

const body = JSON.stringify({
  type: 'connection.created',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { id: 'conn_01', note: 'ünïcødé ✓ and "quotes"' },
});

function signed(
  secrets: readonly string[],
  overrides: { id?: string; timestamp?: number; body?: string } = {},
) {
  const input = {
    id: overrides.id ?? 'msg_01jz8x7y6w5v4t3s2r1q0p9n8m',
    timestamp: overrides.timestamp ?? nowSeconds(),
    body: overrides.body ?? body,
    secrets,
  };
  return { body: input.body, headers: signatureHeaders(input) };
}

function asSvix(headers: Record<string, string>) {
  return {
    'svix-id': headers['webhook-id'] ?? '',
    'svix-timestamp': headers['webhook-timestamp'] ?? '',
    'svix-signature': headers['webhook-signature'] ?? '',
  };
}

function rejectsWith(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => error instanceof WebhookVerificationError && error.code === code);
}

describe('Standard Webhooks signing', () => {
  it('generates whsec_ secrets of 32 random bytes that secretKey accepts', () => {
    const secret = generateEndpointSecret();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(secretKey(secret).length, 32);
    assert.notEqual(generateEndpointSecret(), secret);
    for (const bad of [
      'whsec_',
      'sk_abc',
      `whsec_${Buffer.alloc(23).toString('base64')}`,
      `whsec_${Buffer.alloc(65).toString('base64')}`,
      'whsec_not base64!',
    ]) {
      assert.throws(
        () => secretKey(bad),
        (error: unknown) => isPatchbayError(error, 'validation_failed'),
        bad,
      );
    }
    assert.equal(secretKey(`whsec_${Buffer.alloc(64, 1).toString('base64')}`).length, 64);
  });

  it('produces messages the standardwebhooks and svix libraries verify', () => {
    for (const size of [24, 32, 64]) {
      const secret = generateEndpointSecret((n) => Buffer.alloc(n === 32 ? size : n, size));
      const message = signed([secret]);
      assert.deepEqual(new StandardWebhook(secret).verify(message.body, message.headers), JSON.parse(body));
      assert.deepEqual(
        new SvixWebhook(secret).verify(message.body, asSvix(message.headers)),
        JSON.parse(body),
      );
      assert.deepEqual(new SvixWebhook(secret).verify(message.body, message.headers), JSON.parse(body));
      assert.deepEqual(verifyWebhook(message.body, message.headers, secret), JSON.parse(body));
    }
  });

  it('signs with both secrets during a rotation, and each verifies alone', () => {
    const current = generateEndpointSecret();
    const previous = generateEndpointSecret();
    const message = signed([current, previous]);
    assert.equal(message.headers['webhook-signature'].split(' ').length, 2);
    for (const secret of [current, previous]) {
      assert.ok(new StandardWebhook(secret).verify(message.body, message.headers));
      assert.ok(new SvixWebhook(secret).verify(message.body, asSvix(message.headers)));
      assert.ok(verifyWebhook(message.body, message.headers, secret));
    }
    const other = generateEndpointSecret();
    assert.throws(() => new StandardWebhook(other).verify(message.body, message.headers));
    rejectsWith(() => verifyWebhook(message.body, message.headers, other), 'invalid_signature');
  });

  it('agrees with the standardwebhooks library’s own sign()', () => {
    const secret = generateEndpointSecret();
    const timestamp = nowSeconds();
    const library = new StandardWebhook(secret).sign('msg_lib', new Date(timestamp * 1000), body);
    const ours = signatureHeaders({ id: 'msg_lib', timestamp, body, secrets: [secret] });
    assert.equal(ours['webhook-signature'], library);
    const headers = {
      'webhook-id': 'msg_lib',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': library,
    };
    assert.deepEqual(verifyWebhook(body, headers, secret), JSON.parse(body));
    // A secret without the whsec_ prefix works too, as with the official verifiers.
    assert.ok(verifyWebhook(body, headers, secret.slice('whsec_'.length)));
  });
});

describe('verifyWebhook', () => {
  const secret = generateEndpointSecret();

  it('accepts raw bytes, Fetch Headers, Node header records and repeated signature headers', () => {
    const message = signed([secret]);
    const expected = JSON.parse(body);
    assert.deepEqual(
      verifyWebhook(new TextEncoder().encode(message.body), message.headers, secret),
      expected,
    );
    assert.deepEqual(
      verifyWebhook(Buffer.from(message.body), new Headers(message.headers), secret),
      expected,
    );
    const upper = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k.toUpperCase(), v]));
    assert.deepEqual(verifyWebhook(message.body, upper, secret), expected);
    const repeated = {
      ...message.headers,
      'webhook-signature': ['v1,bm90LXRoZS1zaWduYXR1cmU=', message.headers['webhook-signature']],
    };
    assert.deepEqual(verifyWebhook(message.body, repeated, secret), expected);
    const fetchHeaders = new Headers({
      'webhook-id': message.headers['webhook-id'],
      'webhook-timestamp': message.headers['webhook-timestamp'],
    });
    fetchHeaders.append('webhook-signature', message.headers['webhook-signature']);
    fetchHeaders.append('webhook-signature', 'v1,bm90LXRoZS1zaWduYXR1cmU=');
    assert.deepEqual(verifyWebhook(message.body, fetchHeaders, secret), expected);
    // Unknown versions are skipped, not fatal.
    const mixed = {
      ...message.headers,
      'webhook-signature': `v2,abc ${message.headers['webhook-signature']}`,
    };
    assert.deepEqual(verifyWebhook(message.body, mixed, secret), expected);
  });

  it('refuses tampering with the body, id or timestamp, and a wrong secret', () => {
    const message = signed([secret]);
    const tampered: Array<[string, Record<string, string>]> = [
      [message.body.replace('conn_01', 'conn_02'), message.headers],
      [`${message.body} `, message.headers],
      [message.body, { ...message.headers, 'webhook-id': 'msg_other' }],
      [
        message.body,
        { ...message.headers, 'webhook-timestamp': String(Number(message.headers['webhook-timestamp']) - 1) },
      ],
      [message.body, { ...message.headers, 'webhook-signature': 'v1,' }],
      [
        message.body,
        {
          ...message.headers,
          'webhook-signature': message.headers['webhook-signature'].replace('v1,', 'v2,'),
        },
      ],
    ];
    for (const [tamperedBody, headers] of tampered) {
      rejectsWith(() => verifyWebhook(tamperedBody, headers, secret), 'invalid_signature');
      assert.throws(() => new StandardWebhook(secret).verify(tamperedBody, headers));
    }
    rejectsWith(
      () => verifyWebhook(message.body, message.headers, generateEndpointSecret()),
      'invalid_signature',
    );
  });

  it('enforces the timestamp tolerance both ways', () => {
    const now = Date.UTC(2026, 0, 1);
    const at = (offsetSeconds: number) => signed([secret], { timestamp: now / 1000 + offsetSeconds });
    for (const offset of [-300, 0, 300]) {
      const message = at(offset);
      assert.ok(verifyWebhook(message.body, message.headers, secret, { now }));
    }
    for (const offset of [-301, 301, -86_400]) {
      const message = at(offset);
      rejectsWith(
        () => verifyWebhook(message.body, message.headers, secret, { now }),
        'timestamp_out_of_tolerance',
      );
    }
    const old = at(-600);
    assert.ok(verifyWebhook(old.body, old.headers, secret, { now, toleranceSeconds: 600 }));
    // A stale message is refused by the official verifier too (it reads the real clock).
    const stale = signed([secret], { timestamp: nowSeconds() - 3600 });
    assert.throws(() => new StandardWebhook(secret).verify(stale.body, stale.headers));
    rejectsWith(() => verifyWebhook(stale.body, stale.headers, secret), 'timestamp_out_of_tolerance');
  });

  it('names missing headers, malformed timestamps and non-JSON bodies', () => {
    const message = signed([secret]);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = message.headers;
      rejectsWith(() => verifyWebhook(message.body, rest, secret), 'missing_headers');
    }
    for (const timestamp of ['soon', '1e9', '-5', '12.5']) {
      rejectsWith(
        () => verifyWebhook(message.body, { ...message.headers, 'webhook-timestamp': timestamp }, secret),
        'invalid_timestamp',
      );
    }
    const text = signed([secret], { body: 'not json' });
    rejectsWith(() => verifyWebhook(text.body, text.headers, secret), 'invalid_payload');
    assert.throws(() => verifyWebhook(message.body, message.headers, 'whsec_'), TypeError);
  });
});
