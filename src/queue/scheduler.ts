import type { JobQueue, ReclaimResult, ScheduledRun } from './types.ts';

export interface SchedulerOptions {
  queue: JobQueue;
  /** Time between ticks; default 1 s. */
  intervalMs?: number;
  /** Reports a tick that failed (the loop keeps going). Must not throw. */
  onError?: (error: unknown) => void;
  /** Observes what each tick did (for logs and metrics). Must not throw. */
  onTick?: (report: TickReport) => void;
}

export interface TickReport {
  scheduled: ScheduledRun[];
  reclaimed: ReclaimResult;
}

export interface Scheduler {
  start(): void;
  /** Ends the loop after the tick in progress, if any. */
  stop(): Promise<void>;
  /** One pass: fire due cron schedules, then reclaim expired leases. */
  tick(): Promise<TickReport>;
}

/**
 * The scheduler loop: every interval it fires due cron schedules and requeues the jobs of
 * crashed workers. Run it in any number of processes: a schedule's due time fires once across
 * all of them (compare-and-set on its next run), and reclaiming is an idempotent update.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { queue } = options;
  const intervalMs = options.intervalMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> | undefined;
  let running = false;

  async function tick(): Promise<TickReport> {
    // Independent duties: a failure of one must not starve the other.
    const [scheduled, reclaimed] = await Promise.allSettled([
      queue.runDueSchedules(),
      queue.reclaimExpired(),
    ]);
    if (scheduled.status === 'rejected') throw scheduled.reason;
    if (reclaimed.status === 'rejected') throw reclaimed.reason;
    return { scheduled: scheduled.value, reclaimed: reclaimed.value };
  }

  function loop(): void {
    current = tick()
      .then(
        (report) => {
          const reclaimed = report.reclaimed.requeued.length + report.reclaimed.dead.length;
          if (report.scheduled.length > 0 || reclaimed > 0) options.onTick?.(report);
        },
        (error: unknown) => options.onError?.(error),
      )
      // Observers must not throw; if one does, the loop still goes on.
      .catch(() => {});
    void current.finally(() => {
      current = undefined;
      // The next tick is timed from the end of this one, so ticks never overlap.
      if (running) timer = setTimeout(loop, intervalMs);
    });
  }

  return {
    tick,
    start() {
      if (running) return;
      running = true;
      loop();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      if (current) await current;
      clearTimeout(timer);
    },
  };
}
