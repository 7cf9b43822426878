/**
 * The messages service: events the host creates through the API (fanned out to matching
 * endpoints at once, like engine events), the delivery log (messages and their attempts), and
 * replay (resend one message, recover an endpoint's failed messages in the background).
 *
 * API-created event types: any `a.b[.c…]` type outside the prefixes the catalog reserves
 * (`connection.*`, `endpoint.*`, `sync.*`, `records.*`, `inbound.*`, `invoice.*`, `action.*`), so a receiver
 * can trust that a message of a catalog type came from Patchbay itself.
 */
import { type Insertable, sql } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import { EVENT_TYPE_PATTERN, isReservedEventType, RESERVED_PREFIXES, typePrefix } from '../events/index.ts';
import { type IdFactory, newId, parseId } from '../ids/index.ts';
import { createCatalog, createJobs, type JobQueue, type TransactionalQueue } from '../queue/index.ts';
import type { AttemptsTable, MessagesTable, Store } from '../store/index.ts';
import { checkValueDepth } from '../values/json-depth.ts';
import { deliverJob, recoverJob } from './jobs.ts';
import {
  firstAttemptJobs,
  insertMessages,
  type MessageRow,
  messagePayload,
  messageRow,
  toMessage,
} from './messages-rows.ts';
import type { Attempt, EndpointsService, ListMessagesFilter, Message, MessagesService } from './types.ts';

