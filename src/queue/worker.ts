import { hostname } from 'node:os';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import { definitionOf, type JobCatalog, type JobName, type PayloadOf, parsePayload } from './catalog.ts';
import type { ClaimedJob, FailOutcome, JobError, JobLease, JobQueue, StandingClaimer } from './types.ts';

/** What a handler knows about the job it runs. */
export interface JobContext {
  job: {
    id: string;
    name: string;
    /** 1 on the first try. */
    attempt: number;
    maxAttempts: number;
    environmentId: string | null;
    createdAt: number;
  };
  /**
   * Aborted when the job times out, when its lease is lost, or when the worker stops and gives
   * the job back. A handler must stop its work (pass the signal to fetch, database calls…).
   */
  signal: AbortSignal;
  /**
   * The job's lease, for a handler that completes its job inside its own last write
   * (`SqlJobQueue.batcher`) and then returns JOB_COMPLETED. Always set by the worker; optional
   * so that handlers can be called directly (tests) without one.
   */
  lease?: JobLease;
}

/**
 * What a handler returns when it has already completed its job in the same transaction as its
 * last write: the worker then frees the slot without writing the completion again.
 */
export const JOB_COMPLETED: unique symbol = Symbol('job completed by its handler');

export type JobHandler<P> = (
  payload: P,
  context: JobContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: handlers return nothing, or JOB_COMPLETED.
) => Promise<void | typeof JOB_COMPLETED> | void | typeof JOB_COMPLETED;

/** Handlers for (some of) a catalog's jobs, each typed from its payload schema. */
export type JobHandlers<C extends JobCatalog> = { [N in JobName<C>]?: JobHandler<PayloadOf<C, N>> };

export type WorkerEvent =
  | { type: 'completed'; job: ClaimedJob }
  | { type: 'failed'; job: ClaimedJob; error: JobError; outcome: FailOutcome }
  /** The lease was taken away (reclaimed elsewhere) while the handler ran; its signal was aborted. */
  | { type: 'lease_lost'; job: ClaimedJob }
  /** Given back to the queue by stop(). */
  | { type: 'released'; job: ClaimedJob }
  /** The worker could not talk to the queue (it keeps going and retries at the next poll). */
  | { type: 'error'; error: unknown };

export interface WorkerOptions<C extends JobCatalog> {
  queue: JobQueue;
  catalog: C;
  /** The worker claims only the jobs it has handlers for. */
  handlers: JobHandlers<C>;
  /** Jobs run at once; default 8. */
  concurrency?: number;
  /** Most jobs taken in one claim; default the concurrency. */
  batchSize?: number;
  /** Lease length; a heartbeat renews it every leaseMs / 3. Default 30 s. */
  leaseMs?: number;
  /** Poll interval when idle (jobs enqueued in this process wake the worker at once). Default 1 s. */
  pollIntervalMs?: number;
  /** Lease owner token; default `<host>:<pid>:<random>`. */
  owner?: string;
  /** Observes completions, failures and errors (for logs and metrics). Must not throw. */
  onEvent?: (event: WorkerEvent) => void;
}

export interface StopReport {
  /** Jobs still running at the deadline, given back to the queue. */
  released: string[];
}

export interface Worker {
  readonly owner: string;
  /** Jobs running now. */
  readonly running: number;
  start(): void;
  /**
   * Stops claiming, waits up to `timeoutMs` (default 10 s) for running jobs, then aborts the rest
   * and releases their leases (queued again, the attempt not counted), and resolves once every
   * outcome is recorded.
   */
  stop(options?: { timeoutMs?: number }): Promise<StopReport>;
}

interface Running {
  job: ClaimedJob;
  controller: AbortController;
  timer: NodeJS.Timeout;
}

/**
 * Creates a worker: it claims jobs in batches for the names it handles, runs at most
 * `concurrency` at once, each under its job's timeout, renews their leases, and records each
 * outcome (complete, or fail with the job's retry policy).
 *
 * A job that times out or loses its lease is settled at once and its slot freed; its signal is
 * aborted, and a handler that ignores the signal keeps running unobserved.
 */
