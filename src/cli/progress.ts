/**
 * Progress of a sync run on the terminal: a live status line (cli-progress) when stderr is a TTY,
 * and plain lines at most once per interval otherwise, so CI logs show progress without being
 * flooded. The runner reports totals after each committed batch (see SyncRunner's onProgress).
 */
import { SingleBar } from 'cli-progress';
import type { RunCounts } from '../syncs/runs.ts';

/** Where progress goes: process.stderr, or a test's collector. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Receives a run's totals and draws them. */
export interface ProgressReporter {
  /** Totals after a committed batch. */
  update(totals: RunCounts): void;
  /** Ends the display (the bar's last state stays on screen; a plain reporter prints a final line). */
  stop(): void;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** What the line names: `<connection> <sync>`. */
  label: string;
  /** Milliseconds clock; injected by tests. Default Date.now. */
  now?: () => number;
  /** Shortest gap between two plain lines. Default 1,000 ms. */
  intervalMs?: number;
}

/** Records the script saved: those written (added, updated) and those found unchanged. */
export function recordsSaved(totals: RunCounts): number {
  return totals.added + totals.updated + totals.unchanged;
}

/**
 * One progress line: `<label>: 12 pages, 1,200 records (added 900, updated 300, unchanged 0,
 * deleted 0), 400 records/s, 3.0 s`.
 */
export function formatProgress(label: string, totals: RunCounts, elapsedMs: number): string {
  const saved = recordsSaved(totals);
  const seconds = Math.max(elapsedMs, 0) / 1000;
  const rate = seconds > 0 ? Math.round(saved / seconds) : 0;
  const n = (value: number) => value.toLocaleString('en-US');
  return (
    `${label}: ${n(totals.pages)} pages, ${n(saved)} records ` +
    `(added ${n(totals.added)}, updated ${n(totals.updated)}, unchanged ${n(totals.unchanged)}, deleted ${n(totals.deleted)}), ` +
    `${n(rate)} records/s, ${seconds.toFixed(1)} s`
  );
}

/** A reporter suited to the stream: a live line on a TTY, throttled plain lines otherwise. */
export function createProgress(options: ProgressOptions): ProgressReporter {
  return options.stream.isTTY === true ? ttyProgress(options) : plainProgress(options);
}

const ZERO: RunCounts = { added: 0, updated: 0, deleted: 0, unchanged: 0, pages: 0 };

/**
 * Plain lines: the first batch is printed at once, later ones at most once per interval, and the
 * final totals always, so a log shows where a run got to even when it was interrupted.
 */
export function plainProgress(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 1_000;
  const startedAt = now();
  let latest: RunCounts = ZERO;
  let printedAt = Number.NEGATIVE_INFINITY;
  let printed: RunCounts | null = null;
  let stopped = false;
  const print = () => {
    const at = now();
    options.stream.write(`progress ${formatProgress(options.label, latest, at - startedAt)}\n`);
    printedAt = at;
    printed = latest;
  };
  return {
    update(totals) {
      if (stopped) return;
      latest = { ...totals };
      if (now() - printedAt >= intervalMs) print();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // The last totals, unless that exact line was just printed.
      if (printed !== latest) print();
    },
  };
}

/**
 * A live status line redrawn by cli-progress (several times a second, so the elapsed time and
 * rate move even while a slow provider answers). There is no total to show a bar against: a sync
 * does not know how many records it will find.
 */
function ttyProgress(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const startedAt = now();
  let latest: RunCounts = ZERO;
  const bar = new SingleBar({
    stream: options.stream as NodeJS.WritableStream,
    format: () => formatProgress(options.label, latest, now() - startedAt),
    hideCursor: true,
    fps: 5,
    clearOnComplete: false,
  });
  bar.start(0, 0);
  let stopped = false;
  return {
    update(totals) {
      if (stopped) return;
      latest = { ...totals };
      bar.update(recordsSaved(totals));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
