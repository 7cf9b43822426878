import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/clock/index.ts';
import { SlidingWindowLimiter } from './rate-limit.ts';
import { OAuthSandboxStats } from './stats.ts';

function statsWith(times: number[]): OAuthSandboxStats {
  const stats = new OAuthSandboxStats();
  for (const at of times) stats.recordAccepted({ at, method: 'GET', path: '/api/me', grantId: null });
  return stats;
}

test('maxInAnyWindow: requests share a window when less than windowMs apart', () => {
  assert.equal(statsWith([]).maxInAnyWindow(1000), 0);
  assert.equal(statsWith([0, 999]).maxInAnyWindow(1000), 2);
  assert.equal(statsWith([0, 1000]).maxInAnyWindow(1000), 1);
  // Unsorted input, a dense cluster in the middle.
  assert.equal(statsWith([5000, 0, 2100, 2000, 2500, 2999, 9000]).maxInAnyWindow(1000), 4);
  assert.equal(statsWith([1, 1, 1]).maxInAnyWindow(1), 3);
});

test('property: whatever the arrival times, accepted requests never exceed the limit in any window', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 80 }),
      (requests, windowSeconds, gaps) => {
        const clock = new ManualClock(0);
        const limiter = new SlidingWindowLimiter({ requests, windowSeconds }, clock);
        const accepted: number[] = [];
        for (const gap of gaps) {
          clock.advance(gap);
          const decision = limiter.take('k');
          if (decision.ok) {
            accepted.push(clock.now());
          } else {
            // Retry-After is honest: waiting it frees a slot, waiting a second less may not.
            assert.ok(decision.retryAfterSeconds >= 1 && decision.retryAfterSeconds <= windowSeconds);
            const inWindow = accepted.filter((at) => clock.now() - at < windowSeconds * 1000);
            assert.equal(inWindow.length, requests);
            const freesAt = (inWindow[0] as number) + windowSeconds * 1000;
            assert.ok(clock.now() + decision.retryAfterSeconds * 1000 >= freesAt);
          }
        }
        assert.ok(statsWith(accepted).maxInAnyWindow(windowSeconds * 1000) <= requests);
      },
    ),
  );
});

test('keys have separate budgets', () => {
  const clock = new ManualClock(0);
  const limiter = new SlidingWindowLimiter({ requests: 1, windowSeconds: 1 }, clock);
  assert.equal(limiter.take('a').ok, true);
  assert.equal(limiter.take('b').ok, true);
  assert.deepEqual(limiter.take('a'), { ok: false, retryAfterSeconds: 1 });
});

test('invalid limits are refused', () => {
  const clock = new ManualClock(0);
  assert.throws(() => new SlidingWindowLimiter({ requests: 0, windowSeconds: 1 }, clock));
  assert.throws(() => new SlidingWindowLimiter({ requests: 1.5, windowSeconds: 1 }, clock));
  assert.throws(() => new SlidingWindowLimiter({ requests: 1, windowSeconds: 0 }, clock));
});
