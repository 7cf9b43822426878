/**
 * Schedules of syncs per connection, and the triggering of runs. Every (connection, sync) has one
 * schedule row: its frequency, pause flag, next due time, checkpoint and run lock. The scheduler
 * tick creates rows for connections that lack them (syncs that auto-start run right after
 * connecting) and enqueues due runs; manual triggers go through the same path. The queue's dedupe
 * key makes a trigger while a run is pending or running return that run instead of adding one.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { realSleep, type Sleep } from '../concurrency/sleep.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import { newId } from '../ids/index.ts';
import type { TransactionalJobQueue } from '../queue/index.ts';
import { parseDuration } from '../scripting/duration.ts';
import type { ScriptRegistry, SyncDefinition } from '../scripting/types.ts';
import type { Database, SyncRunMode, SyncRunTrigger } from '../store/index.ts';
import { syncRunJobOf } from './jobs.ts';
import { resumeOrphans } from './orphans.ts';
import type { RunsRepository } from './runs.ts';

/** A connection's sync as the API shows it. */
export interface SyncSchedule {
  connectionId: string;
  sync: string;
  frequencyMs: number;
  paused: boolean;
  nextRunAt: number | null;
  lastRunId: string | null;
  lastSuccessAt: number | null;
  runningRunId: string | null;
  checkpoint: unknown;
}

export interface TriggerOptions {
  trigger: SyncRunTrigger;
  /** `full` lists everything again (and detects deletes when the sync tracks them). */
  mode?: SyncRunMode;
}

export interface TriggerResult {
  runId: string;
  /** False when a run of this sync was already pending or running: that one is returned. */
  created: boolean;
}

export interface SyncScheduler {
  /** The schedule row, created (at the sync's default frequency) when missing. */
  ensure(environmentId: string, connectionId: string, sync: SyncDefinition): Promise<void>;
  trigger(
    environmentId: string,
    connectionId: string,
    sync: SyncDefinition,
    options: TriggerOptions,
  ): Promise<TriggerResult>;
  /**
   * Inside the caller's transaction (an inbound webhook being processed): queues an incremental
   * run unless one is pending or running, committing with the caller's change or not at all.
   */
  triggerIn(
    trx: Kysely<Database>,
    environmentId: string,
    connectionId: string,
    sync: SyncDefinition,
  ): Promise<void>;
  /**
   * Inside the transaction that creates a connection: its schedules, and the first run of each
   * auto-start sync queued at once rather than at the scheduler's next tick.
   */
  startIn(
    trx: Kysely<Database>,
    environmentId: string,
    connectionId: string,
    syncs: Iterable<SyncDefinition>,
  ): Promise<void>;
  /** Creates missing schedules of auto-start syncs and enqueues due runs; returns the runs enqueued. */
  tick(limit?: number): Promise<TriggerResult[]>;
  update(
    environmentId: string,
    connectionId: string,
    sync: SyncDefinition,
    patch: { paused?: boolean; frequency?: string },
  ): Promise<SyncSchedule>;
  list(environmentId: string, connectionId: string): Promise<SyncSchedule[]>;
}

/**
 * How a connection's plan paces its scheduled runs (the plans module implements it): `run` false
 * skips this turn (the connection is paused, or its synced-records quota is used up), and
 * `frequencyMs` is the schedule's frequency raised to the plan's shortest one. Reads go through
 * `executor` (the caller's transaction when there is one).
 */
export type SyncPacer = (
  environmentId: string,
  connectionId: string,
  frequencyMs: number,
  executor: Kysely<Database>,
) => Promise<{ run: boolean; frequencyMs: number }>;

export interface SyncSchedulerDeps {
  db: Kysely<Database>;
  /** Runs queued with another change join that change's transaction. */
  queue: TransactionalJobQueue;
  clock: Clock;
  runs: RunsRepository;
  registry: ScriptRegistry;
  /** Shortest frequency a schedule may have (default one minute). */
  minFrequencyMs?: number;
  /** How a trigger waits for a finished run's job to be released. Default: real time. */
  sleep?: Sleep;
  /** Plans' pacing of scheduled runs; without it every schedule runs at its own frequency. */
  pace?: SyncPacer;
}

