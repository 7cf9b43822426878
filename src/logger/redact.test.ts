import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isSecretKey,
  REDACTED,
  redactKnownSecrets,
  redactMember,
  redactString,
  redactValue,
  truncate,
} from './redact.ts';

const PB_KEY = 'pb_sk_dev_4Zq8mN2pXr7LkW3vB9tY6hJ1cF5dG0sA8eQ2uI';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('redactString: value shapes', () => {
  const cases: Array<[string, string, string]> = [
    ['bearer header', 'Authorization: Bearer abc.def-123_XYZ', 'Authorization: Bearer [redacted]'],
    ['basic header', 'got Basic dXNlcjpwYXNzd29yZA== from client', 'got Basic [redacted] from client'],
    ['our API key', `key ${PB_KEY} used`, 'key [redacted] used'],
    ['webhook secret', 'secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw here', 'secret [redacted] here'],
    ['stripe secret key', 'stripe sk_live_51HxYzAbCdEf failed', 'stripe [redacted] failed'],
    ['stripe test key', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc', '[redacted]'],
    ['stripe restricted key', 'rk_live_abcdefgh1234', '[redacted]'],
    ['stripe publishable live key', 'pk_live_TYooMQauvdEDq54NiTphI7jx', '[redacted]'],
    ['jwt', `token ${JWT}.`, 'token [redacted].'],
    ['github token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', '[redacted]'],
    ['url password', 'postgres://user:hunter2@db:5432/x', 'postgres://user:[redacted]@db:5432/x'],
    ['query token', '/callback?code=abc123&state=xyz', '/callback?code=[redacted]&state=xyz'],
    ['query api key', '/x?api_key=short&y=1', '/x?api_key=[redacted]&y=1'],
    [
      'json in text',
      'provider said {"client_secret":"s3cr3t","ok":1}',
      'provider said {"client_secret":"[redacted]","ok":1}',
    ],
    ['password=', 'login password=hunter2 failed', 'login password=[redacted] failed'],
    ['long hex', `hash ${'a1'.repeat(32)} end`, 'hash [redacted] end'],
    ['long base64url', 'x 7f3Jq9Lm2Np4Rs6Tu8Vw0Xy1Za3Bc5De7Fg9Hi end', 'x [redacted] end'],
    ['form value in parentheses', '(sent client_secret=abc)', '(sent client_secret=[redacted])'],
    ['no double marker', `/x?api_key=${PB_KEY}&y=1`, '/x?api_key=[redacted]&y=1'],
    ['base64 cut by slashes', 'v: Ab3dEf5hIj7kLm9nOp1rSt/Uv3xYz5AbCdEf7hIjK9lM=', 'v: [redacted]'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(redactString(input), expected));
  }

  it('keeps ordinary text, ids and paths readable', () => {
    const kept = [
      'GET /v1/api-keys/key_01jz8x7y6w5v4t3s2r1q0p9n8m returned 404',
      'Basic authentication is not supported',
      'connection conn_01jz8x7y6w5v4t3s2r1q0p9n8m synced 120 records in 35ms',
      'at Object.handler (file:///work/main/src/api/routes/api-keys.ts:41:13)',
      '2026-01-01T00:00:00.000Z',
      'token_type=bearer&expires_in=3600',
    ];
    for (const text of kept) assert.equal(redactString(text), text);
  });

  it('caps long strings after redacting them', () => {
    const text = `${'word '.repeat(10)}${PB_KEY}`;
    assert.equal(
      redactString(text, 20),
      `${'word '.repeat(4)}…[truncated ${text.length - 20 - PB_KEY.length + REDACTED.length} chars]`,
    );
    assert.equal(truncate('abcdef', 4), 'abcd…[truncated 2 chars]');
    assert.equal(truncate('abcd', 4), 'abcd');
  });
});

describe('redactKnownSecrets', () => {
  it('keeps random-looking correlation ids but not known credential shapes', () => {
    const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    assert.equal(redactString(uuid), REDACTED);
    assert.equal(redactKnownSecrets(uuid), uuid);
    assert.equal(redactKnownSecrets(`id ${PB_KEY}`), 'id [redacted]');
    assert.equal(redactKnownSecrets(JWT), REDACTED);
  });
});

describe('isSecretKey', () => {
  it('matches secret names case-insensitively, in any spelling', () => {
    for (const key of [
      'authorization',
      'Authorization',
      'Cookie',
      'set-cookie',
      'password',
      'client_secret',
      'clientSecret',
      'api_key',
      'apiKey',
      'X-API-Key',
      'access_token',
      'refreshToken',
      'stripeSecretKey',
      'webhook_secret',
      'sessionToken',
      'privateKey',
    ]) {
      assert.equal(isSecretKey(key), true, key);
    }
  });
  it('leaves ordinary names alone', () => {
    for (const key of [
      'code',
      'status',
      'token_type',
      'tokenType',
      'name',
      'keyId',
      'environment',
      'message',
    ]) {
      assert.equal(isSecretKey(key), false, key);
    }
  });
});

describe('redactValue', () => {
  it('redacts by key name at any depth and by shape in every string', () => {
    const input = {
      headers: { Authorization: 'anything', 'x-api-key': 'k', accept: 'application/json' },
      body: { nested: [{ password: 'hunter2', note: `use ${PB_KEY}` }] },
      config: { clientSecret: { value: 'x' } },
      count: 3,
    };
    assert.deepEqual(redactValue(input), {
      headers: { Authorization: REDACTED, 'x-api-key': REDACTED, accept: 'application/json' },
      body: { nested: [{ password: REDACTED, note: 'use [redacted]' }] },
      config: { clientSecret: REDACTED },
      count: 3,
    });
  });

  it('serializes errors with redacted message, stack, fields and cause', () => {
    const cause = new Error(`upstream rejected Bearer ${PB_KEY}`);
    const error = Object.assign(new Error(`failed with ${PB_KEY}`, { cause }), {
      code: 'invalid_api_key',
      token: 'raw',
    });
    const result = redactValue(error) as Record<string, unknown>;
    const text = JSON.stringify(result);
    assert.equal(text.includes(PB_KEY), false);
    assert.equal(result.type, 'Error');
    assert.equal(result.message, 'failed with [redacted]');
    assert.equal(result.code, 'invalid_api_key');
    assert.equal(result.token, REDACTED);
    assert.match(String(result.stack), /^Error: failed with \[redacted\]\n/);
    assert.equal((result.cause as Record<string, unknown>).message, 'upstream rejected Bearer [redacted]');
  });

  it('bounds cycles, depth and array length', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.deepEqual(redactValue(cyclic), { a: 1, self: '[circular]' });

    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 12; i++) deep = { child: deep };
    assert.match(JSON.stringify(redactValue(deep)), /\[too deep\]/);

    const long = redactValue(Array.from({ length: 150 }, (_, i) => i)) as unknown[];
    assert.equal(long.length, 101);
    assert.equal(long[100], '[50 more items]');
  });

  it('turns special objects into loggable values', () => {
    assert.deepEqual(
      redactValue({
        when: new Date(0),
        url: new URL('https://u:pw@example.com/?token=abc'),
        buf: Buffer.from('secret'),
        headers: new Headers({ authorization: 'Bearer x', accept: '*/*' }),
        big: 10n,
      }),
      {
        when: '1970-01-01T00:00:00.000Z',
        url: 'https://u:[redacted]@example.com/?token=[redacted]',
        buf: '[binary 6 bytes]',
        headers: { accept: '*/*', authorization: REDACTED },
        big: '10',
      },
    );
  });
});

describe('repeated strings and members', () => {
  it('answer the same every time: a string found clean is still capped at a shorter length', () => {
    const clean = 'request completed for route /proxy/*';
    assert.equal(redactString(clean), clean);
    assert.equal(redactString(clean), clean);
    assert.equal(redactString(clean, 10), truncate(clean, 10));
    const dirty = `sent ${PB_KEY}`;
    for (let i = 0; i < 3; i++) assert.equal(redactString(dirty), 'sent [redacted]');
  });

  it('redact one member as redactValue redacts it inside its object', () => {
    const members: Array<[string, unknown]> = [
      ['method', 'GET'],
      ['url', '/proxy/v1/account?access_token=abc123'],
      ['statusCode', 200],
      ['clientSecret', 'plain'],
      ['token', ''],
      ['headers', { authorization: 'Bearer x', accept: '*/*' }],
      ['err', new Error(`failed with ${PB_KEY}`)],
    ];
    for (const [key, value] of members) {
      assert.deepEqual(
        redactMember(key, value),
        (redactValue({ [key]: value }) as Record<string, unknown>)[key],
      );
    }
  });
});
