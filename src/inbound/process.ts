/**
 * The `inbound.process` job: routes one stored event and, in one transaction, marks it processed,
 * emits `inbound.<provider>.<type>` (once per routed connection, or once for the integration) and
 * runs the provider's triggers. An event already processed is left alone, so a re-queued job
 * (sweep, retry, duplicate enqueue) never emits twice. No matching connection: the event stays,
 * `unrouted`, for the API to show and reprocess once the connection exists. A stored body that
 * can never be processed (JSON nested deeper than MAX_JSON_DEPTH, which an older version stored)
 * fails at once with its code, rather than through retries that cannot succeed.
 */
import type { Selectable } from 'kysely';
import type { Catalog } from '../catalog/index.ts';
import { getProvider } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import { appendEvent } from '../events/index.ts';
import type { IdFactory } from '../ids/index.ts';
import type { Logger } from '../logger/index.ts';
import type { JobHandlers } from '../queue/index.ts';
import type { InboundEventsTable, Store } from '../store/index.ts';
import { depthLimitText } from '../values/json-depth.ts';
import type { InboundJobs } from './jobs.ts';
import { decodeBody } from './payload.ts';
import { type RoutedConnection, routeEvent } from './routing.ts';
import type { TriggerRegistry } from './triggers.ts';

export interface ProcessDeps {
  store: Pick<Store, 'db'>;
  catalog: Catalog;
  clock: Clock;
  ids: IdFactory;
  logger: Logger;
  triggers: TriggerRegistry;
  /** Payloads larger than this (bytes of the raw body) go into the event as a reference. Default 64 KiB. */
  maxInlinePayloadBytes?: number;
}

/** `failed`: the stored event can never be processed (its status and error say why). */
export type ProcessOutcome = 'processed' | 'unrouted' | 'skipped' | 'failed';

const DEFAULT_MAX_INLINE = 64 * 1024;

/** Processes one event; safe to call again for the same event. */
export async function processInboundEvent(
  deps: ProcessDeps,
  environmentId: string,
  inboundEventId: string,
): Promise<ProcessOutcome> {
  const { db } = deps.store;
  const row = await db
    .selectFrom('inbound_events')
    .innerJoin('integrations', 'integrations.id', 'inbound_events.integration_id')
    .selectAll('inbound_events')
    .select(['integrations.key as integration_key'])
    .where('inbound_events.environment_id', '=', environmentId)
    .where('inbound_events.id', '=', inboundEventId)
    .executeTakeFirst();
  if (!row || row.status === 'processed') return 'skipped';
  const webhooks = getProvider(deps.catalog, row.provider).webhooks;
  const body = Buffer.from(row.body, 'base64');
  const decoded = decodeBody(body, row.content_type);
  if (decoded.kind === 'text' && decoded.reason === 'json_too_deep') {
    // Stored before the intake refused such bodies: no retry can change it, so it fails now,
    // with a reason the API shows, instead of retrying into the same wall.
    await markUnprocessable(deps, row, {
      code: 'json_too_deep',
      message: `The stored payload ${depthLimitText()}; it was received before the limit and cannot be processed`,
    });
    return 'failed';
  }
  const headers = JSON.parse(row.headers) as Record<string, string>;
  const routing = webhooks
    ? await routeEvent(deps.store, {
        environmentId,
        integrationId: row.integration_id,
        routing: webhooks.routing,
        headers,
        parsed: decoded.value,
        knownConnectionIds: JSON.parse(row.connection_ids) as string[],
      })
    : ({ kind: 'integration' } as const);
  const now = deps.clock.now();

  if (routing.kind === 'connections' && routing.connections.length === 0) {
    await db
      .updateTable('inbound_events')
      .set({ status: 'unrouted', attempts: row.attempts + 1, error_code: null, error_message: null })
      .where('environment_id', '=', environmentId)
      .where('id', '=', row.id)
      .where('status', '!=', 'processed')
      .execute();
    return 'unrouted';
  }
  const connections: RoutedConnection[] = routing.kind === 'connections' ? routing.connections : [];
  const outbox = { clock: deps.clock, newId: deps.ids };
  const payload = eventPayload(
    row,
    decoded.value,
    body.length,
    deps.maxInlinePayloadBytes ?? DEFAULT_MAX_INLINE,
  );

  return db.transaction().execute(async (trx) => {
    // The status guard makes concurrent runs of the same event emit once: only one flips it.
    const claimed = await trx
      .updateTable('inbound_events')
      .set({
        status: 'processed',
        connection_ids: JSON.stringify(connections.map((c) => c.id)),
        attempts: row.attempts + 1,
        processed_at: now,
        error_code: null,
        error_message: null,
      })
      .where('environment_id', '=', environmentId)
      .where('id', '=', row.id)
      .where('status', '!=', 'processed')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return 'skipped';
    const type = eventTypeName(row.provider, row.event_type);
    const targets: Array<RoutedConnection | null> = connections.length > 0 ? connections : [null];
    for (const connection of targets) {
      await appendEvent(
        trx,
        {
          environmentId,
          type: type as `inbound.${string}`,
          data: {
            inboundEventId: row.id,
            provider: row.provider,
            integrationKey: row.integration_key,
            providerEventType: row.event_type ?? '',
            connectionId: connection?.id ?? null,
            endUserId: connection?.endUserId ?? null,
            payload,
          },
        } as Parameters<typeof appendEvent>[1],
        outbox,
      );
    }
    for (const trigger of deps.triggers.triggersFor(row.provider)) {
      await trigger({
        trx,
        environmentId,
        inboundEventId: row.id,
        integrationId: row.integration_id,
        provider: row.provider,
        providerEventType: row.event_type,
        connections,
        payload: decoded.value,
        receivedAt: Number(row.received_at),
      });
    }
    return 'processed' as const;
  });
}

