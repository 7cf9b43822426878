/**
 * The sync runner: executes one run of one sync for one connection. It takes the run lock, gives
 * the script its context (proxy, paginate, records, checkpoint), enforces the run timeout, writes
 * records in fenced batches, and closes the run — counts, per-model details, `sync.succeeded` or
 * `sync.failed`, and `records.changed` per model that changed — in one transaction with the lock
 * release. A worker that dies mid-run leaves the lock to expire; the queue retries the job and the
 * run continues from its last checkpoint as the next attempt.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { Connection } from '../connections/types.ts';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import { appendEvent } from '../events/index.ts';
import { newId } from '../ids/index.ts';
import type { Logger } from '../logger/index.ts';
import { redactString } from '../logger/index.ts';
import type {
  ModelSchemas,
  PaginateRequest,
  ScriptContext,
  SyncContext,
  SyncDefinition,
} from '../scripting/types.ts';
import type { Database } from '../store/index.ts';
import { createRecordsHooks, type RecordsHooks } from './records-hooks.ts';
import type { RunLock } from './run-lock.ts';
import type { RunCounts, RunsRepository, SyncRun } from './runs.ts';
import { createRunWriter, type ModelCounts, type RecordsPort } from './writer.ts';

export interface SyncRunnerDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  runs: RunsRepository;
  lock: RunLock;
  records: RecordsPort;
  /** Where `records.changed` goes at a run's close (and its listeners); default one without listeners. */
  recordsHooks?: RecordsHooks;
  connection(environmentId: string, connectionId: string): Promise<Connection>;
  /** The sync of a provider; throws `sync_not_found`. */
  resolveSync(provider: string, name: string): SyncDefinition;
  /** The script context of a connection (proxy, paginate, log) for one run. */
  contextFor(args: {
    environmentId: string;
    connectionId: string;
    signal: AbortSignal;
    log: Logger;
  }): Promise<ScriptContext>;
  /** The run lock's lease: a holder that stops renewing it loses the lock this long after. */
  lockTtlMs?: number;
  /**
   * How long a run waits for the lock while another run holds it, then fails with
   * `sync_unavailable`. Default four leases (a crashed holder's lease runs out within one).
   */
  lockWaitMs?: number;
  /** Records per write batch (default 2,000: two pages of a thousand per commit). */
  batchSize?: number;
  /** See RunWriterOptions.checkpointIntervalMs. */
  checkpointIntervalMs?: number;
}

export interface ExecuteOptions {
  /** The job's attempt (1 on the first). */
  attempt: number;
  /** The job's signal: lease lost, worker stopping. The run is then left for the next attempt. */
  signal: AbortSignal;
  /** Totals after each committed batch. */
  onProgress?(totals: RunCounts): void;
  /**
   * What the run does instead of the sync's `exec` (a report import feeds `context.records`);
   * what it returns is added to the run's details.
   */
  body?(context: SyncContext<ModelSchemas, unknown>): Promise<Record<string, unknown> | undefined>;
}

export interface SyncRunner {
  /** Runs `runId` to its end; returns the closed run, or undefined when there was nothing to run. */
  execute(runId: string, options: ExecuteOptions): Promise<SyncRun | undefined>;
}

const DEFAULT_LOCK_TTL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30 * 60_000;

