/**
 * The per-connection request log: one row per attempt the proxy made (method, host, path without
 * its query, status, duration, attempt, error code). Never a header, a query value or a body.
 *
 * Rows are buffered and inserted in batches (every `flushMs`, or as soon as `maxBatch` rows are
 * waiting), so logging does not add a database commit to every provider call: one transaction
 * per batch. `close()` writes what is left. A row is best effort: a failed insert is logged and
 * dropped, never retried in a loop and never failing the call it describes; rows still buffered
 * when the process dies are lost (an observability log, not a record anything depends on).
 *
 * The inserts are compiled once, for a few fixed numbers of rows, and a batch is written as
 * chunks of those sizes: building a fresh multi-row INSERT with Kysely for every batch cost more
 * than SQLite's work, and every distinct row count was a statement of its own to prepare.
 */
import { type CompiledQuery, createQueryId, type Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { newId } from '../ids/index.ts';
import type { Logger } from '../logger/index.ts';
import { type Database, marker, type RequestLogsTable, type Store } from '../store/index.ts';

export interface RequestLogEntry {
  environmentId: string;
  connectionId: string | null;
  integrationId: string;
  method: string;
  host: string;
  /** The URL path only; a query string is cut off here if one slips through. */
  path: string;
  status: number | null;
  durationMs: number;
  attempt: number;
  errorCode: string | null;
}

export interface RequestLog {
  record(entry: RequestLogEntry): void;
  /** Writes the buffered rows now. */
  flush(): Promise<void>;
  /** Flushes and stops the timer; later records are written by the next flush or dropped on exit. */
  close(): Promise<void>;
}

export interface RequestLogOptions {
  clock: Clock;
  /** How long a row may wait in the buffer. Default 200 ms. */
  flushMs?: number;
  /** Rows per insert. Default 200 (a row binds 12 parameters; SQLite allows 32,766). */
  maxBatch?: number;
  logger?: Logger;
}

export function createRequestLog(store: Pick<Store, 'db'>, options: RequestLogOptions): RequestLog {
  const flushMs = options.flushMs ?? 200;
  const maxBatch = options.maxBatch ?? 200;
  const inserts = CHUNK_SIZES.map((size) => compileInsert(store.db, size));
  let buffer: Row[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const write = (rows: Row[]): Promise<void> => {
    const next = writing.then(async () => {
      try {
        const queries = chunked(rows, inserts);
        if (queries.length === 1) await store.db.executeQuery(queries[0]!);
        else {
          await store.db.transaction().execute(async (trx) => {
            for (const query of queries) await trx.executeQuery(query);
          });
        }
      } catch (error) {
        options.logger?.warn({ err: error, rows: rows.length }, 'request log rows dropped: insert failed');
      }
    });
    writing = next;
    return next;
  };

  const flush = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const pending: Promise<void>[] = [];
    while (buffer.length > 0) {
      pending.push(write(buffer.splice(0, maxBatch)));
    }
    return pending.length > 0 ? Promise.all(pending).then(() => {}) : writing;
  };

  return {
    record(entry) {
      const now = options.clock.now();
      // In COLUMNS order.
      buffer.push([
        newId('request', now),
        entry.environmentId,
        entry.connectionId,
        entry.integrationId,
        entry.method,
        entry.host,
        pathOnly(entry.path),
        entry.status,
        Math.max(0, Math.round(entry.durationMs)),
        entry.attempt,
        entry.errorCode,
        now,
      ]);
      if (buffer.length >= maxBatch) {
        void flush();
      } else if (!timer) {
        timer = setTimeout(() => void flush(), flushMs);
        timer.unref();
      }
    },
    flush,
    async close() {
      await flush();
      buffer = [];
    },
  };
}

/** The path without a query string, at most 2,048 characters. */
function pathOnly(path: string): string {
  const query = path.indexOf('?');
  return (query === -1 ? path : path.slice(0, query)).slice(0, 2048);
}

const COLUMNS = [
  'id',
  'environment_id',
  'connection_id',
  'integration_id',
  'method',
  'host',
  'path',
  'status',
  'duration_ms',
  'attempt',
  'error_code',
  'created_at',
] as const satisfies ReadonlyArray<keyof RequestLogsTable>;

/** One buffered row: its values in COLUMNS order. */
type Row = unknown[];

/** Rows per compiled INSERT, largest first; a batch is written as chunks of these sizes. */
const CHUNK_SIZES = [64, 16, 4, 1] as const;

interface CompiledInsert {
  rows: number;
  query: CompiledQuery;
  /** For each parameter of `query`: the row and column whose value goes there. */
  slots: Array<[row: number, column: number]>;
}

/** An INSERT of `rows` rows, compiled once with markers that tell where each value goes. */
function compileInsert(db: Kysely<Database>, rows: number): CompiledInsert {
  const places = new Map<unknown, [number, number]>();
  const values = Array.from({ length: rows }, (_, row) =>
    Object.fromEntries(
      COLUMNS.map((column, index) => {
        const place = marker(`${row}.${index}`);
        places.set(place, [row, index]);
        return [column, place];
      }),
    ),
  );
  const query = db
    .insertInto('request_logs')
    .values(values as unknown as RequestLogsTable[])
    .compile();
  const slots = query.parameters.map((parameter) => {
    const slot = places.get(parameter);
    if (!slot) throw new Error('request log insert: a value was not compiled as a parameter');
    return slot;
  });
  return { rows, query, slots };
}

/** The INSERTs that write `rows`: as many of the largest chunk as fit, then smaller ones. */
function chunked(rows: Row[], inserts: CompiledInsert[]): CompiledQuery[] {
  const queries: CompiledQuery[] = [];
  let start = 0;
  for (const insert of inserts) {
    while (rows.length - start >= insert.rows) {
      const offset = start;
      queries.push({
        ...insert.query,
        queryId: createQueryId(),
        parameters: insert.slots.map(([row, column]) => rows[offset + row]![column]),
      });
      start += insert.rows;
    }
  }
  return queries;
}
