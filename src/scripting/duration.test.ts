import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import { MAX_DURATION_MS, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('parses each unit and combinations', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('15m'), 900_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration('2h30m'), 9_000_000);
    assert.equal(parseDuration('1d2h3m4s'), 86_400_000 + 7_200_000 + 180_000 + 4_000);
    assert.equal(parseDuration('90m'), 5_400_000);
    assert.equal(parseDuration('365d'), MAX_DURATION_MS);
  });

  for (const bad of [
    '',
    '30',
    's',
    '1.5h',
    '-1h',
    '30m2h',
    '1h1h',
    '1 h',
    ' 1h',
    '1H',
    '1w',
    '0s',
    '0h0m',
    '366d',
  ]) {
    it(`refuses ${JSON.stringify(bad)} with invalid_request`, () => {
      assert.throws(
        () => parseDuration(bad),
        (err: unknown) => isPatchbayError(err, 'invalid_request') && err.message.includes(`"${bad}"`),
      );
    });
  }

  it('refuses a value that is not a string', () => {
    assert.throws(
      () => parseDuration(60 as unknown as string),
      (err: unknown) => isPatchbayError(err, 'invalid_request'),
    );
  });
});