/**
 * `inbound.<provider>.<type>`: the provider's type lower-cased, with `/`, `:` and spaces as dots
 * (Shopify's `orders/create` → `orders.create`) and anything else outside `[a-z0-9_-]` as `_`.
 */
export function eventTypeName(provider: string, providerType: string | null): string {
  const segments = (providerType ?? '')
    .toLowerCase()
    .split(/[./: ]+/)
    .map((segment) => segment.replace(/[^a-z0-9_-]/g, '_'))
    .filter((segment) => segment !== '');
  const providerSegment = provider.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  return `inbound.${providerSegment}.${segments.length > 0 ? segments.join('.') : 'event'}`;
}

/** The parsed payload as an object, or a reference to the stored event when it is large. */
function eventPayload(
  row: Selectable<InboundEventsTable>,
  parsed: unknown,
  size: number,
  maxInline: number,
): Record<string, unknown> {
  if (size > maxInline) {
    return { $ref: `/v1/inbound-events/${row.id}`, truncated: true, sizeBytes: size };
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    return parsed as Record<string, unknown>;
  }
  return { value: parsed };
}

/** Handlers of the inbound jobs. */
export function processHandlers(
  deps: ProcessDeps & {
    sweep: () => Promise<number>;
    expireDedupe: () => Promise<number>;
  },
): JobHandlers<InboundJobs> {
  return {
    'inbound.process': async ({ environmentId, inboundEventId }, context) => {
      try {
        await processInboundEvent(deps, environmentId, inboundEventId);
      } catch (error) {
        if (context.job.attempt >= context.job.maxAttempts) {
          await markFailed(deps, environmentId, inboundEventId, error);
        }
        throw error;
      }
    },
    'inbound.sweep': async () => {
      await deps.sweep();
    },
    'inbound.expire-dedupe': async () => {
      await deps.expireDedupe();
    },
  };
}

/** Marks an event `failed` at once, for a reason that no retry can change. */
async function markUnprocessable(
  deps: ProcessDeps,
  row: Selectable<InboundEventsTable>,
  reason: { code: string; message: string },
): Promise<void> {
  await deps.store.db
    .updateTable('inbound_events')
    .set({
      status: 'failed',
      attempts: row.attempts + 1,
      error_code: reason.code,
      error_message: reason.message,
    })
    .where('environment_id', '=', row.environment_id)
    .where('id', '=', row.id)
    .where('status', '!=', 'processed')
    .execute();
  deps.logger.warn({ inboundEventId: row.id, code: reason.code }, 'inbound event cannot be processed');
}

async function markFailed(
  deps: ProcessDeps,
  environmentId: string,
  id: string,
  error: unknown,
): Promise<void> {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  await deps.store.db
    .updateTable('inbound_events')
    .set({
      status: 'failed',
      error_code: typeof code === 'string' ? code.slice(0, 100) : 'processing_failed',
      error_message: message.slice(0, 500),
    })
    .where('environment_id', '=', environmentId)
    .where('id', '=', id)
    .where('status', '=', 'received')
    .execute();
  deps.logger.warn({ inboundEventId: id, code }, 'inbound event failed processing');
}
