/**
 * The event outbox: every event is a row written in the same transaction as the change that
 * causes it, so an event exists exactly when its change was committed. The outbound module
 * delivers them later; nothing here talks to the network.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { IdFactory } from '../ids/index.ts';
import type { Database, EventsTable } from '../store/index.ts';

/** What a `connection.*` event carries: identities only, never a credential. */
export interface ConnectionEventData {
  connectionId: string;
  integrationId: string;
  integrationKey: string;
  provider: string;
  endUserId: string;
}

/** Event type → its data. A new event type is one entry here. */
export interface EventDataMap {
  'connection.created': ConnectionEventData;
  'connection.reconnected': ConnectionEventData;
  'connection.deleted': ConnectionEventData & { revoked: boolean };
  'connection.reauth_required': ConnectionEventData & { reason: { code: string; message: string } };
}

export type EventType = keyof EventDataMap;

export const EVENT_TYPES: readonly EventType[] = [
  'connection.created',
  'connection.reconnected',
  'connection.deleted',
  'connection.reauth_required',
];

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
  const now = deps.clock.now();
  const row = {
    id: deps.newId('event', now),
    environment_id: event.environmentId,
    type: event.type,
    data: JSON.stringify(event.data),
    created_at: now,
  };
  await trx.insertInto('events').values(row).execute();
  return toStoredEvent(row);
}

export interface ListEventsOptions {
  /** An event id: only events after it. */
  after?: string;
  /** Default 100, at most 1000. */
  limit?: number;
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
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toStoredEvent);
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
