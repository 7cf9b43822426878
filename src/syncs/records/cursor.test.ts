import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../../errors/index.ts';
import { decodeRecordsCursor, encodeRecordsCursor } from './cursor.ts';

describe('records cursor', () => {
  it('round-trips a position, ids with colons and non-ASCII included', () => {
    for (const cursor of [
      { modifiedAt: 0, externalId: 'a' },
      { modifiedAt: 1_767_225_600_123, externalId: 'gid://shopify/Order/1:2' },
      { modifiedAt: 42, externalId: 'élan 🚀' },
    ]) {
      const encoded = encodeRecordsCursor(cursor);
      assert.match(encoded, /^[A-Za-z0-9_-]+$/);
      assert.deepEqual(decodeRecordsCursor(encoded), cursor);
    }
  });

  it('refuses anything it did not make with invalid_request naming `after`', () => {
    for (const value of [
      '',
      'not base64!',
      Buffer.from('abc').toString('base64url'),
      Buffer.from('12:').toString('base64url'),
      Buffer.from('-1:x').toString('base64url'),
      Buffer.from('99999999999999999:x').toString('base64url'),
    ]) {
      assert.throws(
        () => decodeRecordsCursor(value),
        (error: unknown) => isPatchbayError(error, 'invalid_request') && /`after`/.test(error.message),
        value,
      );
    }
  });
});
