import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { BackoffPolicy } from './retry.ts';

/**
 * The durable job queue, as three faces a caller picks from: what producers use (`JobProducer`),
 * what workers and the scheduler use (`WorkerQueue`), what administration uses (`QueueAdmin`).
 * `JobQueue` is all three, as a driver implements it: the SQL driver (SQLite, PostgreSQL) today.
 * Payloads are JSON values; the typed client validates them against the job catalog before they
 * get here.
 *
 * A job's life: `queued` (waiting for its run time) → claimed by a worker under a lease →
 * completed (gone), or failed (queued again after a backoff, or `dead` after its last attempt),
 * or released (queued again, the attempt given back). A lease that expires because its worker
 * died is reclaimed: the job is queued again, or dead if that was its last attempt.
 */
export interface JobProducer {
  /**
   * Adds a job. With a dedupe key, returns the job already pending (queued or active) under the
   * same name and key instead of adding a second one (`created: false`).
   */
  enqueue(job: NewJob): Promise<EnqueuedJob>;
  /** Adds many jobs at once (one transaction); results are in input order. */
  enqueueMany(jobs: readonly NewJob[]): Promise<EnqueuedJob[]>;
  /** One job, for inspection; undefined once completed (completed jobs are deleted). */
  get(id: string): Promise<JobInfo | undefined>;
}

/** What workers and the scheduler use: claims, outcomes, leases, cron. */
export interface WorkerQueue {
  /** Leases up to `limit` runnable jobs of the given names to `owner` for `leaseMs`. */
  claim(request: ClaimRequest): Promise<ClaimedJob[]>;
  /** Records success: the job is removed. False when the lease was lost (the job moved on). */
  complete(lease: JobLease): Promise<boolean>;
  /**
   * Records a failed attempt. The job is queued again after its backoff, or becomes `dead` when
   * it has used its last attempt or `retry` is false.
   */
  fail(lease: JobLease, error: JobError, options?: { retry?: boolean }): Promise<FailOutcome>;
  /** Heartbeat: pushes the leases of `ids` held by `owner` to now + leaseMs; returns the ids still held. */
  extendLeases(owner: string, ids: readonly string[], leaseMs: number): Promise<string[]>;
  /**
   * Gives jobs back without counting a failure (graceful shutdown): queued again at once, the
   * attempt of this claim not counted. Returns the ids that were still held.
   */
  release(owner: string, ids: readonly string[]): Promise<string[]>;
  /** Requeues (or kills, when out of attempts) jobs whose lease expired: their worker died. */
  reclaimExpired(): Promise<ReclaimResult>;
  /**
   * Enqueues the job of every due schedule, once per due time across all processes, and moves
   * each schedule's next run forward. Returns what was enqueued.
   */
  runDueSchedules(): Promise<ScheduledRun[]>;
  /**
   * Registers a callback for "jobs may be claimable now" in this process (something was enqueued
   * or released here), so local workers need not wait for their next poll. Returns an unsubscribe.
   * `names`, when given, are the names of the jobs that became claimable: a worker handling none
   * of them need not claim (its claim would scan past them for nothing). Absent: any job may be.
   */
  onAvailable(listener: (names?: ReadonlySet<string>) => void): () => void;
  /**
   * Optional (the SQL queue): a local worker's standing claim. Whenever a transaction of the
   * queue creates jobs the claimer handles, or completes jobs of its owner (a handler's own last
   * write, see SqlJobQueue.batcher), the queue claims for it in that same transaction, up to the
   * slots `reserve` grants, and hands the claimed jobs over after the commit: a new job starts
   * without waiting for a claim of its own (one commit instead of two). Returns a detach.
   */
  attachClaimer?(claimer: StandingClaimer): () => void;
}

/** What administration uses: counts, inspection, purges and the cron schedules themselves. */
export interface QueueAdmin {
  /** Counts by state, overall and per job name. */
  stats(): Promise<QueueStats>;
  /** One job, for inspection; undefined once completed (completed jobs are deleted). */
  get(id: string): Promise<JobInfo | undefined>;
  /** Jobs in one state, oldest first (e.g. the dead ones, for inspection). */
  list(filter: ListFilter): Promise<JobInfo[]>;
  /** Deletes dead jobs that died before `before` (epoch ms); returns how many. */
  purgeDead(before: number): Promise<number>;
  /** Creates or updates a named cron schedule. */
  upsertSchedule(schedule: ScheduleSpec): Promise<ScheduleInfo>;
  /** Removes a schedule; false when there was none. */
  removeSchedule(name: string): Promise<boolean>;
  listSchedules(): Promise<ScheduleInfo[]>;
}

/**
 * The queue's transactions, joined by callers whose rows and jobs must commit together: one
 * commit (one fsync on SQLite, shared with the queue's claims and completions) and no crash
 * between a row and its job. The SQL queue implements it on the database it shares with its
 * callers; the engine hands it to the modules that need it.
 */
