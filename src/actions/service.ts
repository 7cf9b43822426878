/**
 * The actions service: runs a provider script's write for a connection, synchronously or as a
 * job, with validated input and output, idempotency keys, a time limit, at-most-once execution,
 * and an `action.succeeded` / `action.failed` event written with the run's final status.
 *
 * A run's life: `queued` (async only) → `running` (stored before the script is called) →
 * `succeeded` | `failed`. The `running` row is the at-most-once guard: whoever finds a run
 * already running (its worker died mid-call) marks it `action_interrupted` instead of calling the
 * provider a second time. Synchronous runs have no job to find them again: one cut off by a
 * crash is marked the same way by `sweepAbandoned` (the `actions.sweep-abandoned` job, every
 * minute) once it has been running longer than its action's time limit plus a grace period.
 *
 * A `resumable` action (its script declares every write idempotent) is the exception for async
 * runs: the job that finds its run `running` executes it again, as the next attempt, up to
 * MAX_ACTION_ATTEMPTS executions; past them it is marked interrupted. The attempt number fences the runs:
 * only the latest execution may record progress or the outcome.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Connection } from '../connections/types.ts';
import { isPatchbayError, notFound, PatchbayError } from '../errors/index.ts';
import { appendEvent } from '../events/index.ts';
import { newId, parseId } from '../ids/index.ts';
import type { TransactionalQueue } from '../queue/index.ts';
import { createEventCollector, type PendingScriptEvent, scriptEventOf } from '../scripting/events.ts';
import type { ActionDefinition } from '../scripting/types.ts';
import type { ActionRunsTable, Database } from '../store/index.ts';
import { checkValueDepth } from '../values/json-depth.ts';
import { actionRunJob, actionRunJobOf } from './jobs.ts';
import {
  DEFAULT_ACTION_TIMEOUT_MS,
  interrupted,
  type Outcome,
  perform,
  runErrorOf,
  validateInput,
} from './perform.ts';
import { type ActionProgress, createProgressReporter } from './progress.ts';
import { requestHash, toActionRun, toJson } from './rows.ts';
import type { ActionRun, ActionsService, ActionsServiceOptions } from './types.ts';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/**
 * How long past its action's time limit a synchronous run may stay `running` before the sweep
 * ends it. A live process always finishes its run by the limit (perform abandons a script that
 * ignores its signal), so a run still open a minute later has lost its process.
 */
export const ABANDONED_GRACE_MS = 60_000;
/**
 * Executions a resumable run may have: one fewer than the `action.run` job's attempts, so that
 * the job's last attempt is left to end a run whose workers keep dying (`action_interrupted`)
 * rather than the job ending dead with its run still `running`.
 */
