/**
 * The per-connection request log: one row per attempt the proxy made (method, host, path without
 * its query, status, duration, attempt, error code). Never a header, a query value or a body.
 *
 * Rows are buffered and inserted in batches (every `flushMs`, or as soon as `maxBatch` rows are
 * waiting), so logging does not add a database commit to every provider call. `close()` writes
 * what is left. A row is best effort: a failed insert is logged and dropped, never retried in a
 * loop and never failing the call it describes.
 */
import type { Clock } from '../clock/index.ts';
import { newId } from '../ids/index.ts';
import type { Logger } from '../logger/index.ts';
import type { RequestLogsTable, Store } from '../store/index.ts';

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
  let buffer: RequestLogsTable[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const write = (rows: RequestLogsTable[]): Promise<void> => {
    const next = writing.then(async () => {
      try {
        await store.db.insertInto('request_logs').values(rows).execute();
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
      buffer.push({
        id: newId('request', now),
        environment_id: entry.environmentId,
        connection_id: entry.connectionId,
        integration_id: entry.integrationId,
        method: entry.method,
        host: entry.host,
        path: entry.path.split('?')[0]!.slice(0, 2048),
        status: entry.status,
        duration_ms: Math.max(0, Math.round(entry.durationMs)),
        attempt: entry.attempt,
        error_code: entry.errorCode,
        created_at: now,
      });
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
