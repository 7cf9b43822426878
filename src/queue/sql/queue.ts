import type { CompiledQuery, Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import { type Clock, systemClock } from '../../clock/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import type { Database, Store } from '../../store/index.ts';
import { bindList, marker, markerList, preparedOnce } from '../../store/prepared.ts';
import {
  type BackoffPolicy,
  backoffDelay,
  DEFAULT_RETRY,
  type RandomSource,
  type RetryPolicy,
} from '../retry.ts';
import type {
  ClaimedJob,
  ClaimRequest,
  EnqueuedJob,
  FailOutcome,
  JobCounts,
  JobError,
  JobInfo,
  JobLease,
  JobQueue,
  ListFilter,
  NewJob,
  QueueStats,
  ReclaimResult,
  ScheduledRun,
  ScheduleInfo,
  ScheduleSpec,
  StandingClaimer,
} from '../types.ts';
import { GroupCommit } from './group-commit.ts';
import { buildJobRow, insertJobs, type JobRowInsert } from './insert-jobs.ts';
import { byClaimOrder, serializeError, toClaimedJob, toJobInfo, toScheduleInfo } from './rows.ts';
import { runDueSchedules, upsertSchedule } from './schedules.ts';

export interface SqlQueueOptions {
  clock?: Clock;
  /** Jitter source for retry delays; default Math.random. */
  random?: RandomSource;
  /** Attempts and backoff of jobs enqueued without their own. */
  defaultRetry?: RetryPolicy;
  /** Most operations committed in one transaction (group commit); default 1000. */
  maxBatch?: number;
  /**
   * Group-commit transactions running at once: SQLite 1 (one connection), PostgreSQL 4 by
   * default (keep it below the pool size).
   */
  maxInFlight?: number;
  /**
   * How long a small batch waits for more operations before it commits (see GroupCommit). SQLite
   * default: twice the recent commits' duration, from 1 to 4 ms — each commit is an fsync on the
   * event loop, and at a steady load of separate calls (API requests, deliveries finishing)
   * waiting for company saves most of them. PostgreSQL default 0 (its commits overlap on the
   * pool). A value given here is a fixed window.
   */
  gatherMs?: number;
}

/**
 * SQLite's gather window: twice the recent commits' duration, from 1 to 4 ms (none while
 * operations come further apart than that; see GroupCommit). Each commit is an fsync on the event
 * loop (0.2 ms on one machine measured, up to 1 ms on another): a fixed 1 ms window let commits
 * take most of a slow-disk engine's time at a steady load.
 */
const SQLITE_GATHER = { gatherMs: 1, gatherFactor: 2, gatherMaxMs: 4 };

type Op =
  | { kind: 'enqueue'; rows: JobRowInsert[] }
  | { kind: 'extend'; owner: string; ids: readonly string[]; leaseMs: number }
  | { kind: 'complete'; lease: JobLease }
  | { kind: 'fail'; lease: JobLease; error: JobError; retry: boolean }
  | { kind: 'release'; owner: string; ids: readonly string[] }
  | { kind: 'claim'; request: ClaimRequest }
  | { kind: 'batch'; batcher: Batcher; item: unknown; lease: JobLease | undefined };

/** One of the queue's transactions while it runs: its time, and the names of the jobs it created. */
interface OpenTransaction {
  created: Set<string>;
  now: number;
}

/** A caller's own kind of write, joined to the queue's transactions (see `batcher`). */
interface Batcher {
  /** Creation order: every transaction runs the callers' batches in this one global order. */
  rank: number;
  run: (trx: Kysely<Database>, items: unknown[]) => Promise<unknown[]>;
}

// Within one transaction, operations apply in this order: new jobs first (a claim in the same
// batch can take them), then completions, heartbeats, failures and releases, and claims last
// (they take the slots that completions in the same batch freed).
// Callers' batches (see `batcher`) run right after the queue's own new jobs.
const ORDER: Record<Op['kind'], number> = {
  enqueue: 0,
  batch: 1,
  complete: 2,
  extend: 3,
  fail: 4,
  release: 5,
  claim: 6,
};

const ID_LIST_CHUNK = 500;

const LEASE_EXPIRED: JobError = {
  code: 'lease_expired',
  message: 'The worker holding this job stopped renewing its lease (it crashed or stalled)',
};

/**
 * The job queue in the SQL store (SQLite or PostgreSQL through the shared Kysely store). Every
 * write that callers issue close together goes through one group commit (see GroupCommit);
 * reads, reclaims and schedules run as their own statements. Completed jobs are deleted in the
 * transaction that records the completion; dead jobs stay until someone removes them.
 */
export class SqlJobQueue implements JobQueue {
  readonly #db: Kysely<Database>;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #defaultRetry: RetryPolicy;
  readonly #commits: GroupCommit<Op>;
  readonly #listeners = new Set<(names?: ReadonlySet<string>) => void>();
  /** The group-commit transactions now open: the time of each, and the names of the jobs it created. */
  readonly #open = new WeakMap<Kysely<Database>, OpenTransaction>();
  readonly #claimers = new Set<StandingClaimer>();
  #batchers = 0;

  constructor(store: Store, options: SqlQueueOptions = {}) {
    this.#store = store;
    this.#db = store.db;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#defaultRetry = options.defaultRetry ?? DEFAULT_RETRY;
    this.#commits = new GroupCommit<Op>((ops) => this.#commit(ops), {
      ...(options.maxBatch ? { maxBatch: options.maxBatch } : {}),
      maxInFlight: options.maxInFlight ?? (store.dialect.name === 'postgres' ? 4 : 1),
      ...(options.gatherMs !== undefined
        ? { gatherMs: options.gatherMs }
        : store.dialect.name === 'sqlite'
          ? SQLITE_GATHER
          : {}),
    });
  }

  async enqueue(job: NewJob): Promise<EnqueuedJob> {
    const [result] = await this.enqueueMany([job]);
    return result!;
  }

  async enqueueMany(jobs: readonly NewJob[]): Promise<EnqueuedJob[]> {
    if (jobs.length === 0) return [];
    const now = this.#clock.now();
    const rows = jobs.map((job) => buildJobRow(job, now, this.#defaultRetry.attempts));
    const results = await this.#commits.submit<EnqueuedJob[]>({ kind: 'enqueue', rows });
    const created = createdNames(rows, results);
    if (created.size > 0) this.#notify(created);
    return results;
  }

  /**
   * TransactionalQueue: adds jobs inside the caller's transaction on this queue's store, so that
   * the caller's rows and their jobs commit (or roll back) together, in one fsync. Not part of
   * JobQueue: a queue outside the SQL store (BullMQ) could not join an SQL transaction.
   *
   * Inside a transaction of `batcher`, local workers are woken after the commit; inside a
   * transaction of the caller's own, at once (a worker then waits for the commit on SQLite, and
   * on PostgreSQL may find nothing until its next poll).
   */
  async enqueueManyIn(trx: Kysely<Database>, jobs: readonly NewJob[]): Promise<EnqueuedJob[]> {
    if (jobs.length === 0) return [];
    const open = this.#open.get(trx);
    // Inside one of the queue's transactions, a job due now is due at the transaction's time: the
    // claims at its end (run_at <= that time) take it. A later clock read could fall a millisecond
    // past it, and the job would wait for some other commit to be claimed.
    const now = open?.now ?? this.#clock.now();
    const rows = jobs.map((job) => buildJobRow(job, now, this.#defaultRetry.attempts));
    const results = await insertJobs(trx, rows);
    const created = createdNames(rows, results);
    if (created.size > 0) {
      if (open) for (const name of created) open.created.add(name);
      else this.#notify(created);
    }
    return results;
  }

  /**
   * TransactionalQueue (see `enqueueManyIn` for why this is not on JobQueue): a group commit of the
   * caller's own writes that shares the queue's transactions. Items submitted close together are
   * passed to `run` as one batch inside the same transaction as the queue's claims, completions
   * and new jobs, so one commit (one fsync on SQLite) carries all of them instead of one commit
   * each. The returned function resolves with the item's result once that transaction commits.
   *
   * `run` returns one result per item, in order, and must throw (rolling back) as a whole when a
   * statement fails: the items are then retried one per transaction, so one bad item does not fail
   * its neighbours. It may run more than once for an item, so it must only write what it is given.
   *
   * An item submitted with a `lease` also completes that job in the same transaction (a job
   * handler whose last write is this item: its write and its completion commit together, one
   * commit instead of two; the handler then returns JOB_COMPLETED so that its worker does not
   * complete it again).
   */
  batcher<T, R>(
    run: (trx: Kysely<Database>, items: T[]) => Promise<R[]>,
  ): (item: T, lease?: JobLease) => Promise<R> {
    const batcher: Batcher = {
      rank: this.#batchers++,
      run: run as (trx: Kysely<Database>, items: unknown[]) => Promise<unknown[]>,
    };
    return (item, lease) => this.#commits.submit<R>({ kind: 'batch', batcher, item, lease });
  }

  claim(request: ClaimRequest): Promise<ClaimedJob[]> {
    if (
      !Number.isSafeInteger(request.leaseMs) ||
      request.leaseMs <= 0 ||
      !Number.isSafeInteger(request.limit)
    ) {
      return Promise.reject(
        new PatchbayError('validation_failed', 'claim needs a positive integer leaseMs and an integer limit'),
      );
    }
    if (request.limit <= 0 || request.names.length === 0) return Promise.resolve([]);
    return this.#commits.submit({ kind: 'claim', request });
  }

  complete(lease: JobLease): Promise<boolean> {
    return this.#commits.submit({ kind: 'complete', lease });
  }

  fail(lease: JobLease, error: JobError, options: { retry?: boolean } = {}): Promise<FailOutcome> {
    return this.#commits.submit({ kind: 'fail', lease, error, retry: options.retry ?? true });
  }

  extendLeases(owner: string, ids: readonly string[], leaseMs: number): Promise<string[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.#commits.submit({ kind: 'extend', owner, ids, leaseMs });
  }

  async release(owner: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const released = await this.#commits.submit<string[]>({ kind: 'release', owner, ids });
    if (released.length > 0) this.#notify();
    return released;
  }

  async reclaimExpired(): Promise<ReclaimResult> {
    const now = this.#clock.now();
    const result = await this.#db.transaction().execute(async (trx) => {
      const expired = trx
        .updateTable('jobs')
        .where('state', '=', 'active')
        .where('lease_until', '<', now)
        .set({
          lease_owner: null,
          lease_until: null,
          last_error: serializeError(LEASE_EXPIRED),
          updated_at: now,
        });
      // The crashed claim counted as an attempt: a job that kills its worker every time ends dead.
      const dead = await expired
        .set({ state: 'dead' })
        .whereRef('attempts', '>=', 'max_attempts')
        .returning('id')
        .execute();
      const requeued = await expired.set({ state: 'queued' }).returning('id').execute();
      return { requeued: requeued.map((r) => r.id), dead: dead.map((r) => r.id) };
    });
    if (result.requeued.length > 0) this.#notify();
    return result;
  }

  async stats(): Promise<QueueStats> {
    const now = this.#clock.now();
    const rows = await this.#db
      .selectFrom('jobs')
      .select((eb) => [
        'name',
        'state',
        eb.fn.countAll<number>().as('total'),
        eb.fn.sum<number>(eb.case().when('run_at', '>', now).then(1).else(0).end()).as('later'),
      ])
      .groupBy(['name', 'state'])
      .execute();
    const stats: QueueStats = { ...emptyCounts(), byName: {} };
    for (const row of rows) {
      const counts = stats.byName[row.name] ?? emptyCounts();
      stats.byName[row.name] = counts;
      const total = Number(row.total);
      const later = Number(row.later);
      for (const target of [stats, counts]) {
        if (row.state === 'queued') {
          target.delayed += later;
          target.waiting += total - later;
        } else if (row.state === 'active') target.active += total;
        else target.dead += total;
      }
    }
    return stats;
  }

  async get(id: string): Promise<JobInfo | undefined> {
    const row = await this.#db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toJobInfo(row) : undefined;
  }

  async list(filter: ListFilter): Promise<JobInfo[]> {
    const rows = await this.#db
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', filter.state)
      .$if(filter.name !== undefined, (query) => query.where('name', '=', filter.name!))
      .$if(filter.environmentId !== undefined, (query) =>
        query.where('environment_id', '=', filter.environmentId!),
      )
      .orderBy('id')
      .limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000))
      .execute();
    return rows.map(toJobInfo);
  }

  async purgeDead(before: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('jobs')
      .where('state', '=', 'dead')
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  upsertSchedule(schedule: ScheduleSpec): Promise<ScheduleInfo> {
    return upsertSchedule(this.#db, this.#clock, schedule);
  }

  async removeSchedule(name: string): Promise<boolean> {
    const removed = await this.#db
      .deleteFrom('schedules')
      .where('name', '=', name)
      .returning('name')
      .execute();
    return removed.length > 0;
  }

  async listSchedules(): Promise<ScheduleInfo[]> {
    const rows = await this.#db.selectFrom('schedules').selectAll().orderBy('name').execute();
    return rows.map(toScheduleInfo);
  }

  async runDueSchedules(): Promise<ScheduledRun[]> {
    const runs = await runDueSchedules(this.#db, this.#clock, this.#defaultRetry.attempts);
    // A schedule's job name is not in its run: wake every worker (schedules fire rarely).
    if (runs.some((run) => run.job.created)) this.#notify();
    return runs;
  }

  attachClaimer(claimer: StandingClaimer): () => void {
    this.#claimers.add(claimer);
    return () => {
      this.#claimers.delete(claimer);
    };
  }

  onAvailable(listener: (names?: ReadonlySet<string>) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  close(): Promise<void> {
    return this.#commits.close();
  }

  /** Transactions committed by group commit and the operations they carried (for tests and benchmarks). */
  commitStats(): { flushes: number; operations: number } {
    return this.#commits.stats();
  }

  /** The store this queue writes to. */
  get store(): Store {
    return this.#store;
  }

  /** Wakes local workers; `names` are the jobs that became claimable (absent: any). */
  #notify(names?: ReadonlySet<string>): void {
    for (const listener of this.#listeners) listener(names);
  }

  /** Applies one batch of operations in one transaction; one result per operation, in order. */
  async #commit(ops: Op[]): Promise<unknown[]> {
    const open: OpenTransaction = { created: new Set<string>(), now: 0 };
    // Standing claims made in this transaction: handed over after the commit, or empty after a
    // rollback (whose operations are then retried, each claiming anew).
    const standing: Array<{ claimer: StandingClaimer; reserved: number; jobs: ClaimedJob[] }> = [];
    let results: unknown[];
    try {
      results = await this.#transaction(ops, open, standing);
    } catch (error) {
      for (const { claimer, reserved } of standing) claimer.take([], reserved, false);
      throw error;
    }
    for (const { claimer, reserved, jobs } of standing) claimer.take(jobs, reserved, true);
    if (open.created.size > 0) this.#notify(open.created);
    return results;
  }

  async #transaction(
    ops: Op[],
    open: OpenTransaction,
    standing: Array<{ claimer: StandingClaimer; reserved: number; jobs: ClaimedJob[] }>,
  ): Promise<unknown[]> {
    return this.#db.transaction().execute(async (trx) => {
      const now = this.#clock.now();
      open.now = now;
      this.#open.set(trx, open);
      const results: unknown[] = new Array(ops.length);
      const order = ops.map((_, index) => index).sort((a, b) => ORDER[ops[a]!.kind] - ORDER[ops[b]!.kind]);
      // Names of the jobs this transaction creates: attached claimers of those names claim them.
      const claimable = new Set<string>();

      const enqueues = order.filter((i) => ops[i]!.kind === 'enqueue');
      if (enqueues.length > 0) {
        const rows = enqueues.flatMap((i) => (ops[i] as Extract<Op, { kind: 'enqueue' }>).rows);
        const inserted = await insertJobs(trx, rows);
        let offset = 0;
        for (const i of enqueues) {
          const count = (ops[i] as Extract<Op, { kind: 'enqueue' }>).rows.length;
          results[i] = inserted.slice(offset, offset + count);
          offset += count;
        }
        for (const name of createdNames(rows, inserted)) claimable.add(name);
      }
      const batched = new Map<Batcher, number[]>();
      for (const i of order) {
        const op = ops[i]!;
        if (op.kind !== 'batch') continue;
        const indices = batched.get(op.batcher);
        if (indices) indices.push(i);
        else batched.set(op.batcher, [i]);
      }
      for (const [batcher, indices] of [...batched].sort(([a], [b]) => a.rank - b.rank)) {
        const out = await batcher.run(
          trx,
          indices.map((i) => (ops[i] as Extract<Op, { kind: 'batch' }>).item),
        );
        indices.forEach((i, k) => {
          results[i] = out[k];
        });
      }
      // Completions are grouped by owner: one DELETE for many jobs (with those of batch items).
      const completes = order.filter((i) => ops[i]!.kind === 'complete');
      const batchLeases: JobLease[] = [];
      for (const op of ops) if (op.kind === 'batch' && op.lease) batchLeases.push(op.lease);
      const done = await this.#completeMany(trx, [
        ...completes.map((i) => (ops[i] as Extract<Op, { kind: 'complete' }>).lease),
        ...batchLeases,
      ]);
      for (const i of completes) {
        const { lease } = ops[i] as Extract<Op, { kind: 'complete' }>;
        results[i] = done.has(`${lease.owner}\u0000${lease.id}`);
      }
      for (const i of order) {
        const op = ops[i]!;
        if (op.kind === 'enqueue' || op.kind === 'complete' || op.kind === 'batch') continue;
        results[i] = await this.#apply(trx, op, now);
      }
      for (const name of open.created) claimable.add(name);
      await this.#standingClaims(trx, now, claimable, batchLeases, standing);
      return results;
    });
  }

  /**
   * Claims, inside the transaction, for each attached claimer that this transaction gave work to
   * (jobs of its names created) or freed slots of (its jobs completed by their handlers' writes).
   */
  async #standingClaims(
    trx: Kysely<Database>,
    now: number,
    claimable: ReadonlySet<string>,
    completed: readonly JobLease[],
    standing: Array<{ claimer: StandingClaimer; reserved: number; jobs: ClaimedJob[] }>,
  ): Promise<void> {
    for (const claimer of this.#claimers) {
      // Its handlers return once this commits, whether or not their lease was still held: each
      // frees a slot.
      let freed = 0;
      for (const lease of completed) if (lease.owner === claimer.owner) freed += 1;
      if (freed === 0 && !claimer.names.some((name) => claimable.has(name))) continue;
      const reserved = claimer.reserve(freed);
      if (reserved <= 0) continue;
      const entry = { claimer, reserved, jobs: [] as ClaimedJob[] };
      standing.push(entry);
      const rows = await this.#store.dialect.claimJobs(trx, {
        names: claimer.names,
        owner: claimer.owner,
        now,
        leaseUntil: now + claimer.leaseMs,
        limit: reserved,
      });
      entry.jobs = rows.sort(byClaimOrder).map(toClaimedJob);
    }
  }

  /** Deletes the completed jobs whose lease is still held; returns `owner\0id` of each one deleted. */
  async #completeMany(trx: Kysely<Database>, leases: JobLease[]): Promise<Set<string>> {
    const done = new Set<string>();
    const byOwner = new Map<string, string[]>();
    for (const lease of leases) {
      const ids = byOwner.get(lease.owner);
      if (ids) ids.push(lease.id);
      else byOwner.set(lease.owner, [lease.id]);
    }
    for (const [owner, ids] of byOwner) {
      for (let start = 0; start < ids.length; start += ID_LIST_CHUNK) {
        const chunk = ids.slice(start, start + ID_LIST_CHUNK);
        const { rows: deleted } = await trx.executeQuery(completeQuery(trx, chunk.length)(owner, chunk));
        for (const { id } of deleted) done.add(`${owner}\u0000${id}`);
      }
    }
    return done;
  }

  async #apply(
    trx: Kysely<Database>,
    op: Exclude<Op, { kind: 'enqueue' | 'complete' | 'batch' }>,
    now: number,
  ): Promise<unknown> {
    switch (op.kind) {
      case 'extend':
        return this.#updateLeased(trx, op.owner, op.ids, (query) =>
          query.set({ lease_until: now + op.leaseMs, updated_at: now }),
        );
      case 'fail':
        return this.#fail(trx, op.lease, op.error, op.retry, now);
      case 'release':
        return this.#updateLeased(trx, op.owner, op.ids, (query) =>
          query.set((eb) => ({
            state: 'queued',
            lease_owner: null,
            lease_until: null,
            attempts: eb('attempts', '-', 1),
            updated_at: now,
          })),
        );
      case 'claim': {
        const { names, owner, leaseMs, limit } = op.request;
        const rows = await this.#store.dialect.claimJobs(trx, {
          names,
          owner,
          now,
          leaseUntil: now + leaseMs,
          limit,
        });
        return rows.sort(byClaimOrder).map(toClaimedJob);
      }
    }
  }

  async #updateLeased(
    trx: Kysely<Database>,
    owner: string,
    ids: readonly string[],
    change: (query: LeasedUpdate) => LeasedUpdate,
  ): Promise<string[]> {
    const held: string[] = [];
    for (let start = 0; start < ids.length; start += ID_LIST_CHUNK) {
      const query = trx
        .updateTable('jobs')
        .where('state', '=', 'active')
        .where('lease_owner', '=', owner)
        .where('id', 'in', ids.slice(start, start + ID_LIST_CHUNK));
      const rows = await change(query).returning('id').execute();
      for (const row of rows) held.push(row.id);
    }
    return held;
  }

  async #fail(
    trx: Kysely<Database>,
    lease: JobLease,
    error: JobError,
    retry: boolean,
    now: number,
  ): Promise<FailOutcome> {
    const row = await trx
      .selectFrom('jobs')
      .select(['state', 'lease_owner', 'attempts', 'max_attempts', 'backoff'])
      .where('id', '=', lease.id)
      .executeTakeFirst();
    if (row?.state !== 'active' || row.lease_owner !== lease.owner) return { state: 'lost' };
    const leased = trx.updateTable('jobs').where('id', '=', lease.id).where('lease_owner', '=', lease.owner);
    const common = {
      lease_owner: null,
      lease_until: null,
      last_error: serializeError(error),
      updated_at: now,
    };
    if (!retry || row.attempts >= row.max_attempts) {
      await leased.set({ ...common, state: 'dead' }).execute();
      return { state: 'dead', attempts: row.attempts };
    }
    const policy: BackoffPolicy = row.backoff
      ? (JSON.parse(row.backoff) as BackoffPolicy)
      : this.#defaultRetry.backoff;
    const runAt = now + backoffDelay(policy, row.attempts, this.#random);
    await leased.set({ ...common, state: 'queued', run_at: runAt }).execute();
    return { state: 'queued', runAt, attempts: row.attempts };
  }
}

