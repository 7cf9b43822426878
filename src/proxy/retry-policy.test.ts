import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RateLimit } from '../catalog/index.ts';
import { backoffDelay, remainingRequests, resetDelay } from './retry-policy.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const limit = (headers: RateLimit['headers']): RateLimit => ({ scope: 'connection', headers });

describe('retry timing', () => {
  it('backs off exponentially between the base and the cap, with full jitter', () => {
    const retry = { baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      backoffDelay(1, retry, () => 0.99),
      100,
    );
    assert.equal(
      backoffDelay(3, retry, () => 0),
      100,
    );
    assert.equal(
      backoffDelay(3, retry, () => 1),
      400,
    );
    assert.equal(
      backoffDelay(10, retry, () => 1),
      1000,
    );
  });

  it('reads reset headers in each unit a definition may declare', () => {
    const at = (resetUnit: NonNullable<RateLimit['headers']['resetUnit']>, value: string) =>
      resetDelay(
        { 'x-reset': value },
        limit({ reset: 'x-reset', resetUnit, retryAfter: 'retry-after' }),
        NOW,
      );
    assert.equal(at('seconds', '4'), 4000);
    assert.equal(at('milliseconds', '250'), 250);
    assert.equal(at('epoch_seconds', String(NOW / 1000 + 10)), 10_000);
    assert.equal(at('epoch_milliseconds', String(NOW + 1234)), 1234);
    assert.equal(at('epoch_seconds', String(NOW / 1000 - 10)), 0);
    assert.equal(at('seconds', 'x'), undefined);
    assert.equal(resetDelay({}, limit({ retryAfter: 'retry-after' }), NOW), undefined);
  });

  it('reads the remaining count only from the header the definition names', () => {
    const l = limit({ remaining: 'x-remaining', retryAfter: 'retry-after' });
    assert.equal(remainingRequests({ 'x-remaining': '0' }, l), 0);
    assert.equal(remainingRequests({ 'x-remaining': '17' }, l), 17);
    assert.equal(remainingRequests({ 'x-ratelimit-remaining': '0' }, l), undefined);
    assert.equal(remainingRequests({ 'x-remaining': '0' }, undefined), undefined);
  });
});
