import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter } from './retry-after.ts';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('reads delay-seconds, and fractional seconds rounded up to the millisecond', () => {
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter(' 120 ', now), 120_000);
    assert.equal(parseRetryAfter('1.5', now), 1_500);
    assert.equal(parseRetryAfter('0.0001', now), 1);
  });

  it('reads each HTTP date form relative to now, never negative', () => {
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 12:00:45 GMT', now), 45_000);
    assert.equal(parseRetryAfter('Thursday, 01-Jan-26 12:00:45 GMT', now), 45_000);
    assert.equal(parseRetryAfter('Thu Jan  1 12:00:45 2026', now), 45_000);
    assert.equal(parseRetryAfter(new Date(now + 30_000).toUTCString(), now), 30_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now), 0);
  });

  it('ignores absent and unreadable values', () => {
    for (const value of [null, undefined, '', '-5', '1.', '.5', '1e3', '2026-01-01', 'soon', 'Thu, soon']) {
      assert.equal(parseRetryAfter(value, now), undefined, String(value));
    }
  });
});
