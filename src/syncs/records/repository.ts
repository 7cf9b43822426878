import { CompiledQuery } from 'kysely';
import { notFound } from '../../errors/index.ts';
import { decodeRecordsCursor, encodeRecordsCursor } from './cursor.ts';
import { type RecordsSql, type RecordsStatement, recordsSql, WEBHOOK_WRITER_PREFIX } from './sql.ts';
import type {
  PreparedRecord,
  RecordsExecutor,
  RecordsRepository,
  RecordsRepositoryDeps,
  RecordsScope,
  StoredRecord,
  UpsertCounts,
} from './types.ts';

/** The advisory-lock namespace of record locks (PostgreSQL): "recd". */
const RECORD_LOCKS = 0x72656364;

/** How many (run, connection, model) stamp floors a repository remembers. */
const STAMP_FLOORS_KEPT = 1000;

interface ExistingRow {
  external_id: string;
  hash: string;
  deleted_at: number | null;
  modified_at: number | string;
  last_run_id: string | null;
}

/**
 * The records store. Writes take the caller's executor (`store.db` or a transaction), so a sync
 * flushes a batch and its checkpoint in one transaction; reads use `store.db`.
 *
 * Change detection: one statement reads the stored hashes of a batch's ids; new records and
 * changed ones are written by multi-row upserts (./sql.ts), stamped with the run id; unchanged
 * ones are not written. With `trackSeen` (a full sync that detects deletes) the batch's
 * unchanged ids are stored as one `records_seen` row, so `deleteUnseen` spares them: one small
 * insert per batch instead of a row rewrite per unchanged record (migration 0006 has the
 * figures). `forgetSeen` clears a run's rows when it closes.
 *
 * Modification stamps (the `modified_at` the records API pages on) never go backwards for a
 * (connection, model): every write stamps its rows with max(clock.now(), previous stamp + 1). The
 * previous stamp is read from the database at a run's first write to (connection, model) and kept
 * in memory for the rest of the run, so a clock that jumps back, or a run that moves to a process
 * whose clock is behind, still stamps forward. A reader's cursor therefore sits at or before the
 * latest committed stamp and every later write lands after it: paging while a sync writes skips
 * nothing, and a record changed after it was read shows up again further on. This holds as long
 * as one run at a time writes a (connection, model), which the sync run lock (one run per
 * connection and sync) guarantees for a model that belongs to one sync. Rows of one batch share
 * one stamp; the external id orders them.
 */
/** True when a webhook handler wrote the row at or after `since` (a sync run's start). */
function writtenByWebhookSince(row: ExistingRow, since: number): boolean {
  return row.last_run_id?.startsWith(WEBHOOK_WRITER_PREFIX) === true && Number(row.modified_at) >= since;
}

