/**
 * A run's writes: the RecordsWriter and CheckpointStore a sync script gets. Records are validated
 * and hashed as the script saves them, buffered, and written in batches; every batch is one
 * transaction that also fences the run lock, adds the batch's counts to the run, and — when the
 * script saves a checkpoint — stores the checkpoint. So a checkpoint never points past records
 * that were not committed, and a crash loses at most the uncommitted batch, which the resumed
 * run fetches again (unchanged records are then counted as unchanged, never duplicated).
 */
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { PatchbayError } from '../errors/index.ts';
import type { CheckpointStore, ModelSchemas, RecordsWriter } from '../scripting/types.ts';
import type { Database } from '../store/index.ts';
import type { RunLock, RunLockKey } from './run-lock.ts';
import type { RunCounts, RunsRepository } from './runs.ts';

/** A record ready to store: what the records repository writes. */
export interface PreparedRecord {
  externalId: string;
  payload: string;
  hash: string;
}

export interface RecordScope {
  environmentId: string;
  connectionId: string;
  runId: string;
}

/** What the writer needs from the records repository (src/syncs/records). */
export interface RecordsPort {
  prepare(schema: z.ZodType, model: string, input: unknown): PreparedRecord;
  upsert(
    trx: Kysely<Database>,
    scope: RecordScope,
    model: string,
    records: readonly PreparedRecord[],
    options: { trackSeen: boolean; spareWebhookWritesSince: number },
  ): Promise<{ added: number; updated: number; unchanged: number }>;
  softDelete(
    trx: Kysely<Database>,
    scope: RecordScope,
    model: string,
    externalIds: readonly string[],
  ): Promise<number>;
  deleteUnseen(
    trx: Kysely<Database>,
    scope: RecordScope,
    model: string,
    runId: string,
    writtenBefore: number,
  ): Promise<number>;
  forgetSeen(trx: Kysely<Database>, scope: RecordScope): Promise<void>;
}

export interface RunWriterOptions {
  db: Kysely<Database>;
  records: RecordsPort;
  runs: RunsRepository;
  lock: RunLock;
  lockKey: RunLockKey;
  owner: string;
  lockTtlMs: number;
  scope: RecordScope;
  models: ModelSchemas;
  checkpointSchema: z.ZodType | undefined;
  /** The checkpoint stored before this attempt (null for none). */
  initialCheckpoint: unknown;
  /** Full runs of syncs that track deletes: records must be marked seen. */
  trackSeen: boolean;
  /**
   * When the run started (epoch ms): delete detection spares records modified since, which
   * another writer (a webhook handler) touched while the run listed.
   */
  startedAt: number;
  /** Records buffered before a batch is written. */
  batchSize: number;
  /**
   * A checkpoint saved this long after the last batch started is written without waiting for a
   * full batch (ms; default CHECKPOINT_INTERVAL_MS), so a sparse listing still records progress.
   */
  checkpointIntervalMs?: number;
  /** Called after each committed batch with the run's totals so far (progress). */
  onFlush?(totals: RunCounts): void;
}

/** Counts per model, kept for the run's details and its events. */
export type ModelCounts = Record<
  string,
  { added: number; updated: number; deleted: number; unchanged: number }
>;

export interface RunWriter {
  records: RecordsWriter<ModelSchemas>;
  checkpoint: CheckpointStore<unknown>;
  /** Counts one fetched page (the paginate wrapper calls it). */
  countPage(): void;
  /** Writes what is buffered; resolves once every queued batch is committed. */
  flush(): Promise<void>;
  /** Waits for the queued batches to commit or fail (a failing run closes after them). */
  settle(): Promise<void>;
  /** Full runs: soft-deletes what the run did not see, in the closing transaction. */
  deleteUnseen(trx: Kysely<Database>): Promise<void>;
  /** Drops the ids `trackSeen` remembered for this run; the run's close calls it, whatever its end. */
  forgetSeen(trx: Kysely<Database>): Promise<void>;
  /**
   * Refuses further writes: the runner gave up on the script (timeout, worker stopping) while it
   * may still be running in the background. A batch already being written finishes.
   */
  close(reason: unknown): void;
  /** Totals of this attempt's committed batches. */
  readonly totals: RunCounts;
  readonly byModel: ModelCounts;
}

