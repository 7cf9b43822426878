import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from './group-commit.ts';

/** A commit whose duration, as the group commit measures it, is set by the test. */
function timedCommits(durations: number[]) {
  let clock = 0;
  const batches: number[][] = [];
  const group = new GroupCommit<number>(
    async (ops) => {
      batches.push(ops);
      clock += durations.shift() ?? 0;
      return ops.map((op) => op * 10);
    },
    { gatherMs: 1, gatherFactor: 2, gatherMaxMs: 4, now: () => clock },
  );
  return { group, batches };
}

describe('GroupCommit', () => {
  it('answers each operation with its own result once its batch commits, one batch per turn', async () => {
    const { group, batches } = timedCommits([]);
    const results = await Promise.all([1, 2, 3].map((op) => group.submit<number>(op)));
    assert.deepEqual(results, [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.deepEqual(group.stats(), { flushes: 1, operations: 3 });
  });

  it('waits gatherMs for company until commits are measured, then twice their recent duration, within bounds', async () => {
    const { group } = timedCommits([
      1.25, 1.25, 10, 10, 10, 10, 10, 10, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
    ]);
    // Operations come in pairs, each pair in one turn: company is frequent.
    const pair = (op: number) => Promise.all([group.submit(op), group.submit(op + 1)]);
    await pair(1);
    // One commit of 1.25 ms: the window is 2.5 ms.
    assert.equal(group.gatherDelayMs(), 2.5);
    await pair(3);
    assert.equal(group.gatherDelayMs(), 2.5);
    // Slow commits push the window to its ceiling, not past it.
    for (let op = 0; op < 6; op++) await pair(op);
    assert.equal(group.gatherDelayMs(), 4);
    // Fast ones bring it back down to the floor.
    for (let op = 0; op < 8; op++) await pair(op);
    assert.ok(group.gatherDelayMs() < 4);
    for (let op = 0; op < 12; op++) await pair(op);
    assert.equal(group.gatherDelayMs(), 1);
  });

  it('does not wait while operations come further apart than twice the window', async () => {
    let clock = 0;
    const group = new GroupCommit<number>(async (ops) => ops, {
      gatherMs: 1,
      gatherFactor: 2,
      gatherMaxMs: 4,
      now: () => clock,
    });
    // No operation yet: nothing says company will come.
    assert.equal(group.gatherDelayMs(), 0);
    for (let op = 0; op < 5; op++) {
      await group.submit(op);
      clock += 100;
    }
    assert.equal(group.gatherDelayMs(), 0);
    // A burst brings the window back.
    for (let op = 0; op < 40; op++) {
      await Promise.all([group.submit(op), group.submit(op)]);
      clock += 0.5;
    }
    assert.equal(group.gatherDelayMs(), 1);
  });

  it('never waits without a gather window, whatever its commits took', async () => {
    let clock = 0;
    const group = new GroupCommit<number>(
      async (ops) => {
        clock += 5;
        return ops;
      },
      { gatherFactor: 2, now: () => clock },
    );
    await group.submit(1);
    await group.submit(2);
    assert.equal(group.gatherDelayMs(), 0);
  });

  it('ends a gather window early once gatherBelow operations wait in it', { timeout: 10_000 }, async () => {
    const batches: number[][] = [];
    // A window of an hour: only the early end lets this test finish.
    const group = new GroupCommit<number>(
      async (ops) => {
        batches.push(ops);
        return ops;
      },
      { gatherMs: 3_600_000, gatherBelow: 4 },
    );
    // Two at once first: operations come close together, so a lone one waits for company.
    await Promise.all([group.submit<number>(-1), group.submit<number>(0)]);
    batches.length = 0;
    const first = group.submit<number>(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(batches, [], 'a lone operation waits in its window');
    const rest = [2, 3, 4].map((op) => group.submit<number>(op));
    assert.deepEqual(await Promise.all([first, ...rest]), [1, 2, 3, 4]);
    assert.deepEqual(batches, [[1, 2, 3, 4]]);
  });

  it('retries a failed batch one operation at a time, so only the failing one is refused', async () => {
    const group = new GroupCommit<number>(async (ops) => {
      if (ops.includes(2)) throw new Error('constraint failed on 2');
      return ops;
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((op) => group.submit<number>(op)));
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    await group.close();
    await assert.rejects(group.submit(4), { code: 'queue_closed' });
  });
});