export function createRecordsRepository(deps: RecordsRepositoryDeps): RecordsRepository {
  const { store, clock } = deps;
  const statements: RecordsSql = recordsSql(store.dialect.name);

  // (run, connection, model) → the last stamp this process gave; see the doc comment above.
  const floors = new Map<string, number>();

  function run<R>(trx: RecordsExecutor, statement: RecordsStatement) {
    return trx.executeQuery<R>(CompiledQuery.raw(statement.text, statement.parameters));
  }

  async function nextStamp(trx: RecordsExecutor, scope: RecordsScope, model: string): Promise<number> {
    const key = `${scope.runId}\u0000${scope.connectionId}\u0000${model}`;
    let floor = floors.get(key);
    if (floor === undefined) {
      const { rows } = await run<{ latest: number | string | null }>(
        trx,
        statements.latestModified(scope.environmentId, scope.connectionId, model),
      );
      const latest = rows[0]?.latest;
      floor = latest === null || latest === undefined ? Number.NEGATIVE_INFINITY : Number(latest);
    }
    const stamp = Math.max(clock.now(), floor + 1);
    floors.delete(key);
    // Oldest first: a finished run's floors go first.
    if (floors.size >= STAMP_FLOORS_KEPT) floors.delete(floors.keys().next().value!);
    floors.set(key, stamp);
    return stamp;
  }

  return {
    async upsert(trx, scope, model, records, options = {}) {
      const counts: UpsertCounts = { added: 0, updated: 0, unchanged: 0 };
      if (records.length === 0) return counts;
      // Last wins for an id given twice; it is counted once.
      const latest = new Map<string, PreparedRecord>();
      for (const record of records) latest.set(record.externalId, record);
      const ids = [...latest.keys()];
      const { rows } = await run<ExistingRow>(
        trx,
        statements.readHashes(scope.environmentId, scope.connectionId, model, ids),
      );
      const existing = new Map<string, ExistingRow>();
      for (const row of rows) existing.set(row.external_id, row);

      const writes: PreparedRecord[] = [];
      const unchanged: string[] = [];
      const sparedFrom = options.spareWebhookWritesSince ?? null;
      for (const record of latest.values()) {
        const row = existing.get(record.externalId);
        if (row !== undefined && sparedFrom !== null && writtenByWebhookSince(row, sparedFrom)) {
          counts.unchanged += 1;
          unchanged.push(record.externalId);
          continue;
        }
        // A soft-deleted record that comes back is `added` again: for readers it reappears.
        if (row === undefined || row.deleted_at !== null) counts.added += 1;
        else if (row.hash !== record.hash) counts.updated += 1;
        else {
          counts.unchanged += 1;
          unchanged.push(record.externalId);
          continue;
        }
        writes.push(record);
      }
      if (options.trackSeen && unchanged.length > 0)
        await run(
          trx,
          statements.rememberSeen(scope.environmentId, scope.connectionId, model, scope.runId, unchanged),
        );
      if (writes.length === 0) return counts;

      const stamp = await nextStamp(trx, scope, model);
      for (const statement of statements.upsert(
        scope.environmentId,
        scope.connectionId,
        model,
        stamp,
        scope.runId,
        writes,
        sparedFrom,
      ))
        await run(trx, statement);
      return counts;
    },

    async softDelete(trx, scope, model, externalIds) {
      if (externalIds.length === 0) return 0;
      const stamp = await nextStamp(trx, scope, model);
      const result = await run(
        trx,
        statements.softDelete(
          scope.environmentId,
          scope.connectionId,
          model,
          [...new Set(externalIds)],
          stamp,
        ),
      );
      return Number(result.numAffectedRows ?? 0n);
    },

    async deleteUnseen(trx, scope, model, runId, writtenBefore = Number.MAX_SAFE_INTEGER) {
      const stamp = await nextStamp(trx, scope, model);
      let deleted = 0;
      for (const statement of statements.deleteUnseen(
        scope.environmentId,
        scope.connectionId,
        model,
        runId,
        stamp,
        writtenBefore,
      ))
        deleted += Number((await run(trx, statement)).numAffectedRows ?? 0n);
      return deleted;
    },

    async forgetSeen(trx, scope) {
      await run(trx, statements.forgetSeen(scope.environmentId, scope.connectionId, scope.runId));
    },

    async forgetConnection(trx, environmentId, connectionId) {
      for (const table of ['records', 'records_seen'] as const) {
        await trx
          .deleteFrom(table)
          .where('environment_id', '=', environmentId)
          .where('connection_id', '=', connectionId)
          .execute();
      }
    },

    async lock(trx, scope, model, externalIds) {
      await store.dialect.lockKeys(
        trx,
        RECORD_LOCKS,
        // JSON keeps the three apart without a separator character (text may not hold NUL).
        externalIds.map((id) => JSON.stringify([scope.connectionId, model, id])),
      );
    },

    async find(executor, environmentId, connectionId, model, externalId) {
      const row = await executor
        .selectFrom('records')
        .select(['external_id', 'payload', 'first_seen_at', 'modified_at', 'deleted_at'])
        .where('environment_id', '=', environmentId)
        .where('connection_id', '=', connectionId)
        .where('model', '=', model)
        .where('external_id', '=', externalId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return row ? storedRecord(model, row) : null;
    },

    async list(environmentId, connectionId, model, options) {
      const connection = await store.db
        .selectFrom('connections')
        .select('id')
        .where('id', '=', connectionId)
        .where('environment_id', '=', environmentId)
        .executeTakeFirst();
      if (!connection) throw notFound('Connection', connectionId);
      const cursor = options.after === undefined ? undefined : decodeRecordsCursor(options.after);
      const rows = await store.db
        .selectFrom('records')
        .select(['external_id', 'payload', 'first_seen_at', 'modified_at', 'deleted_at'])
        .where('environment_id', '=', environmentId)
        .where('connection_id', '=', connectionId)
        .where('model', '=', model)
        .$if(!options.includeDeleted, (query) => query.where('deleted_at', 'is', null))
        .$if(options.modifiedSince !== undefined, (query) =>
          query.where('modified_at', '>=', options.modifiedSince!),
        )
        .$if(cursor !== undefined, (query) =>
          query.where((eb) =>
            eb(
              eb.refTuple('modified_at', 'external_id'),
              '>',
              eb.tuple(cursor!.modifiedAt, cursor!.externalId),
            ),
          ),
        )
        .orderBy('modified_at')
        .orderBy('external_id')
        .limit(options.limit + 1)
        .execute();
      const page = rows.slice(0, options.limit);
      const last = page.at(-1);
      return {
        data: page.map((row) => storedRecord(model, row)),
        nextAfter:
          rows.length > options.limit && last
            ? encodeRecordsCursor({ modifiedAt: Number(last.modified_at), externalId: last.external_id })
            : null,
      };
    },

    async count(environmentId, connectionId, model, options = {}) {
      const row = await store.db
        .selectFrom('records')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('environment_id', '=', environmentId)
        .where('connection_id', '=', connectionId)
        .where('model', '=', model)
        .$if(!options.includeDeleted, (query) => query.where('deleted_at', 'is', null))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

function storedRecord(
  model: string,
  row: {
    external_id: string;
    payload: string;
    first_seen_at: number;
    modified_at: number;
    deleted_at: number | null;
  },
): StoredRecord {
  return {
    id: row.external_id,
    model,
    data: JSON.parse(row.payload) as Record<string, unknown>,
    deleted: row.deleted_at !== null,
    firstSeenAt: Number(row.first_seen_at),
    modifiedAt: Number(row.modified_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  };
}
