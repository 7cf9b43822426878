import { PatchbayError } from '../../errors/index.ts';

/**
 * Group commit: operations that concurrent callers submit close together are written in one
 * transaction, and each caller is answered only after that transaction commits. With SQLite at
 * `synchronous=FULL` every commit costs an fsync, so one commit for a hundred operations instead
 * of a hundred commits is where the queue's throughput comes from, with no durability given up.
 *
 * Batching window: a flush is scheduled with setImmediate when the first operation arrives, so
 * it collects everything submitted in the same turn of the event loop (including promise
 * continuations). While `maxInFlight` flushes are running, new operations wait and form the next
 * batch. With a gather window, a batch of fewer than `gatherBelow` operations waits a little (a
 * timer) instead, so that a moderate stream of operations (each arriving in a turn of its own)
 * shares commits too: at a steady load every commit costs an fsync whatever it carries. The window
 * ends early once `gatherBelow` operations wait in it: a busy caller never idles in it; and it
 * is skipped while operations arrive further apart than twice its length, when waiting would
 * only add latency. The wait
 * is `gatherMs`, or with `gatherFactor` that many times the recent commits' duration (between
 * `gatherMs` and `gatherMaxMs`): where an fsync is slow, commits then take a bounded share of the
 * time instead of most of it. SQLite has one connection, so one flush at a time; a PostgreSQL
 * pool can run several transactions at once and overlap their round trips (the server merges
 * their WAL flushes).
 */
export class GroupCommit<Op> {
  readonly #commit: (ops: Op[]) => Promise<unknown[]>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #gatherMs: number;
  readonly #gatherMaxMs: number;
  readonly #gatherFactor: number;
  readonly #gatherBelow: number;
  readonly #now: () => number;
  /** Moving average of recent commits' durations, ms. */
  #commitMs = 0;
  /** Moving average of the time between submitted operations, ms (none yet: Infinity). */
  #gapMs = Number.POSITIVE_INFINITY;
  #lastSubmit = Number.NaN;
  #pending: Array<Pending<Op>> = [];
  #scheduled = false;
  #gatherTimer: NodeJS.Timeout | undefined;
  readonly #running = new Set<Promise<void>>();
  #closed = false;
  #flushes = 0;
  #operations = 0;

  /**
   * @param commit runs the operations in one transaction and returns one result per operation,
   *   in order. It must throw (roll back) as a whole when any statement fails.
   */
  constructor(commit: (ops: Op[]) => Promise<unknown[]>, options: GroupCommitOptions = {}) {
    this.#commit = commit;
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#maxInFlight = options.maxInFlight ?? 1;
    this.#gatherMs = options.gatherMs ?? 0;
    this.#gatherFactor = options.gatherFactor ?? 0;
    this.#gatherMaxMs = Math.max(this.#gatherMs, options.gatherMaxMs ?? this.#gatherMs);
    this.#gatherBelow = options.gatherBelow ?? 16;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * How long a small batch now waits for company, ms: none when operations come further apart than
   * twice the window (fewer than one in two windows would bring any company, so waiting would only
   * add latency).
   */
  gatherDelayMs(): number {
    if (this.#gatherMs <= 0) return 0;
    const adaptive = this.#gatherFactor * this.#commitMs;
    const window = Math.min(this.#gatherMaxMs, Math.max(this.#gatherMs, adaptive));
    return this.#gapMs > 2 * window ? 0 : window;
  }

  /** Queues one operation for the next commit; resolves with its result once committed. */
  submit<R>(op: Op): Promise<R> {
    if (this.#closed) {
      return Promise.reject(new PatchbayError('queue_closed', 'The job queue is closed'));
    }
    if (this.#gatherMs > 0) this.#countArrival();
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ op, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
      this.#gatherMore();
    });
  }

  /** Commits what is pending, then refuses new operations. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running.size > 0 || this.#scheduled || this.#pending.length > 0) {
      if (this.#running.size > 0) await Promise.race(this.#running);
      else if (this.#scheduled) await new Promise((resolve) => setImmediate(resolve));
      else this.#schedule();
    }
  }

  /** How many transactions were committed and how many operations they carried. */
  stats(): { flushes: number; operations: number } {
    return { flushes: this.#flushes, operations: this.#operations };
  }

  #schedule(): void {
    if (this.#scheduled || this.#running.size >= this.#maxInFlight) return;
    this.#scheduled = true;
    // A small batch waits a little for company (see the gather window); a large one goes at once,
    // and so does a small one that grows large while it waits.
    const gatherMs = this.#pending.length < this.#gatherBelow ? this.gatherDelayMs() : 0;
    if (gatherMs > 0) this.#gatherTimer = setTimeout(this.#start, gatherMs);
    else setImmediate(this.#start);
  }

  /** Ends a gather window early once the batch waiting in it is large enough. */
  #gatherMore(): void {
    if (this.#gatherTimer === undefined || this.#pending.length < this.#gatherBelow) return;
    clearTimeout(this.#gatherTimer);
    this.#gatherTimer = undefined;
    setImmediate(this.#start);
  }

  readonly #start = (): void => {
    this.#gatherTimer = undefined;
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const flush: Promise<void> = this.#flush().finally(() => {
      this.#running.delete(flush);
      if (this.#pending.length > 0) this.#schedule();
    });
    this.#running.add(flush);
    // More than one batch waiting: start the next one too, if the limit allows.
    if (this.#pending.length > 0) this.#schedule();
  };

  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0, this.#maxBatch);
    if (batch.length === 0) return;
    try {
      const started = this.#now();
      const results = await this.#commit(batch.map((entry) => entry.op));
      // Weighted towards recent commits: the disk's pace changes with the load on it.
      const took = this.#now() - started;
      this.#commitMs = this.#flushes === 0 ? took : this.#commitMs * 0.8 + took * 0.2;
      this.#count(batch.length);
      batch.forEach((entry, index) => {
        entry.resolve(results[index]);
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // One operation must not fail its neighbours: retry each alone, so only the operation that
      // really fails (or every one, if the database is down) sees an error.
      for (const entry of batch) {
        try {
          const [result] = await this.#commit([entry.op]);
          this.#count(1);
          entry.resolve(result);
        } catch (alone) {
          entry.reject(alone);
        }
      }
    }
  }

  /** Tracks how far apart operations arrive (see gatherDelayMs). */
  #countArrival(): void {
    const now = this.#now();
    // A gap longer than a second says as much as a second: the average recovers fast after a lull.
    const gap = Math.min(1000, now - this.#lastSubmit);
    this.#lastSubmit = now;
    if (Number.isNaN(gap)) return;
    this.#gapMs = Number.isFinite(this.#gapMs) ? this.#gapMs * 0.9 + gap * 0.1 : gap;
  }

  #count(operations: number): void {
    this.#flushes += 1;
    this.#operations += operations;
  }
}

export interface GroupCommitOptions {
  /** Most operations in one transaction. Default 1000. */
  maxBatch?: number;
  /** Transactions running at once. Default 1. */
  maxInFlight?: number;
  /** The shortest wait of a small batch for company, ms; 0 (the default) waits for nothing. */
  gatherMs?: number;
  /** With gatherMs: wait this many times the recent commits' duration instead, when longer. */
  gatherFactor?: number;
  /** The longest wait of a small batch, ms. Default gatherMs. */
  gatherMaxMs?: number;
  /** Batches at least this large never wait. Default 16. */
  gatherBelow?: number;
  /** Monotonic ms, for measuring commits. Default performance.now. */
  now?: () => number;
}

interface Pending<Op> {
  op: Op;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
