import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock/index.ts';
import { type ActionProgress, createProgressReporter } from './progress.ts';

function harness() {
  const clock = new ManualClock();
  const writes: Array<[ActionProgress, number]> = [];
  const timers: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
  const reporter = createProgressReporter({
    clock,
    intervalMs: 1000,
    write: async (progress, at) => {
      writes.push([progress, at]);
    },
    schedule: (fn, ms) => {
      const timer = { fn, ms, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
  });
  return { clock, writes, timers, reporter };
}

describe('action progress reporter', () => {
  it('writes the first report at once, then at most once per interval, the held one by a timer', async () => {
    const { clock, writes, timers, reporter } = harness();
    const start = clock.now();
    reporter.report({ done: 0, total: 200 });
    for (let done = 1; done <= 50; done++) reporter.report({ done, total: 200 });
    await reporter.settled();
    assert.deepEqual(writes, [[{ done: 0, total: 200 }, start]]);
    assert.equal(timers.length, 1, 'one timer for the held reports, not one per report');
    assert.equal(timers[0]!.ms, 1000);
    clock.advance(1000);
    timers[0]!.fn();
    await reporter.settled();
    assert.deepEqual(writes.at(-1), [{ done: 50, total: 200 }, start + 1000]);
    // After the interval a report is written at once and cancels nothing left to do.
    clock.advance(1500);
    reporter.report({ done: 51 });
    await reporter.settled();
    assert.deepEqual(writes.at(-1), [{ done: 51, total: null }, start + 2500]);
    assert.equal(writes.length, 3);
  });

  it('hands the last report to the final write and stops its timer', async () => {
    const { writes, timers, reporter } = harness();
    reporter.report({ done: 1, total: 3 });
    reporter.report({ done: 2, total: 3 });
    assert.deepEqual(reporter.latest(), { done: 2, total: 3 });
    assert.equal(timers[0]!.cancelled, true);
    timers[0]!.fn();
    reporter.report({ done: 3, total: 3 });
    await reporter.settled();
    assert.equal(writes.length, 1, 'nothing is written once the run is finishing');
  });

  it('refuses counts that are not whole numbers from 0 with done at most total', () => {
    const { reporter } = harness();
    for (const bad of [{ done: -1 }, { done: 1.5 }, { done: 3, total: 2 }, { done: Number.NaN }, {}]) {
      assert.throws(() => reporter.report(bad as { done: number }), { code: 'invalid_request' });
    }
  });
});