/**
 * Default RunWriterOptions.checkpointIntervalMs. Checkpoints are cheap to keep in memory and a
 * commit each is not (an fsync): a batch carries the latest checkpoint saved before it, and a
 * checkpoint waits for its batch at most this long. A crash then repeats at most one batch's or
 * one second's worth of pages.
 */
export const CHECKPOINT_INTERVAL_MS = 1_000;

export function createRunWriter(options: RunWriterOptions): RunWriter {
  const { db, records, runs, lock, lockKey, owner, lockTtlMs, scope, models } = options;
  let saves = new Map<string, PreparedRecord[]>();
  let deletes = new Map<string, string[]>();
  let buffered = 0;
  let pendingPages = 0;
  let checkpoint: unknown = options.initialCheckpoint ?? null;
  const totals: RunCounts = { added: 0, updated: 0, deleted: 0, unchanged: 0, pages: 0 };
  const byModel: ModelCounts = {};
  // The checkpoint saved since the last batch started: it goes with that batch's records.
  let pendingCheckpoint: string | undefined;
  // Batches are written one at a time, in the order the script produced them: `writing` is the
  // last one queued; `scheduled` is set while that one has not started (later saves join it).
  let writing: Promise<void> = Promise.resolve();
  let scheduled: { previous: Promise<void> } | undefined;
  let writeFailure: unknown;
  let closedBecause: unknown;
  // When the last batch started (a monotonic clock: only the interval matters), and the timer
  // that writes a checkpoint left waiting for its batch.
  let lastWriteAt = performance.now();
  let checkpointTimer: NodeJS.Timeout | undefined;
  const checkpointIntervalMs = options.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS;

  function checkOpen(): void {
    if (closedBecause !== undefined) throw closedBecause;
  }

  function schemaOf(model: string): z.ZodType {
    const schema = models[model];
    if (!schema) {
      throw new PatchbayError(
        'script_definition_invalid',
        `This sync has no model "${model}"; its models are ${Object.keys(models).join(', ')}`,
      );
    }
    return schema;
  }

  function modelCounts(model: string) {
    byModel[model] ??= { added: 0, updated: 0, deleted: 0, unchanged: 0 };
    return byModel[model];
  }

  async function writeBatch(): Promise<void> {
    const batchSaves = saves;
    const batchDeletes = deletes;
    const pages = pendingPages;
    const checkpointJson = pendingCheckpoint;
    lastWriteAt = performance.now();
    clearTimeout(checkpointTimer);
    checkpointTimer = undefined;
    saves = new Map();
    deletes = new Map();
    buffered = 0;
    pendingPages = 0;
    pendingCheckpoint = undefined;
    if (batchSaves.size === 0 && batchDeletes.size === 0 && pages === 0 && checkpointJson === undefined)
      return;
    const counts: RunCounts = { added: 0, updated: 0, deleted: 0, unchanged: 0, pages };
    const perModel: ModelCounts = {};
    await db.transaction().execute(async (trx) => {
      await lock.fence(
        trx,
        lockKey,
        owner,
        lockTtlMs,
        checkpointJson === undefined ? {} : { checkpoint: checkpointJson },
      );
      for (const [model, list] of batchSaves) {
        const result = await records.upsert(trx, scope, model, list, {
          trackSeen: options.trackSeen,
          spareWebhookWritesSince: options.startedAt,
        });
        counts.added += result.added;
        counts.updated += result.updated;
        counts.unchanged += result.unchanged;
        perModel[model] = { ...result, deleted: 0 };
      }
      for (const [model, ids] of batchDeletes) {
        const deleted = await records.softDelete(trx, scope, model, ids);
        counts.deleted += deleted;
        perModel[model] ??= { added: 0, updated: 0, unchanged: 0, deleted: 0 };
        perModel[model].deleted += deleted;
      }
      await runs.addCounts(trx, scope.runId, counts);
    });
    // Only committed batches count.
    for (const key of ['added', 'updated', 'deleted', 'unchanged', 'pages'] as const)
      totals[key] += counts[key];
    for (const [model, c] of Object.entries(perModel)) {
      const sum = modelCounts(model);
      sum.added += c.added;
      sum.updated += c.updated;
      sum.deleted += c.deleted;
      sum.unchanged += c.unchanged;
    }
    options.onFlush?.({ ...totals });
  }

  /**
   * Queues a write of everything buffered and returns once the batch before it is committed: the
   * script goes on (fetching, parsing and validating the next page) while this one commits, and
   * never gets more than one batch ahead. The write starts on the next turn of the event loop, so
   * what the script adds right after its records — the checkpoint of the page — joins the same
   * transaction instead of costing a commit of its own.
   */
  function scheduleWrite(): Promise<void> {
    // A script that produces pages without yielding to the event loop would grow the batch that
    // has not started yet without bound: past two batches' worth, wait for it to commit.
    if (scheduled && buffered >= 2 * options.batchSize) return writing;
    if (!scheduled) {
      const previous = writing;
      const next = previous
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(() => {
          scheduled = undefined;
          return writeBatch();
        });
      // A failed batch fails every later write too: the run stops at the first error, which the
      // script meets at its next save and the runner at the final flush.
      next.catch((error: unknown) => {
        writeFailure ??= error;
      });
      writing = next;
      scheduled = { previous };
    }
    return scheduled.previous;
  }

  function writeWaitingCheckpoint(): void {
    checkpointTimer = undefined;
    if (pendingCheckpoint !== undefined && closedBecause === undefined) scheduleWrite();
  }

  function checkWritable(): void {
    checkOpen();
    if (writeFailure !== undefined) throw writeFailure;
  }

  return {
    totals,
    byModel,
    records: {
      async save(model, list) {
        checkWritable();
        const schema = schemaOf(model);
        const prepared = saves.get(model) ?? [];
        for (const input of list) prepared.push(records.prepare(schema, model, input));
        saves.set(model, prepared);
        buffered += list.length;
        if (buffered >= options.batchSize) await scheduleWrite();
      },
      async delete(model, ids) {
        checkWritable();
        schemaOf(model);
        const list = deletes.get(model) ?? [];
        for (const id of ids) {
          if (typeof id !== 'string' || id === '') {
            throw new PatchbayError(
              'record_invalid',
              `records.delete("${model}") needs provider ids (non-empty strings)`,
            );
          }
          list.push(id);
        }
        deletes.set(model, list);
        buffered += ids.length;
        if (buffered >= options.batchSize) await scheduleWrite();
      },
    },
    checkpoint: {
      async get() {
        return checkpoint;
      },
      async save(value) {
        checkWritable();
        let parsed: unknown = value;
        if (options.checkpointSchema) {
          const result = options.checkpointSchema.safeParse(value);
          if (!result.success) {
            throw new PatchbayError(
              'script_definition_invalid',
              "The checkpoint does not match the sync's checkpoint schema",
              {
                details: {
                  issues: result.error.issues.map((issue) => ({
                    path: issue.path.join('.'),
                    message: issue.message,
                  })),
                },
              },
            );
          }
          parsed = result.data;
        }
        pendingCheckpoint = JSON.stringify(parsed ?? null);
        checkpoint = parsed;
        const waited = performance.now() - lastWriteAt;
        if (buffered >= options.batchSize || waited >= checkpointIntervalMs) await scheduleWrite();
        // Otherwise it goes with the next batch, or by itself once the interval is up (a slow
        // next page must not hold back the progress already made).
        else checkpointTimer ??= setTimeout(writeWaitingCheckpoint, checkpointIntervalMs - waited).unref();
      },
    },
    countPage() {
      pendingPages += 1;
    },
    close(reason) {
      clearTimeout(checkpointTimer);
      checkpointTimer = undefined;
      closedBecause =
        reason ?? new PatchbayError('sync_cancelled', 'The run stopped; this script may not write any more');
    },
    async flush() {
      scheduleWrite();
      await writing;
    },
    async settle() {
      await writing.catch(() => {});
    },
    async deleteUnseen(trx) {
      for (const model of Object.keys(models)) {
        const deleted = await records.deleteUnseen(trx, scope, model, scope.runId, options.startedAt);
        if (deleted === 0) continue;
        totals.deleted += deleted;
        modelCounts(model).deleted += deleted;
        await runs.addCounts(trx, scope.runId, { added: 0, updated: 0, unchanged: 0, pages: 0, deleted });
      }
    },
    async forgetSeen(trx) {
      if (options.trackSeen) await records.forgetSeen(trx, scope);
    },
  };
}
