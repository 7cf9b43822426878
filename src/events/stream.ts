/**
 * Follows an environment's events as they commit, for the Server-Sent Events route: a poll of the
 * events table (every 250 ms by default), woken at once by nudge() when this process writes an
 * event, so it also sees events committed by other processes.
 *
 * Order and gaps: events are read in id order after a cursor. Ids are made inside the writing
 * transaction, so on SQLite (one writer at a time) commit order is id order. On PostgreSQL two
 * transactions can commit out of id order; the stream therefore only reads events older than a
 * settle window (`settleMs`, 1 s by default there), so a slower transaction has committed before
 * the cursor passes its event's id.
 */
import type { Clock } from '../clock/index.ts';
import type { Store } from '../store/index.ts';
import { listEvents, type StoredEvent } from './outbox.ts';

export interface EventStreamOptions {
  store: Pick<Store, 'db' | 'dialect'>;
  clock: Clock;
  /** How often a follower polls when not nudged. Default 250 ms. */
  pollMs?: number;
  /** Events younger than this are not read yet. Default 0 on SQLite, 1000 ms on PostgreSQL. */
  settleMs?: number;
  /** Events read per query. Default 500. */
  batchSize?: number;
}

export interface EventStream {
  /**
   * The environment's events after `after` (an event id), page by page in id order, as they
   * commit; with `after` null, those committed from now on. Ends when `signal` aborts or the
   * stream is closed.
   */
  follow(environmentId: string, after: string | null, signal: AbortSignal): AsyncGenerator<StoredEvent[]>;
  /** Something was written: followers read now instead of at their next poll. */
  nudge(): void;
  /** Ends every follower (server shutdown). */
  close(): void;
}

export function createEventStream(options: EventStreamOptions): EventStream {
  const { store, clock } = options;
  const pollMs = options.pollMs ?? 250;
  const settleMs = options.settleMs ?? (store.dialect.name === 'postgres' ? 1000 : 0);
  const batchSize = options.batchSize ?? 500;
  const waiters = new Set<() => void>();
  let closed = false;
  // Counts nudges, so one that arrives while a follower is querying is not lost.
  let nudges = 0;

  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };

  /** Resolves after pollMs, or sooner on nudge, abort or close. */
  const wait = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, pollMs);
      waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });

  async function latestId(environmentId: string): Promise<string | null> {
    const row = await store.db
      .selectFrom('events')
      .select('id')
      .where('environment_id', '=', environmentId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.id ?? null;
  }

  return {
    async *follow(environmentId, after, signal) {
      let cursor = after ?? (await latestId(environmentId));
      while (!closed && !signal.aborted) {
        const seen = nudges;
        const page = await listEvents(store.db, environmentId, {
          ...(cursor === null ? {} : { after: cursor }),
          limit: batchSize,
          ...(settleMs > 0 ? { createdUntil: clock.now() - settleMs } : {}),
        });
        if (closed || signal.aborted) return;
        if (page.length > 0) {
          cursor = page.at(-1)!.id;
          yield page;
          if (page.length === batchSize) continue;
        }
        if (seen === nudges) await wait(signal);
      }
    },
    nudge() {
      nudges += 1;
      wakeAll();
    },
    close() {
      closed = true;
      wakeAll();
    },
  };
}
