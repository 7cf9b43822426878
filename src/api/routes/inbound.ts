import type { ConnectionsService } from '../../connections/types.ts';
import { PatchbayError } from '../../errors/index.ts';
import { parseId } from '../../ids/index.ts';
import type { InboundEvent, InboundEventsService } from '../../inbound/service.ts';
import { connectionWebhookUrl, webhookUrlFor } from '../../inbound/urls.ts';
import type { IntegrationsService } from '../../integrations/types.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import { contract } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

export interface InboundRoutesDeps {
  events: InboundEventsService;
  integrations: Pick<IntegrationsService, 'resolve'>;
  connections: Pick<ConnectionsService, 'get' | 'issueWebhookToken' | 'setWebhookSecret'>;
  publicUrl: string;
}

/**
 * `/v1/inbound-events` (list, get with payload, reprocess) and the set-up of inbound webhooks:
 * an integration's intake URL, a connection's URL token and webhook secret.
 */
export function inboundRoutes(deps: InboundRoutesDeps): RouteModule {
  return {
    name: 'inbound',
    routes: [
      route(contract.inbound.list, async ({ auth, query }) => {
        if (query.after !== undefined) parseId('inboundEvent', query.after);
        const { data, nextAfter } = await deps.events.list(auth.environment.id, {
          ...(query.integration === undefined ? {} : { integration: query.integration }),
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.type === undefined ? {} : { type: query.type }),
          ...(query.connection === undefined ? {} : { connection: query.connection }),
          ...(query.since === undefined ? {} : { since: parseInstant('since', query.since) }),
          ...(query.until === undefined ? {} : { until: parseInstant('until', query.until) }),
          ...(query.after === undefined ? {} : { after: query.after }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
        });
        return { data: data.map(present), nextAfter };
      }),
      route(contract.inbound.get, async ({ auth, params }) => {
        const event = await deps.events.get(auth.environment.id, params.id);
        return {
          ...present(event),
          contentType: event.contentType,
          headers: event.headers,
          payload: event.payload,
        };
      }),
      route(contract.inbound.reprocess, ({ auth, params }) =>
        deps.events.reprocess(auth.environment.id, params.id),
      ),
      route(contract.inbound.webhookUrl, async ({ auth, params }) => {
        const integration = await deps.integrations.resolve(auth.environment.id, params.idOrKey);
        const webhooks = integration.definition.webhooks;
        if (!webhooks) {
          throw new PatchbayError(
            'not_found',
            `${integration.provider} does not send webhooks Patchbay can receive`,
          );
        }
        const v = webhooks.verification;
        const secretFrom = 'secretFrom' in v ? v.secretFrom : 'connection';
        return {
          url: webhookUrlFor(deps.publicUrl, auth.environment.id, integration.key),
          scheme: v.scheme,
          preset: v.scheme === 'hmac' ? (v.preset ?? null) : null,
          secretFrom,
          perConnection: webhooks.routing.from === 'url',
        };
      }),
      route(contract.inbound.issueWebhookToken, async ({ auth, params }) => {
        const connection = await deps.connections.get(auth.environment.id, params.id);
        const integration = await deps.integrations.resolve(auth.environment.id, connection.integrationId);
        const webhooks = integration.definition.webhooks;
        if (webhooks?.routing.from !== 'url') {
          throw new PatchbayError(
            'validation_failed',
            `${integration.provider} webhooks are not verified per connection URL; register the integration's URL instead`,
          );
        }
        const { token } = await deps.connections.issueWebhookToken(auth.environment.id, connection.id);
        return {
          connectionId: connection.id,
          url: connectionWebhookUrl(
            deps.publicUrl,
            auth.environment.id,
            integration.key,
            webhooks.verification,
            token,
          ),
        };
      }),
      route(contract.inbound.setWebhookSecret, async ({ auth, params, body }) => {
        await deps.connections.setWebhookSecret(auth.environment.id, params.id, body.secret);
        return { connectionId: params.id, hasWebhookSecret: body.secret !== null };
      }),
    ],
  };
}

function present(event: InboundEvent) {
  return {
    id: event.id,
    integrationId: event.integrationId,
    integrationKey: event.integrationKey,
    provider: event.provider,
    providerEventId: event.providerEventId,
    eventType: event.eventType,
    status: event.status,
    connectionIds: event.connectionIds,
    attempts: event.attempts,
    error: event.error,
    receivedAt: isoTime(event.receivedAt),
    processedAt: isoTimeOrNull(event.processedAt),
  };
}

/** An ISO 8601 instant as epoch ms; `validation_failed` naming the field otherwise. */
function parseInstant(field: string, value: string): number {
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    const message = `${field} must be an ISO 8601 instant, e.g. 2026-01-01T00:00:00Z`;
    throw new PatchbayError('validation_failed', message, {
      details: { issues: [{ path: field, message }] },
    });
  }
  return time;
}
