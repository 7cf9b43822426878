import type { DialectName } from '../../store/index.ts';
import type { PreparedRecord } from './types.ts';

/**
 * How the writes of webhook handlers are stamped in `last_run_id` (`webhook:<inbound event id>`),
 * so that a full run's delete detection can tell them from a sync run's: a record a handler
 * created or changed while the run listed is newer than the listing, not gone at the provider.
 */
export const WEBHOOK_WRITER_PREFIX = 'webhook:';

/** The `runId` of a records scope that a webhook handler writes with. */
export function webhookWriterId(inboundEventId: string): string {
  return `${WEBHOOK_WRITER_PREFIX}${inboundEventId}`;
}

/** One statement to run: its SQL text and parameters. */
export interface RecordsStatement {
  text: string;
  parameters: unknown[];
}

/**
 * The records store's hot statements as SQL text, per dialect. They run once per batch of a sync
 * (a million records is a thousand batches), so they are written once here instead of being built
 * and compiled by the query builder each time, and they bind batch-wide values once (numbered
 * parameters, `?1` in SQLite and `$1` in PostgreSQL, reused across rows). A list of ids is one
 * parameter (a JSON array, read with `json_each` in SQLite and `json_array_elements_text` in
 * PostgreSQL), so lookups and deletes by id need no chunking and keep one SQL text whatever the
 * batch size. PostgreSQL upserts take the batch's rows as one JSON array too
 * (`json_to_recordset`): node-postgres escapes a JS array into an array literal element by
 * element in JavaScript, and `JSON.stringify` does the same work in native code (measured with
 * `npm run bench -- sync` on PostgreSQL: 23.8 → 15.7 µs of engine CPU per record).
 *
 * PostgreSQL: lookups by id join the primary key against the list of ids. The plainer
 * `external_id = any($4)` lets the planner pick the `records_modified` index (same leading
 * columns) and filter every row of the connection, which it does whenever its statistics are
 * older than the connection's data — during the first big sync of a new database, for one —
 * turning each batch into a scan (measured: 170 ms per 1,000 ids at 50,000 rows, and growing).
 * The join form has only the primary-key plan.
 *
 * Every statement filters on environment_id, connection_id and model.
 */
export interface RecordsSql {
  /** (env, conn, model, ids) → external_id, hash, deleted_at, modified_at, last_run_id of the existing rows. */
  readHashes(
    environmentId: string,
    connectionId: string,
    model: string,
    ids: readonly string[],
  ): RecordsStatement;
  /** Stores ids as seen unchanged by runId (one `records_seen` row). */
  rememberSeen(
    environmentId: string,
    connectionId: string,
    model: string,
    runId: string,
    ids: readonly string[],
  ): RecordsStatement;
  /** Deletes runId's `records_seen` rows of the connection. */
  forgetSeen(environmentId: string, connectionId: string, runId: string): RecordsStatement;
  /** → `latest`: the highest modified_at of (conn, model), or null. */
  latestModified(environmentId: string, connectionId: string, model: string): RecordsStatement;
  /**
   * Inserts new records and rewrites existing ones (payload, hash, stamp, run; delete cleared),
   * except rows a webhook handler wrote at or after `sparedFrom` (null: none is spared).
   */
  upsert(
    environmentId: string,
    connectionId: string,
    model: string,
    stamp: number,
    runId: string,
    records: readonly PreparedRecord[],
    sparedFrom: number | null,
  ): RecordsStatement[];
  /** Soft-deletes the live rows among ids. */
  softDelete(
    environmentId: string,
    connectionId: string,
    model: string,
    ids: readonly string[],
    stamp: number,
  ): RecordsStatement;
  /**
   * Soft-deletes the live rows of (conn, model) that runId neither wrote (`last_run_id`) nor
   * remembered as seen unchanged (`records_seen`), sparing those a webhook handler wrote at or
   * after `writtenBefore` (a newer word on them than the run's listing). Several statements: run
   * them in order, in one transaction; the rows deleted are the sum of their affected rows.
   */
  deleteUnseen(
    environmentId: string,
    connectionId: string,
    model: string,
    runId: string,
    stamp: number,
    writtenBefore: number,
  ): RecordsStatement[];
}