export interface MessagesServiceOptions {
  store: Pick<Store, 'db'>;
  endpoints: Pick<EndpointsService, 'matching' | 'get'>;
  /** Messages and their first attempts' jobs commit together in one of the queue's transactions. */
  queue: JobQueue & TransactionalQueue;
  clock: Clock;
  ids?: IdFactory;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;
/** The most messages one recover call resends. */
export const DEFAULT_RECOVER_LIMIT = 10_000;

const replayCatalog = createCatalog([deliverJob, recoverJob]);

export function createMessagesService(options: MessagesServiceOptions): MessagesService {
  const { store, endpoints, clock } = options;
  const db = store.db;
  const ids = options.ids ?? newId;
  const replay = createJobs(options.queue, replayCatalog);
  const insert = createInserter(options.queue);

  async function byIdempotencyKey(environmentId: string, key: string): Promise<Message[]> {
    const rows = await db
      .selectFrom('messages')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('idempotency_key', '=', key)
      .orderBy('id')
      .execute();
    return rows.map(toMessage);
  }

  async function findRow(environmentId: string, id: string): Promise<MessageRow> {
    parseId('message', id);
    const row = await db
      .selectFrom('messages')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Message', id.slice(0, 100));
    return row;
  }

  return {
    async create(environmentId, input) {
      const type = checkEventType(input.eventType);
      // The API's parser refuses such bodies; a library caller's value is checked here, before
      // JSON.stringify (and every receiver's parser) would have to recurse through it.
      checkValueDepth(input.data, 'The event data');
      const key = input.idempotencyKey ?? null;
      if (key !== null) {
        const existing = await byIdempotencyKey(environmentId, key);
        if (existing.length > 0) return existing;
      }
      const channels = input.channels ?? null;
      const targets = await endpoints.matching(environmentId, type, channels);
      if (targets.length === 0) return [];
      const now = clock.now();
      const payload = messagePayload(type, now, JSON.stringify(input.data));
      const rows = targets.map((endpoint) =>
        messageRow(
          {
            environmentId,
            endpointId: endpoint.id,
            eventId: null,
            eventType: type,
            channels,
            payload,
            idempotencyKey: key,
          },
          now,
          ids,
        ),
      );
      const inserted = await insert(rows);
      // A concurrent call with the same key won the race: answer with what it stored.
      if (key !== null && inserted.length < rows.length) return byIdempotencyKey(environmentId, key);
      return inserted.map((row) => toMessage(row as MessageRow));
    },

    async list(environmentId, filter: ListMessagesFilter = {}) {
      const limit = pageSize(filter.limit);
      if (filter.endpointId !== undefined) parseId('endpoint', filter.endpointId);
      if (filter.after !== undefined) parseId('message', filter.after);
      const eventType = filter.eventType;
      const rows = await db
        .selectFrom('messages')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .$if(filter.endpointId !== undefined, (q) => q.where('endpoint_id', '=', filter.endpointId!))
        .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
        .$if(eventType !== undefined, (q) =>
          eventType!.endsWith('.*')
            ? q.where(typePrefix(eventType!.slice(0, -1), 'event_type'), '=', eventType!.slice(0, -1))
            : q.where('event_type', '=', eventType!),
        )
        .$if(filter.since !== undefined, (q) => q.where('created_at', '>=', filter.since!))
        .$if(filter.until !== undefined, (q) => q.where('created_at', '<', filter.until!))
        .$if(filter.after !== undefined, (q) => q.where('id', '>', filter.after!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      return { data: page.map(toMessage), nextAfter: rows.length > limit ? page.at(-1)!.id : null };
    },

    async get(environmentId, id) {
      return toMessage(await findRow(environmentId, id));
    },

    async attempts(environmentId, messageId, options = {}) {
      await findRow(environmentId, messageId);
      const limit = pageSize(options.limit);
      if (options.after !== undefined) parseId('attempt', options.after);
      const rows = await db
        .selectFrom('attempts')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('message_id', '=', messageId)
        .$if(options.after !== undefined, (q) => q.where('id', '>', options.after!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      return { data: page.map(toAttempt), nextAfter: rows.length > limit ? page.at(-1)!.id : null };
    },

    async resend(environmentId, messageId) {
      const row = await findRow(environmentId, messageId);
      // No dedupe key: each resend the host asks for is one more attempt.
      await replay.enqueue(
        'outbound.deliver',
        { environmentId, messageId: row.id, trigger: 'manual' },
        { environmentId },
      );
    },

    async recover(environmentId, endpointId, since, limit = DEFAULT_RECOVER_LIMIT) {
      parseId('endpoint', endpointId);
      await endpoints.get(environmentId, endpointId);
      const bounded = Math.min(Math.max(Math.trunc(limit), 1), DEFAULT_RECOVER_LIMIT);
      const failed = db
        .selectFrom('messages')
        .select('id')
        .where('environment_id', '=', environmentId)
        .where('endpoint_id', '=', endpointId)
        .where('status', '=', 'failed')
        .where('created_at', '>=', since)
        .limit(bounded);
      const counted = await db
        .selectFrom(failed.as('failed'))
        .select(sql<number>`count(*)`.as('count'))
        .executeTakeFirstOrThrow();
      const queued = Number(counted.count);
      if (queued > 0) {
        await replay.enqueue(
          'outbound.recover',
          { environmentId, endpointId, since, limit: bounded },
          { environmentId },
        );
      }
      return { queued };
    },
  };
}

type NewRow = Insertable<MessagesTable>;

/**
 * Stores messages with their first attempts' jobs in one of the queue's transactions (shared with
 * concurrent calls: group commit), so no crash leaves a pending message without its job.
 */
function createInserter(queue: TransactionalQueue): (rows: NewRow[]) => Promise<NewRow[]> {
  return queue.batcher<NewRow[], NewRow[]>(async (trx, calls) => {
    const inserted = new Set((await insertMessages(trx, calls.flat())).map((row) => row.id));
    const kept = calls.map((rows) => rows.filter((row) => inserted.has(row.id)));
    await queue.enqueueManyIn(
      trx,
      firstAttemptJobs(kept.flat().map((row) => ({ id: row.id, environment_id: row.environment_id }))),
    );
    return kept;
  });
}

/** The type of an API-created event; throws `validation_failed` or `event_type_reserved`. */
export function checkEventType(type: string): string {
  if (type.length > 200 || !EVENT_TYPE_PATTERN.test(type)) {
    throw new PatchbayError(
      'validation_failed',
      'An event type is two or more dot-separated lower-case segments of letters, digits and "_" ("-" too after the first), e.g. "order.shipped" (at most 200 characters)',
      { details: { issues: [{ path: 'eventType', message: 'invalid event type' }] } },
    );
  }
  if (isReservedEventType(type)) {
    throw new PatchbayError(
      'event_type_reserved',
      `"${type}" is under a prefix reserved for Patchbay's own events (${RESERVED_PREFIXES.map((p) => `${p}.*`).join(', ')}); choose another type, e.g. "app.${type}"`,
      { details: { reserved: RESERVED_PREFIXES } },
    );
  }
  return type;
}

function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(Math.trunc(limit ?? DEFAULT_PAGE), 1), MAX_PAGE);
}

function toAttempt(row: AttemptsTable): Attempt {
  return {
    id: row.id,
    messageId: row.message_id,
    endpointId: row.endpoint_id,
    attempt: Number(row.attempt),
    trigger: row.trigger,
    status: row.status,
    responseStatus: row.response_status === null ? null : Number(row.response_status),
    responseBody: row.response_body,
    durationMs: Number(row.duration_ms),
    errorCode: row.error_code,
    errorMessage: row.error_message,
    createdAt: row.created_at,
  };
}
