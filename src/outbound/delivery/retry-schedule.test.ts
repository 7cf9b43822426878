import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RETRY_SCHEDULE_MS } from '../types.ts';
import { jittered, nextAttemptAt, type RetryTiming } from './retry-schedule.ts';

const NOW = Date.UTC(2026, 0, 1);
const timing = (random: number, overrides: Partial<RetryTiming> = {}): RetryTiming => ({
  schedule: DEFAULT_RETRY_SCHEDULE_MS,
  jitter: 0.2,
  maxRetryAfterMs: 3600_000,
  random: () => random,
  ...overrides,
});
const failure = (scheduledAttempts: number, responseStatus: number | null = 500, retryAfter?: string) => ({
  scheduledAttempts,
  responseStatus,
  retryAfter,
  now: NOW,
});

describe('retry schedule', () => {
  it('waits the schedule’s next delay, jittered by at most ±20 %', () => {
    assert.equal(nextAttemptAt(timing(0.5), failure(1)), NOW + 5_000);
    assert.equal(nextAttemptAt(timing(0), failure(1)), NOW + 4_000);
    assert.equal(nextAttemptAt(timing(0.999999), failure(2)), NOW + 360_000);
    assert.equal(nextAttemptAt(timing(0.5), failure(7)), NOW + 10 * 3600_000);
  });

  it('stops after the last entry of the schedule', () => {
    assert.equal(nextAttemptAt(timing(0.5), failure(8)), null);
    assert.equal(nextAttemptAt(timing(0.5, { schedule: [0] }), failure(1)), null);
  });

  it('honors Retry-After on 429 and 503 only, in seconds or as an HTTP date', () => {
    assert.equal(nextAttemptAt(timing(0.5), failure(1, 429, '120')), NOW + 120_000);
    assert.equal(
      nextAttemptAt(timing(0.5), failure(1, 503, new Date(NOW + 600_000).toUTCString())),
      NOW + 600_000,
    );
    assert.equal(nextAttemptAt(timing(0.5), failure(1, 500, '120')), NOW + 5_000);
    assert.equal(nextAttemptAt(timing(0.5), failure(1, 429, 'soon')), NOW + 5_000);
  });

  it('never shortens the schedule, and clamps a long Retry-After', () => {
    assert.equal(nextAttemptAt(timing(0.5), failure(3, 429, '1')), NOW + 30 * 60_000);
    assert.equal(nextAttemptAt(timing(0.5), failure(1, 429, String(86400))), NOW + 3600_000);
    // The clamp bounds Retry-After, not the schedule: a 10 h step stays 10 h.
    assert.equal(nextAttemptAt(timing(0.5), failure(6, 429, String(86400))), NOW + 10 * 3600_000);
  });

  it('jitters symmetrically and not at all for a zero delay', () => {
    assert.equal(
      jittered(1000, 0.2, () => 0),
      800,
    );
    assert.equal(
      jittered(1000, 0.2, () => 0.75),
      1100,
    );
    assert.equal(
      jittered(0, 0.2, () => 0.9),
      0,
    );
    assert.equal(
      jittered(1000, 0, () => 0.9),
      1000,
    );
  });
});