/**
 * SQLite rows per insert statement. Measured on node:sqlite: numbered parameters reused across
 * rows make SQLite's statement slower per row as the row count grows (1,000 rows per statement
 * ran at a quarter of the speed of 10), and one row per statement pays node's call overhead per
 * row; a few dozen is the best of both. 40 rows bind 6 + 120 parameters.
 */
export const SQLITE_UPSERT_ROWS = 40;

const COLUMNS =
  'connection_id, model, external_id, environment_id, payload, hash, first_seen_at, modified_at, deleted_at, last_run_id';
// A conflict is an existing row (changed, or deleted and back): first_seen_at stays. The
// environment check keeps a caller's wrong scope from touching another environment's row.
// A sync run's write also leaves alone a row a webhook handler wrote since the run began (the
// `sparedFrom` parameter): the handler's word is newer than the run's listing. Checked here, on
// the row as the upsert locks it, as well as before (repository.ts), so a handler committing
// between the two cannot be overwritten either. No spare is the largest safe integer.
const ON_CONFLICT = (sparedFrom: string) =>
  'on conflict (connection_id, model, external_id) do update set payload = excluded.payload, hash = excluded.hash, ' +
  'modified_at = excluded.modified_at, deleted_at = null, last_run_id = excluded.last_run_id ' +
  'where records.environment_id = excluded.environment_id ' +
  `and not (coalesce(records.last_run_id, '') like '${WEBHOOK_WRITER_PREFIX}%' and records.modified_at >= ${sparedFrom})`;

/** The `sparedFrom` bound of an upsert: null spares nothing. */
function spareBound(sparedFrom: number | null): number {
  return sparedFrom ?? Number.MAX_SAFE_INTEGER;
}

/** Returns the statements of one dialect (built once per repository). */
export function recordsSql(dialect: DialectName): RecordsSql {
  return dialect === 'sqlite' ? sqliteSql() : postgresSql();
}

function sqliteSql(): RecordsSql {
  const scope = 'environment_id = ?1 and connection_id = ?2 and model = ?3';
  const inIds = 'external_id in (select value from json_each(?4))';
  const readHashes = `select external_id, hash, deleted_at, modified_at, last_run_id from records where ${scope} and ${inIds}`;
  // SQLite evaluates the list once into a temporary index.
  const seenIds =
    'select j.value from records_seen s, json_each(s.ids) j where s.run_id = ?4 and s.environment_id = ?1 and s.connection_id = ?2 and s.model = ?3';
  const upserts = new Map<number, string>();
  const upsertText = (rows: number) => {
    let text = upserts.get(rows);
    if (text === undefined) {
      const values: string[] = [];
      for (let row = 0; row < rows; row++) {
        const base = 6 + row * 3;
        values.push(`(?2, ?3, ?${base + 1}, ?1, ?${base + 2}, ?${base + 3}, ?4, ?4, null, ?5)`);
      }
      text = `insert into records (${COLUMNS}) values ${values.join(', ')} ${ON_CONFLICT('?6')}`;
      upserts.set(rows, text);
    }
    return text;
  };
  return {
    readHashes: (env, conn, model, ids) => ({
      text: readHashes,
      parameters: [env, conn, model, JSON.stringify(ids)],
    }),
    rememberSeen: (env, conn, model, runId, ids) => ({
      text: 'insert into records_seen (run_id, connection_id, model, environment_id, ids) values (?, ?, ?, ?, ?)',
      parameters: [runId, conn, model, env, JSON.stringify(ids)],
    }),
    forgetSeen: (env, conn, runId) => ({
      text: 'delete from records_seen where run_id = ? and environment_id = ? and connection_id = ?',
      parameters: [runId, env, conn],
    }),
    latestModified: (env, conn, model) => ({
      text: `select max(modified_at) as latest from records where ${scope}`,
      parameters: [env, conn, model],
    }),
    upsert(env, conn, model, stamp, runId, records, sparedFrom) {
      const statements: RecordsStatement[] = [];
      for (let start = 0; start < records.length; start += SQLITE_UPSERT_ROWS) {
        const end = Math.min(start + SQLITE_UPSERT_ROWS, records.length);
        const parameters: unknown[] = [env, conn, model, stamp, runId, spareBound(sparedFrom)];
        for (let i = start; i < end; i++) {
          const record = records[i]!;
          parameters.push(record.externalId, record.payload, record.hash);
        }
        statements.push({ text: upsertText(end - start), parameters });
      }
      return statements;
    },
    softDelete: (env, conn, model, ids, stamp) => ({
      text: `update records set deleted_at = ?5, modified_at = ?5 where ${scope} and ${inIds} and deleted_at is null`,
      parameters: [env, conn, model, JSON.stringify(ids), stamp],
    }),
    deleteUnseen: (env, conn, model, runId, stamp, writtenBefore) => [
      {
        text: `update records set deleted_at = ?5, modified_at = ?5 where ${scope} and deleted_at is null and not (coalesce(last_run_id, '') like '${WEBHOOK_WRITER_PREFIX}%' and modified_at >= ?6) and (last_run_id is null or last_run_id <> ?4) and external_id not in (${seenIds})`,
        parameters: [env, conn, model, runId, stamp, writtenBefore],
      },
    ],
  };
}