/**
 * The DELETE of completed jobs, compiled once per dialect and number of ids (it runs in nearly
 * every group commit, and building it with Kysely costs more than running it on SQLite).
 */
function completeQuery(
  trx: Kysely<Database>,
  count: number,
): (owner: string, ids: readonly string[]) => CompiledQuery<{ id: string }> {
  const query = preparedOnce(trx, `complete:${count}`, () =>
    trx
      .deleteFrom('jobs')
      .where('state', '=', 'active')
      .where('lease_owner', '=', marker('owner'))
      .where('id', 'in', markerList('id', count))
      .returning('id')
      .compile(),
  );
  return (owner, ids) => {
    const values: Record<string, unknown> = { owner };
    bindList(values, 'id', ids);
    return query(values);
  };
}

type LeasedUpdate = UpdateQueryBuilder<Database, 'jobs', 'jobs', UpdateResult>;

/**
 * The SQL job queue on a store. The store's migrations must have run (`store.migrate()`); the
 * queue does not close the store.
 */
export function createSqlQueue(store: Store, options: SqlQueueOptions = {}): SqlJobQueue {
  return new SqlJobQueue(store, options);
}

/** The names of the rows that were inserted (not deduplicated onto an existing job). */
function createdNames(rows: readonly JobRowInsert[], results: readonly EnqueuedJob[]): Set<string> {
  const names = new Set<string>();
  results.forEach((result, index) => {
    if (result.created) names.add(rows[index]!.name);
  });
  return names;
}

function emptyCounts(): JobCounts {
  return { waiting: 0, delayed: 0, active: 0, dead: 0 };
}