export const MAX_ACTION_ATTEMPTS = actionRunJob.retry.attempts - 1;
/** Runs handled per sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

type Row = ActionRunsTable;

/** Creates the actions service on injected dependencies (see ActionsServiceOptions). */
export function createActionsService(options: ActionsServiceOptions): ActionsService {
  const { clock, connections, logger } = options;
  const db = options.store.db;
  const ids = options.ids ?? newId;
  const outbox = { clock, newId: ids };
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS;
  const insertQueued = createQueuedInserter(options.queue);

  async function findRow(environmentId: string, runId: string): Promise<Row | undefined> {
    return db
      .selectFrom('action_runs')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('id', '=', runId)
      .executeTakeFirst();
  }

  async function byKey(environmentId: string, connectionId: string, key: string): Promise<Row | undefined> {
    return db
      .selectFrom('action_runs')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('connection_id', '=', connectionId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }

  /** The stored run of a key: itself for the same request, `idempotency_key_reused` otherwise. */
  function replay(row: Row, hash: string): ActionRun {
    if (row.request_hash !== hash) {
      throw new PatchbayError(
        'idempotency_key_reused',
        `The idempotency key "${(row.idempotency_key ?? '').slice(0, 100)}" was already used on this connection for another request (action ${row.action_name}, run ${row.id}); use a new key for a new request`,
        { details: { actionRunId: row.id, action: row.action_name } },
      );
    }
    return toActionRun(row);
  }

  async function resolve(provider: string, name: string): Promise<ActionDefinition> {
    return options.resolveAction(provider, name);
  }

  /** Stores a running run's progress; a run that moved on (finished, resumed elsewhere) is left alone. */
  async function writeProgress(row: Row, progress: ActionProgress, at: number): Promise<void> {
    try {
      await db
        .updateTable('action_runs')
        .set({ progress_done: progress.done, progress_total: progress.total, progress_updated_at: at })
        .where('environment_id', '=', row.environment_id)
        .where('id', '=', row.id)
        .where('status', '=', 'running')
        .where('attempt', '=', row.attempt)
        .execute();
    } catch (error) {
      logger.warn({ actionRunId: row.id, err: error }, 'action run progress not stored');
    }
  }

  /** Calls the script of a run stored as `running` and records its outcome. */
  async function call(
    row: Row,
    connection: Connection,
    action: ActionDefinition,
    input: unknown,
    signal?: AbortSignal,
  ): Promise<ActionRun> {
    const collector = createEventCollector();
    const progress = createProgressReporter({
      clock,
      write: (update, at) => writeProgress(row, update, at),
      ...(options.progressIntervalMs === undefined ? {} : { intervalMs: options.progressIntervalMs }),
    });
    const outcome = await perform({
      action,
      input,
      timeoutMs: action.timeoutMs ?? defaultTimeoutMs,
      ...(signal ? { signal } : {}),
      context: async (runSignal) => ({
        ...(await options.contextFor({
          environmentId: row.environment_id,
          connectionId: row.connection_id,
          runId: row.id,
          idempotencyKey: row.idempotency_key,
          signal: runSignal,
        })),
        events: collector.events,
        progress: progress.report,
      }),
    });
    const last = progress.latest();
    await progress.settled();
    return finish(row, connection, outcome, collector.drain(), last);
  }

  /**
   * Records the final status and, in the same transaction, its event. Only the execution that
   * set the run `running` (same attempt) may finish it: a stalled worker whose run was meanwhile
   * marked interrupted writes nothing, and gets the stored run back.
   */
  async function finish(
    row: Row,
    connection: Connection | null,
    outcome: Outcome,
    emitted: readonly PendingScriptEvent[] = [],
    progress: ActionProgress | null = null,
  ): Promise<ActionRun> {
    const now = clock.now();
    const startedAt = row.started_at === null ? now : Number(row.started_at);
    const durationMs = Math.max(0, now - startedAt);
    const finished = await db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('action_runs')
        .set({
          status: outcome.status,
          output: outcome.status === 'succeeded' ? toJson(outcome.output) : null,
          error_code: outcome.status === 'failed' ? outcome.error.code : null,
          error_message: outcome.status === 'failed' ? outcome.error.message : null,
          error_details:
            outcome.status === 'failed' && outcome.error.details !== undefined
              ? toJson(outcome.error.details)
              : null,
          started_at: startedAt,
          finished_at: now,
          duration_ms: durationMs,
          updated_at: now,
          ...(progress === null
            ? {}
            : { progress_done: progress.done, progress_total: progress.total, progress_updated_at: now }),
        })
        .where('environment_id', '=', row.environment_id)
        .where('id', '=', row.id)
        .where('status', '=', 'running')
        .where('attempt', '=', row.attempt)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      if (connection) {
        // What the script emitted happened at the provider, so it is written on failure too.
        for (const event of emitted) await appendEvent(trx, scriptEventOf(connection, event), outbox);
        await appendEvent(trx, eventOf(row, connection, outcome, durationMs), outbox);
      }
      return true;
    });
    const stored = await findRow(row.environment_id, row.id);
    if (!stored) throw notFound('Action run', row.id);
    if (!finished) {
      logger.warn(
        { actionRunId: row.id, status: stored.status },
        'action run finished elsewhere; outcome dropped',
      );
    } else if (!connection) {
      // No connection identities to put in an event: the connection was deleted meanwhile.
      logger.warn({ actionRunId: row.id }, 'action run finished without an event: its connection is gone');
    }
    return toActionRun(stored);
  }

  async function connectionOrNull(environmentId: string, connectionId: string): Promise<Connection | null> {
    try {
      return await connections.get(environmentId, connectionId);
    } catch (error) {
      if (isPatchbayError(error, 'not_found')) return null;
      throw error;
    }
  }

  /** Marks a run found `running` by a later execution as interrupted (never calls it again). */
  async function interrupt(row: Row): Promise<ActionRun> {
    const connection = await connectionOrNull(row.environment_id, row.connection_id);
    return finish(row, connection, {
      status: 'failed',
      error: runErrorOf(interrupted(row.action_name), row.action_name),
    });
  }

  /**
   * A queued run found `running`: its worker stopped mid-call. A resumable action is executed
   * again as the next attempt (while attempts remain); any other is marked interrupted.
   */
  async function resumeOrInterrupt(row: Row, signal?: AbortSignal): Promise<ActionRun | null> {
    const connection = await connectionOrNull(row.environment_id, row.connection_id);
    if (!connection || row.mode !== 'async' || Number(row.attempt) >= MAX_ACTION_ATTEMPTS) {
      return interrupt(row);
    }
    let action: ActionDefinition;
    try {
      action = await resolve(connection.provider, row.action_name);
    } catch {
      return interrupt(row);
    }
    if (action.resumable !== true) return interrupt(row);
    if (signal?.aborted) return toActionRun(row);
    const now = clock.now();
    const attempt = Number(row.attempt) + 1;
    // Compare-and-set on the attempt: of two executions finding the same run, one resumes it.
    const claimed = await db
      .updateTable('action_runs')
      .set({ attempt, updated_at: now })
      .where('environment_id', '=', row.environment_id)
      .where('id', '=', row.id)
      .where('status', '=', 'running')
      .where('attempt', '=', row.attempt)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) {
      const current = await findRow(row.environment_id, row.id);
      return current ? toActionRun(current) : null;
    }
    const running: Row = { ...row, attempt, updated_at: now };
    logger.warn(
      { actionRunId: row.id, action: row.action_name, attempt },
      'resumable action run found running after its worker stopped: executing it again',
    );
    let input: unknown;
    try {
      checkUsable(connection);
      input = await validateInput(action, JSON.parse(row.input) as unknown, null);
    } catch (error) {
      return finish(running, connection, { status: 'failed', error: runErrorOf(error, row.action_name) });
    }
    return call(running, connection, action, input, signal);
  }

  /** The time limit of a stored run's action; the default when its connection or action is gone. */
  async function limitOf(row: Row): Promise<number> {
    const connection = await connectionOrNull(row.environment_id, row.connection_id);
    if (!connection) return defaultTimeoutMs;
    try {
      return (await resolve(connection.provider, row.action_name)).timeoutMs ?? defaultTimeoutMs;
    } catch {
      return defaultTimeoutMs;
    }
  }

  return {
    async sweepAbandoned() {
      const now = clock.now();
      // Every limit is at least a moment: the cheap bound first, each run's own limit after.
      const rows = await db
        .selectFrom('action_runs')
        .selectAll()
        .where('status', '=', 'running')
        .where('started_at', '<', now - ABANDONED_GRACE_MS)
        .where('mode', '=', 'sync')
        .orderBy('started_at')
        .limit(SWEEP_BATCH)
        .execute();
      let swept = 0;
      for (const row of rows) {
        if (Number(row.started_at) + (await limitOf(row)) + ABANDONED_GRACE_MS > now) continue;
        const finished = await interrupt(row);
        if (finished.status === 'failed' && finished.error?.code === 'action_interrupted') swept += 1;
      }
      if (swept > 0)
        logger.warn(
          { swept },
          'synchronous action runs left running by a stopped process were marked interrupted',
        );
      return swept;
    },

    async run(environmentId, connectionId, actionName, input, runOptions) {
      // First: the request hash, mapping and validation all recurse through the input.
      checkValueDepth(input, 'The action input');
      const connection = await connections.get(environmentId, connectionId);
      const action = await resolve(connection.provider, actionName);
      const key = runOptions.idempotencyKey ?? null;
      const hash = requestHash(actionName, input);
      if (key !== null) {
        const existing = await byKey(environmentId, connectionId, key);
        if (existing) return replay(existing, hash);
      }
      checkUsable(connection);
      const mapper = await options.mapInput(environmentId, connectionId, actionName);
      const validated = await validateInput(action, input, mapper);
      const now = clock.now();
      const sync = runOptions.mode === 'sync';
      const row: Row = {
        id: ids('actionRun', now),
        environment_id: environmentId,
        connection_id: connectionId,
        action_name: actionName,
        mode: runOptions.mode,
        // A sync run is stored running before the call: the at-most-once guard.
        status: sync ? 'running' : 'queued',
        input: toJson(validated) ?? 'null',
        output: null,
        error_code: null,
        error_message: null,
        error_details: null,
        idempotency_key: key,
        request_hash: hash,
        attempt: sync ? 1 : 0,
        created_at: now,
        started_at: sync ? now : null,
        finished_at: null,
        duration_ms: null,
        updated_at: now,
        progress_done: null,
        progress_total: null,
        progress_updated_at: null,
      };
      const inserted = sync ? (await insertRows(db, [row])).has(row.id) : await insertQueued(row);
      if (!inserted) {
        // A concurrent call with the same key stored its run first: answer with that one.
        const winner = key === null ? undefined : await byKey(environmentId, connectionId, key);
        if (!winner)
          throw new PatchbayError('conflict', `Action run ${row.id} could not be stored; try again`);
        return replay(winner, hash);
      }
      if (!sync) return toActionRun(row);
      return call(row, connection, action, validated);
    },

    async get(environmentId, runId) {
      parseId('actionRun', runId);
      const row = await findRow(environmentId, runId);
      if (!row) throw notFound('Action run', runId.slice(0, 100));
      return toActionRun(row);
    },

    async list(environmentId, filter = {}) {
      const limit = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_PAGE), 1), MAX_PAGE);
      if (filter.after !== undefined) parseId('actionRun', filter.after);
      if (filter.connectionId !== undefined) parseId('connection', filter.connectionId);
      const rows = await db
        .selectFrom('action_runs')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .$if(filter.connectionId !== undefined, (q) => q.where('connection_id', '=', filter.connectionId!))
        .$if(filter.action !== undefined, (q) => q.where('action_name', '=', filter.action!))
        .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
        .$if(filter.after !== undefined, (q) => q.where('id', '>', filter.after!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      return { data: page.map(toActionRun), nextAfter: rows.length > limit ? page.at(-1)!.id : null };
    },

    async execute(environmentId, runId, signal) {
      const row = await findRow(environmentId, runId);
      if (!row) {
        logger.warn({ environmentId, actionRunId: runId }, 'action.run job for a run that does not exist');
        return null;
      }
      if (row.status === 'succeeded' || row.status === 'failed') return toActionRun(row);
      if (row.status === 'running') return resumeOrInterrupt(row, signal);
      // The job was stopped before the run started: leave it queued for the job's next attempt.
      if (signal?.aborted) return toActionRun(row);
      const now = clock.now();
      const attempt = Number(row.attempt) + 1;
      const claimed = await db
        .updateTable('action_runs')
        .set({ status: 'running', attempt, started_at: now, updated_at: now })
        .where('environment_id', '=', environmentId)
        .where('id', '=', runId)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) {
        // Another execution moved it first; its state decides (never two calls).
        const current = await findRow(environmentId, runId);
        return current ? toActionRun(current) : null;
      }
      const running: Row = { ...row, status: 'running', attempt, started_at: now, updated_at: now };
      const connection = await connectionOrNull(environmentId, row.connection_id);
      if (!connection) {
        return finish(running, null, {
          status: 'failed',
          error: runErrorOf(notFound('Connection', row.connection_id), row.action_name),
        });
      }
      let action: ActionDefinition;
      let input: unknown;
      try {
        checkUsable(connection);
        action = await resolve(connection.provider, row.action_name);
        // The stored input is the validated one; parsing it again applies the schema as it is now.
        input = await validateInput(action, JSON.parse(row.input) as unknown, null);
      } catch (error) {
        return finish(running, connection, { status: 'failed', error: runErrorOf(error, row.action_name) });
      }
      return call(running, connection, action, input, signal);
    },
  };
}

