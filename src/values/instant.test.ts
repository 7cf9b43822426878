import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoTime, isoTimeOrNull } from './instant.ts';

describe('instants', () => {
  it('formats epoch milliseconds as ISO 8601 UTC with milliseconds, and keeps null null', () => {
    assert.equal(isoTime(Date.UTC(2026, 0, 1, 12, 30, 5, 7)), '2026-01-01T12:30:05.007Z');
    assert.equal(isoTime(0), '1970-01-01T00:00:00.000Z');
    assert.equal(isoTimeOrNull(null), null);
    assert.equal(isoTimeOrNull(1_000), '1970-01-01T00:00:01.000Z');
  });
});
