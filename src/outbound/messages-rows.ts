/**
 * Message rows shared by the dispatcher (engine events) and the messages service (API-created
 * events): building them, inserting them without duplicates, queueing their first attempt, and
 * reading them back.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { IdFactory } from '../ids/index.ts';
import { parsePayload } from '../queue/catalog.ts';
import { createCatalog, createJobs, type JobQueue, type Jobs, type NewJob } from '../queue/index.ts';
import { insertIgnoringConflicts } from '../queue/sql/prepared-insert.ts';
import type { Database, MessagesTable } from '../store/index.ts';
import { deliverJob, deliveryDedupeKey } from './jobs.ts';
import type { Message } from './types.ts';

export type MessageRow = Selectable<MessagesTable>;

/** The exact body every attempt of a message sends and signs: `{ type, timestamp, data }`. */
export function messagePayload(type: string, createdAt: number, dataJson: string): string {
  // Built around the stored data text, so the bytes are the event's own, never re-serialized.
  return `{"type":${JSON.stringify(type)},"timestamp":${JSON.stringify(new Date(createdAt).toISOString())},"data":${dataJson}}`;
}

export interface NewMessage {
  environmentId: string;
  endpointId: string;
  eventId: string | null;
  eventType: string;
  channels: readonly string[] | null;
  payload: string;
  idempotencyKey: string | null;
}

/** A pending row due now. */
export function messageRow(message: NewMessage, now: number, ids: IdFactory): Insertable<MessagesTable> {
  return {
    id: ids('message', now),
    environment_id: message.environmentId,
    endpoint_id: message.endpointId,
    event_id: message.eventId,
    event_type: message.eventType,
    channels: message.channels === null ? null : JSON.stringify(message.channels),
    payload: message.payload,
    idempotency_key: message.idempotencyKey,
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    last_attempt_at: null,
    created_at: now,
    updated_at: now,
  };
}

/** The columns of every row messageRow makes (see insertIgnoringConflicts). */
const MESSAGE_COLUMNS = [
  'id',
  'environment_id',
  'endpoint_id',
  'event_id',
  'event_type',
  'channels',
  'payload',
  'idempotency_key',
  'status',
  'attempts',
  'next_attempt_at',
  'last_attempt_at',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof Insertable<MessagesTable>>;

// 14 columns a row: 500 rows stay far below SQLite's and PostgreSQL's bound-parameter limits.
const INSERT_CHUNK = 500;

/**
 * Inserts rows, skipping any that would repeat an (endpoint, event) or (endpoint, idempotency
 * key) pair already stored. Returns the rows actually inserted.
 */
export async function insertMessages(
  trx: Kysely<Database>,
  rows: readonly Insertable<MessagesTable>[],
): Promise<Insertable<MessagesTable>[]> {
  const inserted: Insertable<MessagesTable>[] = [];
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const chunk = rows.slice(start, start + INSERT_CHUNK);
    const ids = new Set(await insertIgnoringConflicts(trx, 'messages', MESSAGE_COLUMNS, chunk));
    inserted.push(...chunk.filter((row) => ids.has(row.id)));
  }
  return inserted;
}

const deliveryCatalog = createCatalog([deliverJob]);
export type DeliveryJobs = Jobs<typeof deliveryCatalog>;

/** The typed client that queues delivery attempts. */
export function deliveryJobs(queue: JobQueue): DeliveryJobs {
  return createJobs(queue, deliveryCatalog);
}

/**
 * The first scheduled attempt of each message as raw jobs, for `SqlJobQueue.enqueueManyIn` (the
 * same jobs the typed client would queue, validated the same way).
 */
export function firstAttemptJobs(rows: readonly Pick<MessageRow, 'id' | 'environment_id'>[]): NewJob[] {
  return rows.map((row) => {
    const payload = { environmentId: row.environment_id, messageId: row.id, trigger: 'scheduled' as const };
    parsePayload(deliverJob, payload);
    return {
      name: deliverJob.name,
      payload,
      environmentId: row.environment_id,
      priority: deliverJob.priority,
      maxAttempts: deliverJob.retry.attempts,
      backoff: deliverJob.retry.backoff,
      dedupeKey: deliveryDedupeKey(row.id, 1),
    };
  });
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    environmentId: row.environment_id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    channels: row.channels === null ? null : (JSON.parse(row.channels) as string[]),
    payload: JSON.parse(row.payload) as Message['payload'],
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    createdAt: row.created_at,
  };
}
