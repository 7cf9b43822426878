/**
 * The inbound events as the API shows them (list with filters, one with its decoded payload),
 * reprocessing, and the maintenance the jobs run: re-queueing events a crash left unqueued and
 * closing the dedupe window.
 */
import { sql } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { notFound } from '../errors/index.ts';
import type { JobQueue } from '../queue/index.ts';
import type { InboundEventStatus, Store } from '../store/index.ts';
import { processDedupeKey } from './jobs.ts';
import { type DecodedBody, decodeBody } from './payload.ts';

export interface InboundEvent {
  id: string;
  integrationId: string;
  integrationKey: string;
  provider: string;
  providerEventId: string | null;
  eventType: string | null;
  status: InboundEventStatus;
  connectionIds: string[];
  attempts: number;
  error: { code: string; message: string } | null;
  receivedAt: number;
  processedAt: number | null;
}

export interface InboundEventDetail extends InboundEvent {
  contentType: string | null;
  headers: Record<string, string>;
  payload: DecodedBody;
}

export interface ListInboundFilter {
  /** Integration id or key. */
  integration?: string;
  status?: InboundEventStatus;
  /** The provider's event type, exact. */
  type?: string;
  connection?: string;
  since?: number;
  until?: number;
  after?: string;
  limit?: number;
}

export interface InboundEventsService {
  list(
    environmentId: string,
    filter?: ListInboundFilter,
  ): Promise<{ data: InboundEvent[]; nextAfter: string | null }>;
  get(environmentId: string, id: string): Promise<InboundEventDetail>;
  /** Queues the event's processing again (routing afresh); an already processed event emits again. */
  reprocess(environmentId: string, id: string): Promise<{ id: string; status: InboundEventStatus }>;
  /** Queues `inbound.process` for events still `received` a minute after arriving; returns how many. */
  sweep(): Promise<number>;
  /** Clears the dedupe key of events older than the window; returns how many. */
  expireDedupe(): Promise<number>;
}

export interface InboundEventsServiceDeps {
  store: Pick<Store, 'db'>;
  queue: Pick<JobQueue, 'enqueue' | 'enqueueMany'>;
  clock: Clock;
  /** How long a provider's retry of the same event id is recognized. Default 7 days. */
  dedupeWindowMs?: number;
}

export const DEFAULT_DEDUPE_WINDOW_MS = 7 * 24 * 3_600_000;
/** A `received` event this old has lost its job (the process died between store and enqueue). */
const SWEEP_AFTER_MS = 60_000;
const SWEEP_BATCH = 500;
const DEFAULT_PAGE = 50;

export function createInboundEventsService(deps: InboundEventsServiceDeps): InboundEventsService {
  const { db } = deps.store;
  const window = deps.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;

  const baseQuery = (environmentId: string) =>
    db
      .selectFrom('inbound_events')
      .innerJoin('integrations', 'integrations.id', 'inbound_events.integration_id')
      .selectAll('inbound_events')
      .select(['integrations.key as integration_key'])
      .where('inbound_events.environment_id', '=', environmentId);

  return {
    async list(environmentId, filter = {}) {
      const limit = filter.limit ?? DEFAULT_PAGE;
      const rows = await baseQuery(environmentId)
        .$if(filter.integration !== undefined, (q) =>
          q.where((eb) =>
            eb.or([
              eb('integrations.id', '=', filter.integration!),
              eb('integrations.key', '=', filter.integration!),
            ]),
          ),
        )
        .$if(filter.status !== undefined, (q) => q.where('inbound_events.status', '=', filter.status!))
        .$if(filter.type !== undefined, (q) => q.where('inbound_events.event_type', '=', filter.type!))
        .$if(filter.connection !== undefined, (q) =>
          q.where('inbound_events.connection_ids', 'like', `%${JSON.stringify(filter.connection)}%`),
        )
        .$if(filter.since !== undefined, (q) => q.where('inbound_events.received_at', '>=', filter.since!))
        .$if(filter.until !== undefined, (q) => q.where('inbound_events.received_at', '<', filter.until!))
        .$if(filter.after !== undefined, (q) => q.where('inbound_events.id', '>', filter.after!))
        .orderBy('inbound_events.id')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      return { data: page.map(toEvent), nextAfter: rows.length > limit ? page.at(-1)!.id : null };
    },

    async get(environmentId, id) {
      const row = await baseQuery(environmentId).where('inbound_events.id', '=', id).executeTakeFirst();
      if (!row) throw notFound('Inbound event', id.slice(0, 100));
      return {
        ...toEvent(row),
        contentType: row.content_type,
        headers: JSON.parse(row.headers) as Record<string, string>,
        payload: decodeBody(Buffer.from(row.body, 'base64'), row.content_type),
      };
    },

    async reprocess(environmentId, id) {
      const row = await db
        .selectFrom('inbound_events')
        .select(['id', 'status'])
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound('Inbound event', id.slice(0, 100));
      await db
        .updateTable('inbound_events')
        .set({ status: 'received', error_code: null, error_message: null })
        .where('environment_id', '=', environmentId)
        .where('id', '=', id)
        .execute();
      await deps.queue.enqueue({
        name: 'inbound.process',
        payload: { environmentId, inboundEventId: id },
        environmentId,
        dedupeKey: processDedupeKey(id),
      });
      return { id, status: 'received' };
    },

    async sweep() {
      const rows = await db
        .selectFrom('inbound_events')
        .select(['id', 'environment_id'])
        .where('status', '=', 'received')
        .where('received_at', '<', deps.clock.now() - SWEEP_AFTER_MS)
        .orderBy('received_at')
        .limit(SWEEP_BATCH)
        .execute();
      if (rows.length === 0) return 0;
      // The dedupe key makes this a no-op for events whose job is still pending.
      await deps.queue.enqueueMany(
        rows.map((row) => ({
          name: 'inbound.process',
          payload: { environmentId: row.environment_id, inboundEventId: row.id },
          environmentId: row.environment_id,
          dedupeKey: processDedupeKey(row.id),
        })),
      );
      return rows.length;
    },

    async expireDedupe() {
      const result = await db
        .updateTable('inbound_events')
        .set({ dedupe_key: sql<null>`null` })
        .where('received_at', '<', deps.clock.now() - window)
        .where('dedupe_key', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

function toEvent(row: {
  id: string;
  integration_id: string;
  integration_key: string;
  provider: string;
  provider_event_id: string | null;
  event_type: string | null;
  status: InboundEventStatus;
  connection_ids: string;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  received_at: number;
  processed_at: number | null;
}): InboundEvent {
  return {
    id: row.id,
    integrationId: row.integration_id,
    integrationKey: row.integration_key,
    provider: row.provider,
    providerEventId: row.provider_event_id,
    eventType: row.event_type,
    status: row.status,
    connectionIds: JSON.parse(row.connection_ids) as string[],
    attempts: row.attempts,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    receivedAt: Number(row.received_at),
    processedAt: row.processed_at === null ? null : Number(row.processed_at),
  };
}
