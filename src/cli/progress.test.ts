import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunCounts } from '../syncs/runs.ts';
import { createProgress, formatProgress, plainProgress, recordsSaved } from './progress.ts';

function counts(partial: Partial<RunCounts>): RunCounts {
  return { added: 0, updated: 0, deleted: 0, unchanged: 0, pages: 0, ...partial };
}

/** A stream that keeps what was written, and a clock the test moves. */
function harness(isTTY = false) {
  const chunks: string[] = [];
  const clock = { at: 10_000 };
  return {
    chunks,
    clock,
    stream: { isTTY, write: (chunk: string) => chunks.push(chunk) },
    now: () => clock.at,
  };
}

describe('sync progress', () => {
  it('formats pages, records by kind, the rate and the elapsed time', () => {
    const line = formatProgress(
      'conn_1 sales',
      counts({ pages: 12, added: 1000, updated: 200, unchanged: 300, deleted: 4 }),
      3_000,
    );
    assert.equal(
      line,
      'conn_1 sales: 12 pages, 1,500 records (added 1,000, updated 200, unchanged 300, deleted 4), 500 records/s, 3.0 s',
    );
    assert.match(
      formatProgress('x', counts({ added: 5 }), 0),
      /, 0 records\/s, 0\.0 s$/,
      'no division by zero',
    );
    assert.equal(recordsSaved(counts({ added: 1, updated: 2, unchanged: 3, deleted: 100 })), 6);
  });

  it('prints the first batch at once, then at most one line per interval, and the final totals', () => {
    const h = harness();
    const progress = plainProgress({ stream: h.stream, label: 'c s', now: h.now });
    progress.update(counts({ pages: 1, added: 10 }));
    assert.equal(h.chunks.length, 1);
    assert.match(h.chunks[0] ?? '', /^progress c s: 1 pages, 10 records .*, 0\.0 s\n$/);

    h.clock.at += 400;
    progress.update(counts({ pages: 2, added: 20 }));
    h.clock.at += 599;
    progress.update(counts({ pages: 3, added: 30 }));
    assert.equal(h.chunks.length, 1, 'throttled within the interval');

    h.clock.at += 1;
    progress.update(counts({ pages: 4, added: 40 }));
    assert.equal(h.chunks.length, 2);
    assert.match(h.chunks[1] ?? '', /^progress c s: 4 pages, 40 records .*, 40 records\/s, 1\.0 s\n$/);

    h.clock.at += 100;
    progress.update(counts({ pages: 5, added: 50 }));
    progress.stop();
    assert.equal(h.chunks.length, 3, 'the last totals are printed on stop');
    assert.match(h.chunks[2] ?? '', /5 pages, 50 records .*, 1\.1 s\n$/);
    progress.stop();
    progress.update(counts({ pages: 6 }));
    assert.equal(h.chunks.length, 3, 'nothing after stop');
  });

  it('does not repeat a line on stop when the last totals were just printed', () => {
    const h = harness();
    const progress = plainProgress({ stream: h.stream, label: 'c s', now: h.now });
    progress.update(counts({ pages: 1, unchanged: 3 }));
    progress.stop();
    assert.equal(h.chunks.length, 1);
  });

  it('prints the zero totals on stop when no batch was committed', () => {
    const h = harness();
    const progress = plainProgress({ stream: h.stream, label: 'c s', now: h.now });
    h.clock.at += 2_500;
    progress.stop();
    assert.deepEqual(h.chunks, [
      'progress c s: 0 pages, 0 records (added 0, updated 0, unchanged 0, deleted 0), 0 records/s, 2.5 s\n',
    ]);
  });

  it('draws a live line with cli-progress on a terminal', () => {
    const h = harness(true);
    const written: string[] = [];
    const stream = {
      isTTY: true,
      columns: 200,
      write: (chunk: string) => written.push(chunk),
      cursorTo() {},
      clearLine() {},
    };
    const progress = createProgress({ stream, label: 'c s', now: h.now });
    h.clock.at += 2_000;
    progress.update(counts({ pages: 2, added: 100 }));
    progress.stop();
    const output = written.join('');
    assert.match(
      output,
      /c s: 2 pages, 100 records \(added 100, updated 0, unchanged 0, deleted 0\), 50 records\/s, 2\.0 s/,
    );
    assert.ok(!output.includes('progress c s'), 'not the plain format');
  });
});