export interface TransactionalQueue {
  /** Adds jobs inside the caller's transaction `trx`, on the queue's own database. */
  enqueueManyIn(trx: Kysely<Database>, jobs: readonly NewJob[]): Promise<EnqueuedJob[]>;
  /**
   * A group commit of the caller's writes inside the queue's transactions: items submitted close
   * together run as one batch, and each item's promise settles after that commit. See
   * SqlJobQueue.batcher for the contract of `run`.
   */
  batcher<T, R>(
    run: (trx: Kysely<Database>, items: T[]) => Promise<R[]>,
  ): (item: T, lease?: JobLease) => Promise<R>;
}

/** The whole queue, as a driver implements it. */
export interface JobQueue extends JobProducer, WorkerQueue, QueueAdmin {
  /** Finishes pending writes and refuses new ones. Does not close the underlying store. */
  close(): Promise<void>;
}

/** A job to enqueue. Times are epoch milliseconds of the queue's clock. */
export interface NewJob {
  name: string;
  /** A JSON value. */
  payload: unknown;
  environmentId?: string | null;
  /** Lower runs first; default 0. */
  priority?: number;
  /** Run no earlier than this instant. Wins over delayMs. */
  runAt?: number;
  /** Run no earlier than now + delayMs. */
  delayMs?: number;
  dedupeKey?: string;
  /** Total attempts before the job is dead; default from the queue (5). */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
}

export interface EnqueuedJob {
  id: string;
  /** False when a pending job with the same dedupe key was returned instead. */
  created: boolean;
}

/** See JobQueue.attachClaimer. */
export interface StandingClaimer {
  names: readonly string[];
  owner: string;
  leaseMs: number;
  /**
   * Called inside a transaction: the most jobs to claim now (0 for none), counting `freed` jobs
   * of this owner that the transaction completes. The slots granted stay reserved until `take`.
   */
  reserve(freed: number): number;
  /**
   * After the transaction: the jobs claimed for a reservation of `reserved` slots; none, and
   * `committed` false, when the transaction rolled back. Called once per non-zero reservation.
   */
  take(jobs: ClaimedJob[], reserved: number, committed: boolean): void;
}

export interface ClaimRequest {
  names: readonly string[];
  /** Identifies the worker; completing, failing, extending and releasing require it. */
  owner: string;
  leaseMs: number;
  limit: number;
}

/** Proof of a claim: only the owner of a live lease can complete, fail or release a job. */
export interface JobLease {
  id: string;
  owner: string;
}

/** A job as a worker sees it after claiming it. */
export interface ClaimedJob extends JobLease {
  name: string;
  payload: unknown;
  environmentId: string | null;
  priority: number;
  runAt: number;
  /** 1 on the first try. */
  attempt: number;
  maxAttempts: number;
  leaseUntil: number;
  createdAt: number;
}

export interface JobError {
  message: string;
  /** A stable error code when there is one (e.g. a PatchbayError code or `job_timeout`). */
  code?: string;
}

export type FailOutcome =
  | { state: 'queued'; runAt: number; attempts: number }
  | { state: 'dead'; attempts: number }
  /** The lease was no longer held: another process reclaimed the job; nothing was recorded. */
  | { state: 'lost' };

export interface ReclaimResult {
  requeued: string[];
  dead: string[];
}

export type JobStateName = 'queued' | 'active' | 'dead';

/** Counts: `waiting` is queued and due, `delayed` is queued for later (including retries). */
export interface JobCounts {
  waiting: number;
  delayed: number;
  active: number;
  dead: number;
}

export interface QueueStats extends JobCounts {
  byName: Record<string, JobCounts>;
}

export interface JobInfo {
  id: string;
  name: string;
  state: JobStateName;
  payload: unknown;
  environmentId: string | null;
  priority: number;
  runAt: number;
  attempts: number;
  maxAttempts: number;
  dedupeKey: string | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastError: JobError | null;
  createdAt: number;
  updatedAt: number;
}

export interface ListFilter {
  state: JobStateName;
  name?: string;
  /** Only the jobs of this environment. */
  environmentId?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

/** Options a schedule applies to each job it enqueues. */
export interface ScheduleJobOptions {
  priority?: number;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
}

export interface ScheduleSpec {
  /** Unique name of the schedule (e.g. `sync:conn_…:orders`). */
  name: string;
  /** Standard cron syntax: 5 fields, or 6 with seconds first. */
  cron: string;
  /** IANA time zone the expression is read in (e.g. `Europe/Paris`); default UTC. */
  timezone?: string;
  job: string;
  payload: unknown;
  environmentId?: string | null;
  options?: ScheduleJobOptions;
  /** Default true. */
  enabled?: boolean;
}

export interface ScheduleInfo {
  name: string;
  cron: string;
  timezone: string | null;
  job: string;
  payload: unknown;
  environmentId: string | null;
  options: ScheduleJobOptions;
  enabled: boolean;
  nextRunAt: number;
  lastRunAt: number | null;
}

export interface ScheduledRun {
  schedule: string;
  /** The due time that fired. */
  dueAt: number;
  job: EnqueuedJob;
}

/** A queue whose transactions callers can join: what the engine's modules are given. */
export type TransactionalJobQueue = JobQueue & TransactionalQueue;
