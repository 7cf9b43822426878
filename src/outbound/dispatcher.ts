/**
 * The outbox's reader: fans undispatched events out to messages, one per matching endpoint, and
 * queues each message's first attempt.
 *
 * Exactly once across processes: the messages of an event and its dispatch mark are written in
 * one transaction that only takes events still unmarked: on SQLite the transaction holds the
 * database's write lock (BEGIN IMMEDIATE), on PostgreSQL it locks the event rows with
 * `FOR UPDATE SKIP LOCKED`, so a concurrent dispatcher skips them; and the unique
 * (endpoint_id, event_id) pair would refuse a second message anyway.
 *
 * The first attempts' jobs are written in that same transaction, itself one of the queue's group
 * commits (one fsync with the queue's other writes), so no crash leaves a message without its job.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { type IdFactory, newId } from '../ids/index.ts';
import type { Logger } from '../logger/index.ts';
import type { JobHandlers, JobQueue, TransactionalQueue } from '../queue/index.ts';
import type { Database, EventsTable, Store } from '../store/index.ts';
import type { OutboundJobs } from './jobs.ts';
import { firstAttemptJobs, insertMessages, messagePayload, messageRow } from './messages-rows.ts';
import type { EndpointRoute, EndpointsService } from './types.ts';

export interface DispatcherOptions {
  store: Pick<Store, 'db' | 'dialect'>;
  endpoints: Pick<EndpointsService, 'matching'>;
  /** Messages and their first attempts' jobs commit together in one of the queue's transactions. */
  queue: JobQueue & TransactionalQueue;
  clock: Clock;
  ids?: IdFactory;
  /** Events read per transaction. Default 500. */
  batchSize?: number;
  /** The safety-net poll of start() (events committed by other processes). Default 1 s. */
  pollMs?: number;
  /** After a nudged run that found nothing, one more look this much later. Default 20 ms; 0 = none. */
  recheckMs?: number;
  /** Where failures of background runs are reported. */
  logger?: Pick<Logger, 'error'>;
  /**
   * Other readers of the outbox (notifications): each is called with the events a transaction
   * dispatches, inside that transaction, so what it queues commits exactly once with the mark.
   * It must only write (jobs, its own rows), never call the network.
   */
  consumers?: ReadonlyArray<DispatchConsumer> | Set<DispatchConsumer>;
}

/** See DispatcherOptions.consumers. */
export type DispatchConsumer = (trx: Kysely<Database>, events: Selectable<EventsTable>[]) => Promise<void>;

export interface DispatchReport {
  events: number;
  messages: number;
}