export function createSyncRunner(deps: SyncRunnerDeps): SyncRunner {
  const { db, clock, runs, lock } = deps;
  const recordsHooks = deps.recordsHooks ?? createRecordsHooks();
  const lockTtlMs = deps.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  const lockWaitMs = deps.lockWaitMs ?? 4 * lockTtlMs;

  async function execute(runId: string, options: ExecuteOptions): Promise<SyncRun | undefined> {
    const run = await runs.find(runId);
    if (!run || run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled')
      return run;
    const log = deps.logger.child({ syncRunId: run.id, connectionId: run.connectionId, sync: run.sync });

    let connection: Connection;
    let definition: SyncDefinition;
    try {
      connection = await deps.connection(run.environmentId, run.connectionId);
      definition = deps.resolveSync(connection.provider, run.sync);
    } catch (error) {
      // The connection was deleted or its provider no longer has this sync: nothing can run.
      if (!isPatchbayError(error, 'not_found') && !isPatchbayError(error, 'sync_not_found')) throw error;
      return db
        .transaction()
        .execute((trx) => runs.finish(trx, run.id, { status: 'failed', error: errorOf(error) }));
    }
    const body = options.body ?? definition.exec;
    if (!body) {
      return db.transaction().execute((trx) =>
        runs.finish(trx, run.id, {
          status: 'failed',
          error: {
            code: 'import_not_supported',
            message: `Sync "${run.sync}" only ingests uploaded reports; upload one instead of triggering it`,
          },
        }),
      );
    }

    const key = { connectionId: run.connectionId, syncName: run.sync };
    const owner = lock.newOwner();
    await lock.acquire(key, run.id, owner, {
      ttlMs: lockTtlMs,
      maxWaitMs: lockWaitMs,
      signal: options.signal,
    });

    const schedule = await db
      .selectFrom('sync_schedules')
      .select(['checkpoint', 'last_success_at', 'frequency_ms', 'paused'])
      .where('connection_id', '=', run.connectionId)
      .where('sync_name', '=', run.sync)
      .executeTakeFirstOrThrow();
    const firstAttempt = run.startedAt === null;
    // Read before `runs.start` stamps it: never later than the stamp the run is known by.
    const startedAt = run.startedAt ?? clock.now();
    // A full run starts from scratch; a resumed run (a later attempt) continues where it stopped.
    const startFromScratch = firstAttempt && run.mode === 'full';
    const initialCheckpoint =
      startFromScratch || schedule.checkpoint === null ? null : JSON.parse(schedule.checkpoint);
    await db.transaction().execute(async (trx) => {
      await lock.fence(trx, key, owner, lockTtlMs, startFromScratch ? { checkpoint: null } : {});
      await runs.start(trx, run.id, options.attempt);
    });

    const trackDeletes = run.mode === 'full' && definition.trackDeletes === true;
    const writer = createRunWriter({
      db,
      records: deps.records,
      runs,
      lock,
      lockKey: key,
      owner,
      lockTtlMs,
      scope: { environmentId: run.environmentId, connectionId: run.connectionId, runId: run.id },
      models: definition.models,
      checkpointSchema: definition.checkpoint,
      initialCheckpoint,
      trackSeen: trackDeletes,
      startedAt,
      batchSize: deps.batchSize ?? 2_000,
      ...(deps.checkpointIntervalMs === undefined ? {} : { checkpointIntervalMs: deps.checkpointIntervalMs }),
      ...(options.onProgress ? { onFlush: options.onProgress } : {}),
    });

    const timeoutMs = definition.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = new AbortController();
    const timer = setTimeout(
      () =>
        timeout.abort(
          new PatchbayError(
            'sync_timeout',
            `Sync "${run.sync}" ran longer than its ${Math.round(timeoutMs / 1000)} s limit`,
          ),
        ),
      timeoutMs,
    );
    // The limit aborts a run; it must not keep a process alive by itself. A run abandoned at
    // shutdown (its worker stopped, its script awaiting a store that closed) never reaches the
    // finally that clears it, and a referenced timer of the sync's whole time limit then held
    // the process open (seen as test files that finished and never exited).
    timer.unref();
    const signal = AbortSignal.any([options.signal, timeout.signal]);
    // Keeps the lock alive while the script waits on a slow provider between batches.
    const heartbeat = setInterval(
      () => {
        db.transaction()
          .execute((trx) => lock.fence(trx, key, owner, lockTtlMs))
          .catch(() => {});
      },
      Math.max(1_000, Math.floor(lockTtlMs / 3)),
    );
    heartbeat.unref();

    try {
      const base = await deps.contextFor({
        environmentId: run.environmentId,
        connectionId: run.connectionId,
        signal,
        log,
      });
      const context: SyncContext<typeof definition.models, unknown> = {
        ...base,
        paginate: <T>(request: PaginateRequest) => countPages(base.paginate<T>(request), writer.countPage),
        run: {
          id: run.id,
          mode: run.mode,
          attempt: options.attempt,
          lastSuccessAt:
            schedule.last_success_at === null ? null : new Date(Number(schedule.last_success_at)),
        },
        records: writer.records,
        checkpoint: writer.checkpoint,
      };
      const work = options.body
        ? options.body(context)
        : Promise.resolve(body(context)).then(() => undefined);
      const extra = await untilAborted(work, signal);
      await writer.flush();
      if (signal.aborted) throw signal.reason;
      const finished = await close(run, connection, owner, key, {
        status: 'succeeded',
        byModel: writer.byModel,
        trackDeletes,
        deleteUnseen: (trx) => writer.deleteUnseen(trx),
        forgetSeen: (trx) => writer.forgetSeen(trx),
        // Import-only syncs have no next run: only uploads start them.
        frequencyMs: definition.exec ? Number(schedule.frequency_ms) : null,
        ...(extra ? { extra } : {}),
      });
      log.info(
        {
          added: finished.added,
          updated: finished.updated,
          deleted: finished.deleted,
          durationMs: finished.durationMs,
        },
        'sync run succeeded',
      );
      return finished;
    } catch (error) {
      // The script may write no more; the batches it queued commit (or fail) before the run
      // closes or is left for the next attempt, so the run's counts are those of every committed
      // batch.
      writer.close(signal.aborted ? signal.reason : undefined);
      await writer.settle();
      if (options.signal.aborted && !timeout.signal.aborted) {
        // The worker is stopping or lost the job: the run stays open for the next attempt.
        throw options.signal.reason ?? error;
      }
      if (isPatchbayError(error, 'sync_lock_lost')) throw error;
      const failure = errorOf(timeout.signal.aborted ? timeout.signal.reason : error);
      log.warn({ code: failure.code }, 'sync run failed: %s', failure.message);
      return close(run, connection, owner, key, {
        status: 'failed',
        error: failure,
        byModel: writer.byModel,
        trackDeletes: false,
        forgetSeen: (trx) => writer.forgetSeen(trx),
        // Import-only syncs have no next run: only uploads start them.
        frequencyMs: definition.exec ? Number(schedule.frequency_ms) : null,
      });
    } finally {
      // A script that ignored its signal may still be running: it can no longer write.
      writer.close(signal.aborted ? signal.reason : undefined);
      clearTimeout(timer);
      clearInterval(heartbeat);
    }
  }

  async function close(
    run: SyncRun,
    connection: Connection,
    owner: string,
    key: { connectionId: string; syncName: string },
    outcome: {
      status: 'succeeded' | 'failed';
      error?: { code: string; message: string };
      byModel: ModelCounts;
      trackDeletes: boolean;
      deleteUnseen?: (trx: Kysely<Database>) => Promise<void>;
      forgetSeen: (trx: Kysely<Database>) => Promise<void>;
      frequencyMs: number | null;
      extra?: Record<string, unknown>;
    },
  ): Promise<SyncRun> {
    return lock.releaseWith(key, owner, async (trx) => {
      await lock.fence(trx, key, owner, lockTtlMs);
      if (outcome.trackDeletes && outcome.deleteUnseen) await outcome.deleteUnseen(trx);
      await outcome.forgetSeen(trx);
      const finished = await runs.finish(trx, run.id, {
        status: outcome.status,
        ...(outcome.error ? { error: outcome.error } : {}),
        details: { ...outcome.extra, models: outcome.byModel },
      });
      const now = clock.now();
      await trx
        .updateTable('sync_schedules')
        .set({
          last_run_id: run.id,
          ...(outcome.status === 'succeeded' ? { last_success_at: now } : {}),
          next_run_at: outcome.frequencyMs === null ? null : now + outcome.frequencyMs,
          updated_at: now,
        })
        .where('connection_id', '=', key.connectionId)
        .where('sync_name', '=', key.syncName)
        .where('run_owner', '=', owner)
        .execute();
      const identity = {
        connectionId: connection.id,
        integrationId: connection.integrationId,
        integrationKey: connection.integrationKey,
        provider: connection.provider,
        endUserId: connection.endUser.id,
        sync: run.sync,
        syncRunId: run.id,
      };
      const deps = { clock, newId };
      const durationMs = finished.durationMs ?? 0;
      if (outcome.status === 'succeeded') {
        await appendEvent(
          trx,
          {
            environmentId: run.environmentId,
            type: 'sync.succeeded',
            data: {
              ...identity,
              models: Object.keys(outcome.byModel),
              added: finished.added,
              updated: finished.updated,
              deleted: finished.deleted,
              rejected: finished.rejected,
              durationMs,
            },
          },
          deps,
        );
      } else {
        await appendEvent(
          trx,
          {
            environmentId: run.environmentId,
            type: 'sync.failed',
            data: {
              ...identity,
              error: outcome.error ?? { code: 'script_error', message: 'failed' },
              durationMs,
            },
          },
          deps,
        );
      }
      for (const [model, counts] of Object.entries(outcome.byModel)) {
        if (counts.added + counts.updated + counts.deleted === 0) continue;
        await recordsHooks.changed(
          {
            trx,
            environmentId: run.environmentId,
            ...identity,
            model,
            added: counts.added,
            updated: counts.updated,
            deleted: counts.deleted,
            // Every write of the run is stamped at or after its start (records/repository.ts).
            since: finished.startedAt ?? run.startedAt ?? now,
          },
          deps,
        );
      }
      return finished;
    });
  }

  return { execute };
}

/** Counts pages as the script consumes them. */
async function* countPages<T>(pages: AsyncIterable<T>, count: () => void): AsyncIterable<T> {
  for await (const page of pages) {
    count();
    yield page;
  }
}

/** Settles with `work`, or rejects as soon as `signal` aborts (a script that ignores its signal is abandoned). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The code and a person-readable message of a failure, never a secret or a stack. */
export function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof PatchbayError) return { code: error.code, message: redactString(error.message, 500) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'script_error', message: redactString(message, 500) };
}
