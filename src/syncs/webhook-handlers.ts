/**
 * Webhook handlers at work: the inbound trigger that runs a provider's `webhooks/handlers/*`
 * for each connection an inbound event was routed to, inside the transaction that marks the
 * event processed (src/inbound/process.ts). A handler's record writes go through the same
 * records repository and validation as a sync's (same model names, same (connection, model, id)
 * keys, same hash-based change detection), its `records.changed` and script events are appended
 * to the outbox in that transaction, and a handler that throws rolls all of it back with the
 * event's processing, which the `inbound.process` job then retries.
 */
import type { Clock } from '../clock/index.ts';
import type { Connection, ConnectionsService } from '../connections/types.ts';
import { PatchbayError } from '../errors/index.ts';
import { appendEvent } from '../events/index.ts';
import type { IdFactory } from '../ids/index.ts';
import type { InboundTrigger, TriggerContext } from '../inbound/triggers.ts';
import type { Logger } from '../logger/index.ts';
import { createEventCollector, scriptEventOf } from '../scripting/events.ts';
import type {
  ModelSchemas,
  WebhookHandlerContext,
  WebhookHandlerDefinition,
  WebhookHandlerEvent,
} from '../scripting/types.ts';
import { prepareRecord, type RecordsRepository, webhookWriterId } from './records/index.ts';
import { createRecordsHooks, type RecordsHooks } from './records-hooks.ts';

export interface WebhookHandlersDeps {
  records: Pick<RecordsRepository, 'lock' | 'find' | 'upsert' | 'softDelete'>;
  connections: Pick<ConnectionsService, 'getIn' | 'markRevokedIn'>;
  clock: Clock;
  ids: IdFactory;
  logger: Logger;
  /** Where `records.changed` goes (and its listeners); default one without listeners. */
  recordsHooks?: RecordsHooks;
}

/** `*` handles every event of the provider, typed or not. */
export function handlesEvent(handler: WebhookHandlerDefinition, type: string | null): boolean {
  return handler.events.includes('*') || (type !== null && handler.events.includes(type));
}

/**
 * The trigger of one provider's handlers. Events routed to no connection (an integration-wide
 * event) run none: a handler writes a connection's records.
 */
export function webhookHandlersTrigger(
  deps: WebhookHandlersDeps,
  handlers: readonly WebhookHandlerDefinition[],
): InboundTrigger {
  return async (event) => {
    const matching = handlers.filter((handler) => handlesEvent(handler, event.providerEventType));
    if (matching.length === 0) return;
    for (const routed of event.connections) {
      const connection = await deps.connections.getIn(event.trx, event.environmentId, routed.id);
      for (const handler of matching) await runHandler(deps, event, connection, handler);
    }
  };
}

type Counts = { added: number; updated: number; deleted: number };

const defaultHooks = createRecordsHooks();

async function runHandler(
  deps: WebhookHandlersDeps,
  event: TriggerContext,
  connection: Connection,
  handler: WebhookHandlerDefinition,
): Promise<void> {
  const { trx, environmentId } = event;
  // The inbound event stands in for a sync run: it stamps the rows it writes (`last_run_id`),
  // marked so that a full run's delete detection spares what it writes while the run lists.
  const scope = { environmentId, connectionId: connection.id, runId: webhookWriterId(event.inboundEventId) };
  const counts = new Map<string, Counts>();
  const collector = createEventCollector();
  const handled: WebhookHandlerEvent = {
    id: event.inboundEventId,
    type: event.providerEventType,
    payload: event.payload,
    receivedAt: event.receivedAt,
  };

  function schemaOf(model: string) {
    const schema = Object.hasOwn(handler.models, model) ? handler.models[model] : undefined;
    if (!schema) {
      throw new PatchbayError(
        'script_definition_invalid',
        `Webhook handler "${handler.name}" has no model "${model}"; its models are ${Object.keys(handler.models).join(', ') || '(none)'}`,
      );
    }
    return schema;
  }
  function countsOf(model: string): Counts {
    let entry = counts.get(model);
    if (!entry) {
      entry = { added: 0, updated: 0, deleted: 0 };
      counts.set(model, entry);
    }
    return entry;
  }

  const context: WebhookHandlerContext<ModelSchemas> = {
    connection: {
      id: connection.id,
      environmentId,
      integrationId: connection.integrationId,
      provider: connection.provider,
      endUserId: connection.endUser.id,
      config: connection.connectionConfig,
      metadata: connection.metadata,
      revoked: (reason) => deps.connections.markRevokedIn(trx, environmentId, connection.id, reason),
    },
    log: deps.logger.child({
      inboundEventId: event.inboundEventId,
      connectionId: connection.id,
      webhookHandler: handler.name,
    }),
    event: handled,
    events: collector.events,
    records: {
      async get(model, id) {
        schemaOf(model);
        // Held to the end of the transaction: a concurrent event about the same record waits,
        // then reads what this one wrote (PostgreSQL; SQLite serializes writers anyway).
        await deps.records.lock(trx, scope, model, [id]);
        const record = await deps.records.find(trx, environmentId, connection.id, model, id);
        return (record?.data ?? null) as never;
      },
      async save(model, list) {
        const schema = schemaOf(model);
        const prepared = list.map((input) => prepareRecord(model, schema, input));
        await deps.records.lock(
          trx,
          scope,
          model,
          prepared.map((record) => record.externalId),
        );
        const result = await deps.records.upsert(trx, scope, model, prepared);
        const entry = countsOf(model);
        entry.added += result.added;
        entry.updated += result.updated;
      },
      async delete(model, ids) {
        schemaOf(model);
        for (const id of ids) {
          if (typeof id !== 'string' || id === '') {
            throw new PatchbayError(
              'record_invalid',
              `records.delete("${model}") needs provider ids (non-empty strings)`,
            );
          }
        }
        await deps.records.lock(trx, scope, model, ids);
        countsOf(model).deleted += await deps.records.softDelete(trx, scope, model, ids);
      },
    },
  };
  // Every record the handler writes is stamped at or after this instant (records/repository.ts).
  const since = deps.clock.now();
  await handler.handle(context, handled);

  const outbox = { clock: deps.clock, newId: deps.ids };
  const recordsHooks = deps.recordsHooks ?? defaultHooks;
  for (const [model, c] of counts) {
    if (c.added + c.updated + c.deleted === 0) continue;
    await recordsHooks.changed(
      {
        trx,
        environmentId,
        connectionId: connection.id,
        integrationId: connection.integrationId,
        integrationKey: connection.integrationKey,
        provider: connection.provider,
        endUserId: connection.endUser.id,
        sync: null,
        syncRunId: null,
        webhookHandler: handler.name,
        inboundEventId: event.inboundEventId,
        model,
        ...c,
        since,
      },
      outbox,
    );
  }
  for (const pending of collector.drain()) await appendEvent(trx, scriptEventOf(connection, pending), outbox);
}