export interface Dispatcher {
  /** Dispatches every event not dispatched yet, in batches, oldest first. */
  dispatchPending(): Promise<DispatchReport>;
  /** An event was committed: dispatch soon. Calls made while a run is in flight coalesce into one more run. */
  nudge(): void;
  /** Polls every `pollMs` as well (events committed by other processes). */
  start(): void;
  /** Stops polling, ignores further nudges, and waits for the runs already asked for. */
  stop(): Promise<void>;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, endpoints, clock } = options;
  const ids = options.ids ?? newId;
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const queue = options.queue;
  type Write<R> = (trx: Kysely<Database>) => Promise<R>;
  const transact = queue.batcher(async (trx, writes: Write<unknown>[]) => {
    const results: unknown[] = [];
    for (const write of writes) results.push(await write(trx));
    return results;
  }) as <R>(write: Write<R>) => Promise<R>;

  /** One batch; returns how many events it read and how many it dispatched. */
  async function dispatchBatch(): Promise<DispatchReport & { read: number }> {
    const candidates = await store.db
      .selectFrom('events')
      .selectAll()
      .where('dispatched_at', 'is', null)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    if (candidates.length === 0) return { read: 0, events: 0, messages: 0 };

    // Endpoints are read outside the write transaction (keeping it short); events carry no
    // channels yet, so one lookup serves every event of a type in an environment.
    const targets = new Map<string, EndpointRoute[]>();
    for (const event of candidates) {
      const key = `${event.environment_id}\u0000${event.type}`;
      if (!targets.has(key))
        targets.set(key, await endpoints.matching(event.environment_id, event.type, null));
    }

    const now = clock.now();
    const { events, inserted } = await transact(async (trx) => {
      const owned = await trx
        .selectFrom('events')
        .select('id')
        .where(
          'id',
          'in',
          candidates.map((event) => event.id),
        )
        .where('dispatched_at', 'is', null)
        .$if(store.dialect.name === 'postgres', (query) => query.forUpdate().skipLocked())
        .execute();
      if (owned.length === 0) return { events: 0, inserted: [] };
      const ownedIds = new Set(owned.map((row) => row.id));
      const rows = candidates
        .filter((event) => ownedIds.has(event.id))
        .flatMap((event) =>
          (targets.get(`${event.environment_id}\u0000${event.type}`) ?? []).map((endpoint) =>
            messageRow(messageOf(event, endpoint.id), now, ids),
          ),
        );
      const insertedRows = await insertMessages(trx, rows);
      await queue.enqueueManyIn(trx, firstAttemptJobs(insertedRows));
      if (options.consumers) {
        const dispatched = candidates.filter((event) => ownedIds.has(event.id));
        for (const consumer of options.consumers) await consumer(trx, dispatched);
      }
      await trx
        .updateTable('events')
        .set({ dispatched_at: now })
        .where('id', 'in', [...ownedIds])
        .where('dispatched_at', 'is', null)
        .execute();
      return { events: ownedIds.size, inserted: insertedRows };
    });
    return { read: candidates.length, events, messages: inserted.length };
  }

  async function dispatchPending(): Promise<DispatchReport> {
    const total: DispatchReport = { events: 0, messages: 0 };
    for (;;) {
      const batch = await dispatchBatch();
      total.events += batch.events;
      total.messages += batch.messages;
      // A short page is the end; a page owned by another dispatcher (locked rows) is theirs.
      if (batch.read < batchSize || batch.events === 0) return total;
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let recheck: NodeJS.Timeout | undefined;
  let scheduled = false;
  let again = false;
  let running: Promise<void> | undefined;
  let stopped = false;
  // Set by nudge() (an event was appended here), not by polls: only those runs recheck.
  let nudged = false;
  const recheckMs = options.recheckMs ?? 20;

  const run = () => {
    scheduled = false;
    running = (async () => {
      let found = 0;
      let fromNudge = nudged;
      do {
        again = false;
        try {
          found += (await dispatchPending()).events;
        } catch (error) {
          options.logger?.error({ err: error }, 'dispatching events failed; the next run retries');
        }
        fromNudge ||= nudged;
        nudged = false;
        // A nudge during the run asked for one more: honored even while stopping (stop() waits).
      } while (again);
      // Nudged by an event whose transaction had not committed yet (PostgreSQL reads on another
      // connection): look once more shortly rather than at the next poll.
      if (fromNudge && found === 0 && !stopped && recheckMs > 0 && recheck === undefined) {
        recheck = setTimeout(() => {
          recheck = undefined;
          schedule();
        }, recheckMs);
        recheck.unref();
      }
    })().finally(() => {
      running = undefined;
      // A nudge between the loop's last check and here still gets its run.
      if (again) {
        again = false;
        scheduled = true;
        setImmediate(run);
      }
    });
  };

  const schedule = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (scheduled) return;
    scheduled = true;
    setImmediate(run);
  };

  const nudge = () => {
    // A fresh nudge supersedes a pending recheck.
    if (recheck) clearTimeout(recheck);
    recheck = undefined;
    if (stopped) return;
    nudged = true;
    schedule();
  };

  return {
    dispatchPending,
    nudge,
    start() {
      stopped = false;
      timer ??= setInterval(schedule, options.pollMs ?? 1000);
      timer.unref();
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (recheck) clearTimeout(recheck);
      recheck = undefined;
      while (scheduled || running) {
        if (running) await running;
        else await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

function messageOf(event: Selectable<EventsTable>, endpointId: string) {
  return {
    environmentId: event.environment_id,
    endpointId,
    eventId: event.id,
    eventType: event.type,
    channels: null,
    payload: messagePayload(event.type, event.created_at, event.data),
    idempotencyKey: null,
  };
}

/** The `outbound.dispatch` handler, for the engine's worker (the scheduled safety net). */
export function dispatchHandlers(dispatcher: Pick<Dispatcher, 'dispatchPending'>): JobHandlers<OutboundJobs> {
  return {
    'outbound.dispatch': async () => {
      await dispatcher.dispatchPending();
    },
  };
}