/** Run statuses after which a run's job only has to complete. */
const FINISHED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);
/** A trigger meeting a finished run whose job is still held waits this long, this many times at most. */
const FINISHING_WAIT_MS = 20;
const MAX_FINISHING_WAITS = 250;

export function createSyncScheduler(deps: SyncSchedulerDeps): SyncScheduler {
  const { db, queue, clock, runs, registry } = deps;
  const minFrequencyMs = deps.minFrequencyMs ?? 60_000;
  const sleep = deps.sleep ?? realSleep;
  const pace: SyncPacer = deps.pace ?? (async (_e, _c, frequencyMs) => ({ run: true, frequencyMs }));

  function frequencyOf(sync: SyncDefinition): number {
    return Math.max(minFrequencyMs, parseDuration(sync.frequency));
  }

  async function ensure(environmentId: string, connectionId: string, sync: SyncDefinition): Promise<void> {
    await insertSchedule(db, environmentId, connectionId, sync);
  }

  async function insertSchedule(
    executor: Kysely<Database>,
    environmentId: string,
    connectionId: string,
    sync: SyncDefinition,
  ): Promise<void> {
    const now = clock.now();
    await executor
      .insertInto('sync_schedules')
      .values({
        connection_id: connectionId,
        sync_name: sync.name,
        environment_id: environmentId,
        frequency_ms: frequencyOf(sync),
        paused: 0,
        next_run_at: sync.autoStart === false || sync.exec === undefined ? null : now,
        checkpoint: null,
        checkpoint_updated_at: null,
        last_run_id: null,
        last_success_at: null,
        running_run_id: null,
        run_owner: null,
        run_lease_until: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((conflict) => conflict.columns(['connection_id', 'sync_name']).doNothing())
      .execute();
  }

  /** What a new run's mode depends on (see runMode): the schedule's last success and checkpoint. */
  function modeInputs(executor: Kysely<Database>, connectionId: string, syncName: string) {
    return executor
      .selectFrom('sync_schedules')
      .select(['last_success_at', 'checkpoint'])
      .where('connection_id', '=', connectionId)
      .where('sync_name', '=', syncName)
      .executeTakeFirstOrThrow();
  }

  async function trigger(
    environmentId: string,
    connectionId: string,
    sync: SyncDefinition,
    options: TriggerOptions,
    finishingWaits = 0,
  ): Promise<TriggerResult> {
    await ensure(environmentId, connectionId, sync);
    const schedule = await modeInputs(db, connectionId, sync.name);
    const mode = runMode(sync, options.mode, schedule.last_success_at, schedule.checkpoint);
    const runId = newId('syncRun', clock.now());
    // The run row exists before its job, so a worker never claims a job whose run it cannot find.
    await runs.create(db, {
      id: runId,
      environmentId,
      connectionId,
      sync: sync.name,
      trigger: options.trigger,
      mode,
    });
    const job = await queue.enqueue(syncRunJobOf(environmentId, connectionId, sync.name, runId));
    if (job.created) return { runId, created: true };
    await db.deleteFrom('sync_runs').where('id', '=', runId).where('status', '=', 'queued').execute();
    const pending = await queue.get(job.id);
    const pendingRunId = (pending?.payload as { runId?: string } | undefined)?.runId;
    if (pendingRunId) {
      const pendingRun = await runs.find(pendingRunId);
      if (!pendingRun || !FINISHED.has(pendingRun.status)) return { runId: pendingRunId, created: false };
      // That run has ended and its worker is completing its job (a few milliseconds): the run this
      // trigger asks for comes after it, not the finished one.
      if (finishingWaits >= MAX_FINISHING_WAITS) {
        throw new PatchbayError(
          'conflict',
          `The previous run of sync "${sync.name}" (${pendingRunId}) has ended but its worker has not released it yet; trigger again in a moment`,
          { details: { runId: pendingRunId } },
        );
      }
      await sleep(FINISHING_WAIT_MS);
      return trigger(environmentId, connectionId, sync, options, finishingWaits + 1);
    }
    // The pending job finished between enqueue and get: this trigger's run is the next one.
    return trigger(environmentId, connectionId, sync, options, finishingWaits);
  }

  function toSchedule(row: {
    connection_id: string;
    sync_name: string;
    frequency_ms: number;
    paused: number;
    next_run_at: number | null;
    last_run_id: string | null;
    last_success_at: number | null;
    running_run_id: string | null;
    checkpoint: string | null;
  }): SyncSchedule {
    return {
      connectionId: row.connection_id,
      sync: row.sync_name,
      frequencyMs: Number(row.frequency_ms),
      paused: Number(row.paused) === 1,
      nextRunAt: row.next_run_at === null ? null : Number(row.next_run_at),
      lastRunId: row.last_run_id,
      lastSuccessAt: row.last_success_at === null ? null : Number(row.last_success_at),
      runningRunId: row.running_run_id,
      checkpoint: row.checkpoint === null ? null : JSON.parse(row.checkpoint),
    };
  }

  async function triggerIn(
    trx: Kysely<Database>,
    environmentId: string,
    connectionId: string,
    sync: SyncDefinition,
  ): Promise<void> {
    if (!sync.exec) return;
    await insertSchedule(trx, environmentId, connectionId, sync);
    await enqueueRunIn(trx, environmentId, connectionId, sync, 'webhook');
  }

  async function startIn(
    trx: Kysely<Database>,
    environmentId: string,
    connectionId: string,
    syncs: Iterable<SyncDefinition>,
  ): Promise<void> {
    const now = clock.now();
    for (const sync of syncs) {
      await insertSchedule(trx, environmentId, connectionId, sync);
      if (sync.autoStart === false || !sync.exec) continue;
      // The first run is queued here, so the schedule's next turn is one period away.
      const paced = await pace(environmentId, connectionId, frequencyOf(sync), trx);
      await trx
        .updateTable('sync_schedules')
        .set({ next_run_at: now + paced.frequencyMs, updated_at: now })
        .where('connection_id', '=', connectionId)
        .where('sync_name', '=', sync.name)
        .execute();
      await enqueueRunIn(trx, environmentId, connectionId, sync, 'schedule');
    }
  }

  /** A run and its job in the caller's transaction, unless a run is already pending or running. */
  async function enqueueRunIn(
    trx: Kysely<Database>,
    environmentId: string,
    connectionId: string,
    sync: SyncDefinition,
    trigger: SyncRunTrigger,
  ): Promise<void> {
    const schedule = await modeInputs(trx, connectionId, sync.name);
    const runId = newId('syncRun', clock.now());
    await runs.create(trx, {
      id: runId,
      environmentId,
      connectionId,
      sync: sync.name,
      trigger,
      mode: runMode(sync, undefined, schedule.last_success_at, schedule.checkpoint),
    });
    const [job] = await queue.enqueueManyIn(trx, [
      syncRunJobOf(environmentId, connectionId, sync.name, runId),
    ]);
    // A run is already pending or running: it will see what this one was for.
    if (!job?.created) await trx.deleteFrom('sync_runs').where('id', '=', runId).execute();
  }

  return {
    ensure,
    trigger,
    triggerIn,
    startIn,

    async tick(limit = 500) {
      const now = clock.now();
      const providers = [...registry.values()]
        .filter((scripts) => scripts.syncs.size > 0)
        .map((s) => s.provider);
      if (providers.length > 0) {
        // Connections of providers with syncs that have no schedule yet (new connections).
        const connections = await db
          .selectFrom('connections')
          .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
          .select([
            'connections.id as id',
            'connections.environment_id as environmentId',
            'integrations.provider as provider',
          ])
          .where('integrations.provider', 'in', providers)
          .where('connections.status', 'in', ['active', 'refreshing'])
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('sync_schedules')
                  .select('sync_schedules.connection_id')
                  .whereRef('sync_schedules.connection_id', '=', 'connections.id'),
              ),
            ),
          )
          .limit(limit)
          .execute();
        for (const connection of connections) {
          for (const sync of registry.get(connection.provider)?.syncs.values() ?? []) {
            await ensure(connection.environmentId, connection.id, sync);
          }
        }
      }
      const due = await db
        .selectFrom('sync_schedules')
        .innerJoin('connections', 'connections.id', 'sync_schedules.connection_id')
        .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
        .leftJoin('sync_runs', 'sync_runs.id', 'sync_schedules.last_run_id')
        .select((eb) => [
          'sync_schedules.connection_id as connectionId',
          'sync_schedules.sync_name as syncName',
          'sync_schedules.environment_id as environmentId',
          'sync_schedules.frequency_ms as frequencyMs',
          'integrations.provider as provider',
          eb.fn.coalesce('sync_runs.started_at', 'sync_runs.created_at').as('lastRunAt'),
        ])
        .where('sync_schedules.paused', '=', 0)
        .where('sync_schedules.next_run_at', '<=', now)
        .where('connections.status', 'in', ['active', 'refreshing'])
        .orderBy('sync_schedules.next_run_at')
        .limit(limit)
        .execute();
      const results: TriggerResult[] = [];
      for (const row of due) {
        const sync = registry.get(row.provider)?.syncs.get(row.syncName);
        // The plan may slow the schedule down (its shortest frequency) or hold it (a paused connection).
        const paced = await pace(row.environmentId, row.connectionId, Number(row.frequencyMs), db);
        // A run's close sets the next turn by the schedule's own frequency: under a slower plan
        // the turn waits until a paced period has passed since the last run started.
        const earliest = row.lastRunAt === null ? now : Number(row.lastRunAt) + paced.frequencyMs;
        const waits = earliest > now;
        // Moving next_run_at first keeps a slow enqueue from triggering the same schedule twice.
        await db
          .updateTable('sync_schedules')
          .set({
            next_run_at: sync?.exec ? (waits ? earliest : now + paced.frequencyMs) : null,
            updated_at: now,
          })
          .where('connection_id', '=', row.connectionId)
          .where('sync_name', '=', row.syncName)
          .execute();
        if (!sync?.exec || !paced.run || waits) continue;
        results.push(await trigger(row.environmentId, row.connectionId, sync, { trigger: 'schedule' }));
      }
      await resumeOrphans({ db, queue }, now);
      return results;
    },

    async update(environmentId, connectionId, sync, patch) {
      await ensure(environmentId, connectionId, sync);
      const now = clock.now();
      const frequencyMs =
        patch.frequency === undefined ? undefined : Math.max(minFrequencyMs, parseDuration(patch.frequency));
      await db
        .updateTable('sync_schedules')
        .set((eb) => ({
          ...(patch.paused === undefined ? {} : { paused: patch.paused ? 1 : 0 }),
          ...(frequencyMs === undefined ? {} : { frequency_ms: frequencyMs }),
          // Resuming or changing the frequency: due after one period from the last run (or now).
          ...(patch.paused === false || frequencyMs !== undefined
            ? {
                next_run_at: eb.fn.coalesce(
                  eb('last_success_at', '+', frequencyMs ?? eb.ref('frequency_ms')),
                  eb.val(now),
                ),
              }
            : {}),
          updated_at: now,
        }))
        .where('connection_id', '=', connectionId)
        .where('sync_name', '=', sync.name)
        .where('environment_id', '=', environmentId)
        .execute();
      const row = await db
        .selectFrom('sync_schedules')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('sync_name', '=', sync.name)
        .where('environment_id', '=', environmentId)
        .executeTakeFirst();
      if (!row) throw notFound('connection', connectionId);
      return toSchedule(row);
    },

    async list(environmentId, connectionId) {
      const rows = await db
        .selectFrom('sync_schedules')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('connection_id', '=', connectionId)
        .orderBy('sync_name')
        .execute();
      return rows.map(toSchedule);
    },
  };
}

/**
 * Syncs that track deletes always list everything, and so does a sync that has never succeeded
 * and has no checkpoint to continue from; otherwise a run is incremental unless asked to be full.
 */
export function runMode(
  sync: SyncDefinition,
  requested: SyncRunMode | undefined,
  lastSuccessAt: number | null,
  checkpoint: string | null,
): SyncRunMode {
  if (requested === 'full' || sync.trackDeletes === true) return 'full';
  return lastSuccessAt === null && checkpoint === null ? 'full' : 'incremental';
}