/** Throws unless actions can run on the connection now. */
function checkUsable(connection: Connection): void {
  // `refreshing` is transient: the proxy waits for the refresh in flight.
  if (connection.status === 'active' || connection.status === 'refreshing') return;
  const details = { connectionId: connection.id, status: connection.status };
  if (connection.status === 'reauth_required') {
    throw new PatchbayError(
      'connection_reauth_required',
      `Connection ${connection.id} needs its end user to connect again before actions can run on it`,
      { details },
    );
  }
  throw new PatchbayError(
    'sync_unavailable',
    `Connection ${connection.id} is ${connection.status}; actions run only on active connections`,
    { details },
  );
}

/** Inserts runs, skipping any whose idempotency key is taken; returns the ids inserted. */
async function insertRows(
  executor: Kysely<Database>,
  rows: readonly Insertable<Row>[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const returned = await executor
    .insertInto('action_runs')
    .values([...rows])
    .onConflict((conflict) => conflict.doNothing())
    .returning('id')
    .execute();
  return new Set(returned.map((r) => r.id));
}

/**
 * Stores queued runs with their `action.run` jobs in one of the queue's transactions (shared
 * with concurrent calls: group commit), so no crash leaves a queued run without its job.
 */
function createQueuedInserter(queue: TransactionalQueue): (row: Row) => Promise<boolean> {
  return queue.batcher<Row, boolean>(async (trx, rows) => {
    const inserted = await insertRows(trx, rows);
    await queue.enqueueManyIn(
      trx,
      rows.filter((row) => inserted.has(row.id)).map((row) => actionRunJobOf(row.environment_id, row.id)),
    );
    return rows.map((row) => inserted.has(row.id));
  });
}

function eventOf(row: Row, connection: Connection, outcome: Outcome, durationMs: number) {
  const data = {
    connectionId: connection.id,
    integrationId: connection.integrationId,
    integrationKey: connection.integrationKey,
    provider: connection.provider,
    endUserId: connection.endUser.id,
    action: row.action_name,
    actionRunId: row.id,
    mode: row.mode as 'sync' | 'async',
    durationMs,
  };
  return outcome.status === 'succeeded'
    ? {
        environmentId: row.environment_id,
        type: 'action.succeeded' as const,
        data: { ...data, output: outcome.output ?? null },
      }
    : {
        environmentId: row.environment_id,
        type: 'action.failed' as const,
        data: { ...data, error: { code: outcome.error.code, message: outcome.error.message } },
      };
}