export function createWorker<C extends JobCatalog>(options: WorkerOptions<C>): Worker {
  return new QueueWorker(options as unknown as WorkerOptions<JobCatalog>);
}

class QueueWorker implements Worker {
  readonly owner: string;
  readonly #queue: JobQueue;
  readonly #catalog: JobCatalog;
  readonly #handlers: Record<string, JobHandler<unknown> | undefined>;
  readonly #names: string[];
  readonly #concurrency: number;
  readonly #batchSize: number;
  readonly #leaseMs: number;
  readonly #pollIntervalMs: number;
  readonly #onEvent: (event: WorkerEvent) => void;
  readonly #running = new Map<string, Running>();
  // Outcome writes not yet committed; stop() waits for them.
  readonly #writes = new Set<Promise<unknown>>();
  #started = false;
  #stopping = false;
  #claiming: Promise<void> | undefined;
  #wanted = false;
  #claimScheduled = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #drained: (() => void) | undefined;
  /** Slots granted to standing claims (JobQueue.attachClaimer) whose jobs have not started yet. */
  #reserved = 0;
  #reservationsSettled: (() => void) | undefined;
  /** Set while the wake-up of a commit whose standing claim already looked for jobs may arrive. */
  #covered = false;
  #detachClaimer: (() => void) | undefined;

  constructor(options: WorkerOptions<JobCatalog>) {
    this.#queue = options.queue;
    this.#catalog = options.catalog;
    this.#handlers = options.handlers as Record<string, JobHandler<unknown> | undefined>;
    this.#names = Object.keys(this.#handlers).filter((name) => this.#handlers[name]);
    for (const name of this.#names) definitionOf(this.#catalog, name);
    this.#concurrency = options.concurrency ?? 8;
    this.#batchSize = options.batchSize ?? this.#concurrency;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
    const onEvent = options.onEvent ?? (() => {});
    this.#onEvent = (event) => {
      try {
        onEvent(event);
      } catch {
        // An observer's bug must not break job processing.
      }
    };
    if (this.#concurrency < 1 || this.#batchSize < 1 || this.#leaseMs < 1) {
      throw new PatchbayError('config_invalid', 'Worker concurrency, batchSize and leaseMs must be positive');
    }
  }

  get running(): number {
    return this.#running.size;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#names.length === 0) return;
    this.#unsubscribe = this.#queue.onAvailable((names) => {
      if (names && !this.#names.some((name) => names.has(name))) return;
      // Covered by a standing claim that just looked; a claim in flight may have run before
      // these jobs were committed, though, and must look again.
      if (this.#covered && !this.#claiming) return;
      this.#requestClaim();
    });
    this.#detachClaimer = this.#queue.attachClaimer?.(this.#standingClaimer());
    this.#pollTimer = setInterval(() => this.#requestClaim(), this.#pollIntervalMs);
    this.#heartbeatTimer = setInterval(() => this.#heartbeat(), Math.max(1, Math.floor(this.#leaseMs / 3)));
    this.#requestClaim();
  }