function postgresSql(): RecordsSql {
  const byIds =
    'environment_id = $1 and (connection_id, model, external_id) in (select $2, $3, json_array_elements_text($4::json))';
  // Arrays of the rows' own values: one statement and one plan whatever the batch size.
  const upsert =
    `insert into records (${COLUMNS}) select $2::text, $3::text, u.e, $1::text, u.p, u.h, $4::bigint, $4::bigint, null::bigint, $5::text ` +
    `from json_to_recordset($6::json) as u(e text, p text, h text) ${ON_CONFLICT('$7::bigint')}`;
  return {
    readHashes: (env, conn, model, ids) => ({
      text: `select external_id, hash, deleted_at, modified_at, last_run_id from records where ${byIds}`,
      parameters: [env, conn, model, JSON.stringify(ids)],
    }),
    rememberSeen: (env, conn, model, runId, ids) => ({
      text: 'insert into records_seen (run_id, connection_id, model, environment_id, ids) values ($1, $2, $3, $4, $5)',
      parameters: [runId, conn, model, env, JSON.stringify(ids)],
    }),
    forgetSeen: (env, conn, runId) => ({
      text: 'delete from records_seen where run_id = $1 and environment_id = $2 and connection_id = $3',
      parameters: [runId, env, conn],
    }),
    latestModified: (env, conn, model) => ({
      text: 'select max(modified_at) as latest from records where environment_id = $1 and connection_id = $2 and model = $3',
      parameters: [env, conn, model],
    }),
    upsert(env, conn, model, stamp, runId, records, sparedFrom) {
      return [
        {
          text: upsert,
          parameters: [
            env,
            conn,
            model,
            stamp,
            runId,
            JSON.stringify(records.map((r) => ({ e: r.externalId, p: r.payload, h: r.hash }))),
            spareBound(sparedFrom),
          ],
        },
      ];
    },
    softDelete: (env, conn, model, ids, stamp) => ({
      text: `update records set deleted_at = $5, modified_at = $5 where ${byIds} and deleted_at is null`,
      parameters: [env, conn, model, JSON.stringify(ids), stamp],
    }),
    // The anti-join of a connection's records against the ids its run saw, both up to millions,
    // must be hashed (or merged). Statistics lag behind a first big sync, and the planner then
    // takes both sides for a few rows and picks a nested loop, which never finishes at a million
    // (seen on 200,000 records: over ten minutes). Nested loops are off for this one statement,
    // with room for the hash in memory.
    deleteUnseen: (env, conn, model, runId, stamp, writtenBefore) => [
      { text: 'set local enable_nestloop = off', parameters: [] },
      { text: "set local work_mem = '64MB'", parameters: [] },
      {
        text:
          'with seen as materialized (select json_array_elements_text(s.ids::json) as id from records_seen s ' +
          'where s.run_id = $4 and s.environment_id = $1 and s.connection_id = $2 and s.model = $3) ' +
          'update records set deleted_at = $5, modified_at = $5 where environment_id = $1 and connection_id = $2 and model = $3 ' +
          `and deleted_at is null and not (coalesce(last_run_id, '') like '${WEBHOOK_WRITER_PREFIX}%' and modified_at >= $6) ` +
          'and (last_run_id is null or last_run_id <> $4) ' +
          'and not exists (select 1 from seen where seen.id = records.external_id)',
        parameters: [env, conn, model, runId, stamp, writtenBefore],
      },
      { text: 'reset enable_nestloop', parameters: [] },
      { text: 'reset work_mem', parameters: [] },
    ],
  };
}
