/**
 * The event outbox: every event is a row written in the same transaction as the change that
 * causes it, so an event exists exactly when its change was committed. The outbound module
 * delivers them later; nothing here talks to the network.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { PatchbayError } from '../errors/index.ts';
import type { IdFactory } from '../ids/index.ts';
import type { Database, EventsTable } from '../store/index.ts';
import { type EventDataMap, type EventType, eventTypeDefinition } from './catalog.ts';

/** An event to write: its type fixes the shape of its data. */
export type NewEvent = {
  [T in EventType]: { environmentId: string; type: T; data: EventDataMap[T] };
}[EventType];

/** A stored event. */
export interface StoredEvent {
  id: string;
  environmentId: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: number;
}

export interface OutboxDeps {
  clock: Clock;
  newId: IdFactory;
}

/**
 * Appends an event inside the caller's transaction (`trx`): it commits or rolls back with the
 * change it reports. Ids sort by creation time, which is what `listEvents` pages by.
 */
export async function appendEvent(
  trx: Kysely<Database>,
  event: NewEvent,
  deps: OutboxDeps,
): Promise<StoredEvent> {
  checkEvent(event.type, event.data);
  const now = deps.clock.now();
  const row = {
    id: deps.newId('event', now),
    environment_id: event.environmentId,
    type: event.type,
    data: JSON.stringify(event.data),
    created_at: now,
    dispatched_at: null,
  };
  await trx.insertInto('events').values(row).execute();
  for (const listener of appendListeners) {
    try {
      listener();
    } catch {
      // A listener is a hint to readers; it never fails the change that wrote the event.
    }
  }
  return toStoredEvent(row);
}

const appendListeners = new Set<() => void>();

/**
 * Calls `listener` each time this process appends an event, so readers of the outbox (the
 * dispatcher, the event stream) look now instead of at their next poll. It runs after the insert,
 * before the caller's transaction commits: a reader must not rely on seeing the event at once
 * (on SQLite its query waits for the transaction; on PostgreSQL it may run before the commit).
 * Returns a function that removes the listener.
 */
export function onEventAppended(listener: () => void): () => void {
  appendListeners.add(listener);
  return () => {
    appendListeners.delete(listener);
  };
}

/**
 * Throws `event_data_invalid` unless `data` matches the catalog entry of `type`. The engine writes
 * events from typed code, so a mismatch is a bug: it fails the change's transaction rather than
 * storing an event receivers cannot trust.
 */
export function checkEvent(type: string, data: unknown): void {
  const definition = eventTypeDefinition(type);
  if (!definition) {
    throw new PatchbayError(
      'event_data_invalid',
      `"${type.slice(0, 100)}" is not an event type of the catalog`,
    );
  }
  const parsed = definition.data.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    throw new PatchbayError(
      'event_data_invalid',
      `The data of a "${type}" event does not match its schema: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      { details: { type, issues } },
    );
  }
}

export interface ListEventsOptions {
  /** An event id: only events after it. */
  after?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  /** An exact type, or `prefix.*` for every type under a prefix. */
  type?: string;
  /** Only events created at or before this instant (epoch ms). */
  createdUntil?: number;
}

/** Events of one environment in id (creation) order. */
export async function listEvents(
  db: Kysely<Database>,
  environmentId: string,
  options: ListEventsOptions = {},
): Promise<StoredEvent[]> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 1000);
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('environment_id', '=', environmentId)
    .$if(options.after !== undefined, (query) => query.where('id', '>', options.after!))
    .$if(options.type !== undefined, (query) =>
      options.type!.endsWith('.*')
        ? // substr, not LIKE: `_` in a type would be a LIKE wildcard.
          query.where(typePrefix(options.type!.slice(0, -1)), '=', options.type!.slice(0, -1))
        : query.where('type', '=', options.type!),
    )
    .$if(options.createdUntil !== undefined, (query) =>
      query.where('created_at', '<=', options.createdUntil!),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toStoredEvent);
}

/**
 * `substr(column, 1, n)` for a prefix of length n (the same function in SQLite and PostgreSQL):
 * compared to the prefix, it filters `prefix.*` without LIKE, where `_` would be a wildcard.
 */
export function typePrefix(prefix: string, column = 'type') {
  return sql<string>`substr(${sql.ref(column)}, 1, ${sql.lit(prefix.length)})`;
}

function toStoredEvent(row: Selectable<EventsTable>): StoredEvent {
  return {
    id: row.id,
    environmentId: row.environment_id,
    type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}
