/**
 * `ctx.progress` of an action run: the script may report after every unit of work, the store sees
 * at most one write per interval. The first report is written at once, later ones when the
 * interval since the last write has passed; a report held back is written by a timer at the end
 * of the interval (so the last one before a long pause still shows), and whatever is latest when
 * the run finishes is stored with its outcome (`latest`).
 */
import type { Clock } from '../clock/index.ts';
import { PatchbayError } from '../errors/index.ts';
import type { ActionProgressUpdate } from '../scripting/types.ts';

/** Progress as stored on a run. */
export interface ActionProgress {
  done: number;
  total: number | null;
}

/** The shortest time between two progress writes of one run. */
export const PROGRESS_INTERVAL_MS = 1000;

/** The largest count a report may carry (fits a 32-bit integer column on both databases). */
const MAX_COUNT = 2_147_483_647;

export interface ProgressReporterOptions {
  clock: Clock;
  /** Stores a report; failures are the writer's to log (progress never fails a run). */
  write(progress: ActionProgress, at: number): Promise<void>;
  intervalMs?: number;
  /** Runs `fn` after `ms` (tests inject one); returns a cancel function. */
  schedule?: (fn: () => void, ms: number) => () => void;
}

export interface ProgressReporter {
  report(update: ActionProgressUpdate): void;
  /** The last report, for the run's final write; stops the pending timer. */
  latest(): ActionProgress | null;
  /** Resolves once the write in flight (if any) has settled. */
  settled(): Promise<void>;
}

export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const { clock, write } = options;
  const intervalMs = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  const schedule = options.schedule ?? defaultSchedule;
  let latest: ActionProgress | null = null;
  let written: ActionProgress | null = null;
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> = Promise.resolve();
  let cancelTimer: (() => void) | null = null;
  let closed = false;

  function flush(): void {
    cancelTimer = null;
    if (closed || latest === null || latest === written) return;
    const progress = latest;
    written = progress;
    lastWriteAt = clock.now();
    // One write at a time, in order: a slow one is followed, never overtaken, by the next.
    inFlight = inFlight.then(() => write(progress, lastWriteAt)).catch(() => {});
  }

  return {
    report(update) {
      const progress = checked(update);
      if (closed) return;
      latest = progress;
      const wait = lastWriteAt + intervalMs - clock.now();
      if (wait <= 0) {
        cancelTimer?.();
        flush();
      } else if (cancelTimer === null) {
        cancelTimer = schedule(flush, wait);
      }
    },
    latest() {
      closed = true;
      cancelTimer?.();
      cancelTimer = null;
      return latest;
    },
    settled: () => inFlight,
  };
}

function checked(update: ActionProgressUpdate): ActionProgress {
  const done = update?.done;
  const total = update?.total;
  const count = (value: unknown) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_COUNT;
  if (!count(done) || (total !== undefined && (!count(total) || (done as number) > total))) {
    throw new PatchbayError(
      'invalid_request',
      'ctx.progress takes { done, total? }: whole numbers from 0, with done at most total',
      { details: { done: String(done).slice(0, 40), total: String(total).slice(0, 40) } },
    );
  }
  return { done: done as number, total: total ?? null };
}

function defaultSchedule(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
