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
 * batch. With `gatherMs`, a batch of fewer than `gatherBelow` operations waits that long (a timer)
 * instead, so that a moderate stream of operations (each arriving in a turn of its own) shares
 * commits too: at a steady load every commit costs an fsync whatever it carries. SQLite has one connection, so one flush at a time; a PostgreSQL pool can run several
 * transactions at once and overlap their round trips (the server merges their WAL flushes).
 */
export class GroupCommit<Op> {
  readonly #commit: (ops: Op[]) => Promise<unknown[]>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #gatherMs: number;
  readonly #gatherBelow: number;
  #pending: Array<Pending<Op>> = [];
  #scheduled = false;
  readonly #running = new Set<Promise<void>>();
  #closed = false;
  #flushes = 0;
  #operations = 0;

  /**
   * @param commit runs the operations in one transaction and returns one result per operation,
   *   in order. It must throw (roll back) as a whole when any statement fails.
   */
  constructor(
    commit: (ops: Op[]) => Promise<unknown[]>,
    options: { maxBatch?: number; maxInFlight?: number; gatherMs?: number; gatherBelow?: number } = {},
  ) {
    this.#commit = commit;
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#maxInFlight = options.maxInFlight ?? 1;
    this.#gatherMs = options.gatherMs ?? 0;
    this.#gatherBelow = options.gatherBelow ?? 16;
  }

  /** Queues one operation for the next commit; resolves with its result once committed. */
  submit<R>(op: Op): Promise<R> {
    if (this.#closed) {
      return Promise.reject(new PatchbayError('queue_closed', 'The job queue is closed'));
    }
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ op, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
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
    // A small batch waits a little for company (see `gatherMs`); a large one goes at once.
    const gather = this.#gatherMs > 0 && this.#pending.length < this.#gatherBelow;
    (gather ? (run: () => void) => setTimeout(run, this.#gatherMs) : setImmediate)(() => {
      this.#scheduled = false;
      if (this.#pending.length === 0) return;
      const flush: Promise<void> = this.#flush().finally(() => {
        this.#running.delete(flush);
        if (this.#pending.length > 0) this.#schedule();
      });
      this.#running.add(flush);
      // More than one batch waiting: start the next one too, if the limit allows.
      if (this.#pending.length > 0) this.#schedule();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0, this.#maxBatch);
    if (batch.length === 0) return;
    try {
      const results = await this.#commit(batch.map((entry) => entry.op));
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

  #count(operations: number): void {
    this.#flushes += 1;
    this.#operations += operations;
  }
}

interface Pending<Op> {
  op: Op;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