  async stop(options: { timeoutMs?: number } = {}): Promise<StopReport> {
    if (this.#stopping) return { released: [] };
    this.#stopping = true;
    this.#unsubscribe?.();
    this.#detachClaimer?.();
    clearInterval(this.#pollTimer);
    // A claim in flight may still hand us jobs: they are released as soon as it returns.
    if (this.#claiming) await this.#claiming;
    if (this.#reserved > 0) {
      await new Promise<void>((resolve) => {
        this.#reservationsSettled = resolve;
      });
    }
    if (this.#running.size > 0) await this.#drain(options.timeoutMs ?? 10_000);
    const remaining = [...this.#running.values()];
    for (const entry of remaining) this.#settle(entry);
    const released = remaining.length > 0 ? await this.#release(remaining) : [];
    clearInterval(this.#heartbeatTimer);
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes]);
    return { released };
  }

  /**
   * Claims once the current burst of settling jobs is over: a nextTick callback queued from a
   * promise continuation runs after the whole microtask queue has drained, so jobs that finish
   * together free their slots first and are refilled by one claim (which then joins the same
   * group commit as their completions) instead of by a claim of one slot each.
   */
  #scheduleClaim(): void {
    if (this.#claimScheduled) return;
    this.#claimScheduled = true;
    process.nextTick(() => {
      this.#claimScheduled = false;
      if (!this.#covered || this.#claiming) this.#requestClaim();
    });
  }

  #requestClaim(): void {
    if (this.#stopping || !this.#started) return;
    if (this.#claiming) {
      this.#wanted = true;
      return;
    }
    const free = this.#concurrency - this.#running.size - this.#reserved;
    if (free <= 0) return;
    const limit = Math.min(free, this.#batchSize);
    this.#wanted = false;
    this.#claiming = this.#queue
      .claim({ names: this.#names, owner: this.owner, leaseMs: this.#leaseMs, limit })
      .then(
        (jobs) => {
          this.#claiming = undefined;
          if (!this.#startClaimed(jobs)) return;
          // A full batch suggests more is waiting; a wake-up during the claim may mean more too.
          if (jobs.length === limit || this.#wanted) this.#requestClaim();
        },
        (error: unknown) => {
          this.#claiming = undefined;
          this.#onEvent({ type: 'error', error });
        },
      );
  }

  /**
   * Starts jobs claimed for this worker, or, once stop() has begun, gives them straight back
   * rather than start them. Returns whether they were started.
   */
  #startClaimed(jobs: ClaimedJob[]): boolean {
    if (this.#stopping) {
      if (jobs.length > 0)
        this.#track(
          this.#queue.release(
            this.owner,
            jobs.map((job) => job.id),
          ),
        );
      return false;
    }
    for (const job of jobs) this.#run(job);
    return true;
  }

  /**
   * The standing claim: the queue claims for this worker inside its own transactions (jobs of our
   * names created, or our jobs completed by their handlers' writes), within the slots granted here.
   */
  #standingClaimer(): StandingClaimer {
    return {
      names: this.#names,
      owner: this.owner,
      leaseMs: this.#leaseMs,
      reserve: (freed) => {
        // A claim of our own is on its way: it takes what is there.
        if (this.#stopping || this.#claiming) return 0;
        const free = this.#concurrency - this.#running.size - this.#reserved + freed;
        const granted = Math.max(0, Math.min(free, this.#batchSize));
        this.#reserved += granted;
        return granted;
      },
      take: (jobs, reserved, committed) => {
        // The claim saw every job claimable at its commit: the wake-up of that commit, and the
        // claims of the slots its completions free, would find nothing more. Skipped until the
        // handlers it completed have settled (see below).
        const covered = committed && jobs.length < reserved;
        if (covered) this.#covered = true;
        // Started once the handlers that this commit completed have returned and freed their
        // slots (a nextTick queued now runs after the current promise continuations).
        process.nextTick(() => {
          this.#reserved -= reserved;
          if (this.#startClaimed(jobs) && !covered) this.#requestClaim();
          if (this.#reserved === 0) this.#reservationsSettled?.();
          // Queued after the settles' claims (see #scheduleClaim), which it lets through again.
          if (covered) {
            process.nextTick(() => {
              this.#covered = false;
            });
          }
        });
      },
    };
  }

  #run(job: ClaimedJob): void {
    const controller = new AbortController();
    const definition = this.#catalog[job.name];
    const handler = this.#handlers[job.name];
    const timeoutMs = definition?.timeoutMs ?? 60_000;
    const entry: Running = {
      job,
      controller,
      timer: setTimeout(() => {
        const error = new PatchbayError('job_timeout', `Job "${job.name}" ran longer than ${timeoutMs} ms`);
        if (this.#settle(entry, error)) this.#failed(job, error, true);
      }, timeoutMs),
    };
    // A time limit never keeps the process alive by itself (see src/syncs/runner.ts).
    entry.timer.unref();
    this.#running.set(job.id, entry);
    let payload: unknown;
    try {
      if (!definition || !handler) throw new PatchbayError('unknown_job', `No handler for job "${job.name}"`);
      payload = parsePayload(definition, job.payload);
    } catch (error) {
      // A payload that no longer matches its schema will never succeed: no retry.
      if (this.#settle(entry)) this.#failed(job, error, false);
      return;
    }
    const context: JobContext = {
      job: {
        id: job.id,
        name: job.name,
        attempt: job.attempt,
        maxAttempts: job.maxAttempts,
        environmentId: job.environmentId,
        createdAt: job.createdAt,
      },
      signal: controller.signal,
      lease: { id: job.id, owner: job.owner },
    };
    Promise.resolve()
      .then(() => handler(payload, context))
      .then(
        (outcome) => {
          if (!this.#settle(entry)) return;
          if (outcome === JOB_COMPLETED) this.#onEvent({ type: 'completed', job });
          else this.#completed(job);
        },
        (error: unknown) => {
          if (this.#settle(entry)) this.#failed(job, error, true);
        },
      );
  }

  /** Ends a running job's slot once; false when it was already settled. Aborts with `reason`. */
  #settle(entry: Running, reason?: unknown): boolean {
    if (this.#running.get(entry.job.id) !== entry) return false;
    this.#running.delete(entry.job.id);
    clearTimeout(entry.timer);
    if (reason !== undefined) entry.controller.abort(reason);
    if (this.#running.size === 0) this.#drained?.();
    this.#scheduleClaim();
    return true;
  }

  #completed(job: ClaimedJob): void {
    this.#track(
      this.#queue.complete(job).then((held) => {
        this.#onEvent(held ? { type: 'completed', job } : { type: 'lease_lost', job });
      }),
    );
  }

  #failed(job: ClaimedJob, cause: unknown, retry: boolean): void {
    const error = toJobError(cause);
    this.#track(
      this.#queue.fail(job, error, { retry }).then((outcome) => {
        this.#onEvent({ type: 'failed', job, error, outcome });
      }),
    );
  }

  #track(write: Promise<unknown>): void {
    const tracked = write.catch((error: unknown) => this.#onEvent({ type: 'error', error }));
    this.#writes.add(tracked);
    void tracked.finally(() => this.#writes.delete(tracked));
  }

  #heartbeat(): void {
    const entries = [...this.#running.values()];
    if (entries.length === 0) return;
    this.#track(
      this.#queue
        .extendLeases(
          this.owner,
          entries.map((entry) => entry.job.id),
          this.#leaseMs,
        )
        .then((held) => {
          const kept = new Set(held);
          for (const entry of entries) {
            if (kept.has(entry.job.id)) continue;
            const reason = new PatchbayError('conflict', `The lease of job ${entry.job.id} was lost`);
            if (this.#settle(entry, reason)) this.#onEvent({ type: 'lease_lost', job: entry.job });
          }
        }),
    );
  }

  #drain(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      this.#drained = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.#drained = undefined;
    });
  }

  async #release(entries: Running[]): Promise<string[]> {
    for (const entry of entries) {
      entry.controller.abort(new PatchbayError('queue_closed', 'The worker is shutting down'));
    }
    const released = await this.#queue.release(
      this.owner,
      entries.map((entry) => entry.job.id),
    );
    const back = new Set(released);
    for (const entry of entries) {
      if (back.has(entry.job.id)) this.#onEvent({ type: 'released', job: entry.job });
    }
    return released;
  }
}

function toJobError(cause: unknown): JobError {
  if (isPatchbayError(cause)) return { code: cause.code, message: cause.message };
  if (cause instanceof Error) return { message: cause.message || cause.name };
  return { message: String(cause) };
}
