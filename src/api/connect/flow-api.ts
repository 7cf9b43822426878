/**
 * The connect page's API (contract: src/api/contract/connect-flow.ts). Every route acts for the
 * connect session its bearer token stands for, inside that session's environment only, and on
 * the integrations the session allows: an integration of another environment is `not_found`, one
 * the session does not offer is `integration_not_allowed`.
 */
import type { FastifyReply } from 'fastify';
import type { ConnectSession } from '../../connect/types.ts';
import { PatchbayError } from '../../errors/index.ts';
import type { Integration } from '../../integrations/types.ts';
import type { ResolvedIntegration } from '../../ports/connections.ts';
import { isoTime } from '../../values/instant.ts';
import {
  connectWithCredentials,
  getConnectPageSession,
  startConnectOAuth,
} from '../contract/connect-flow.ts';
import { requireConnectSession } from '../core/request-auth.ts';
import { type RouteDefinition, route } from '../core/routes.ts';
import type { ConnectFlowDeps } from './flow-deps.ts';
import { presentIntegration } from './flow-present.ts';
import { arrangeTiles } from './flow-tiles.ts';

/** The three operations of the page API, bound to `deps`. */
export function connectPageApi(deps: ConnectFlowDeps): RouteDefinition[] {
  return [
    route(getConnectPageSession, async ({ request, reply }) => {
      noStore(reply);
      return sessionView(deps, requireConnectSession(request));
    }),
    route(startConnectOAuth, async ({ request, reply, body }) => {
      noStore(reply);
      const session = requireConnectSession(request);
      const integration = await allowedIntegration(deps, session, body.integration);
      const start = await deps.auth.startAuthorization({
        session,
        integration,
        connectionConfig: body.connectionConfig,
      });
      return { authorizationUrl: start.authorizationUrl, expiresAt: isoTime(start.expiresAt) };
    }),
    route(connectWithCredentials, async ({ request, reply, body }) => {
      noStore(reply);
      const session = requireConnectSession(request);
      const integration = await allowedIntegration(deps, session, body.integration);
      const { credentials, metadata } = await deps.auth.connectWithCredentials({
        integration,
        environmentId: session.environmentId,
        connectionConfig: body.connectionConfig,
        values: body.values,
      });
      const connection = await deps.connections.save(session.environmentId, {
        integrationId: integration.id,
        endUser: session.endUser,
        credentials,
        connectionConfig: body.connectionConfig,
        metadata,
        connectionId: session.connectionId,
      });
      return { connectionId: connection.id, integration: integration.key, provider: integration.provider };
    }),
  ];
}

// The answers name the end user and the integrations offered: no cache keeps them.
function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}

async function sessionView(deps: ConnectFlowDeps, session: ConnectSession) {
  const environmentId = session.environmentId;
  let offered: Integration[];
  let reconnect = null;
  if (session.connectionId) {
    // A reconnect offers exactly the connection's integration.
    const connection = await deps.connections.get(environmentId, session.connectionId);
    reconnect = {
      connectionId: connection.id,
      integration: connection.integrationKey,
      provider: connection.provider,
      connectionConfig: connection.connectionConfig,
    };
    offered = [await deps.integrations.get(environmentId, connection.integrationId)];
  } else {
    const allowed = session.allowedIntegrations;
    offered = (await deps.integrations.list(environmentId)).filter(
      (integration) => integration.enabled && (allowed === null || allowed.includes(integration.key)),
    );
  }
  const presented = offered.flatMap((integration) => {
    const definition = deps.catalog.get(integration.provider);
    if (!definition) return [];
    return [{ definition, view: presentIntegration(integration, definition, deps.catalog, deps.publicUrl) }];
  });
  return {
    endUser: { id: session.endUser.id },
    allowedOrigin: session.allowedOrigin,
    expiresAt: isoTime(session.expiresAt),
    integrations: presented.map((item) => item.view),
    tiles: arrangeTiles(presented, deps.catalog, deps.publicUrl),
    reconnect,
  };
}

/**
 * The integration `idOrKey` names, resolved for the auth module, after checking that the
 * session offers it: listed in its allowed integrations (by key), enabled, and the reconnect
 * target's own integration when the session reconnects.
 */
export async function allowedIntegration(
  deps: ConnectFlowDeps,
  session: ConnectSession,
  idOrKey: string,
): Promise<ResolvedIntegration> {
  const allowed = session.allowedIntegrations;
  // Checked before the lookup, so a refused name tells nothing about what exists; and again by
  // the integration's own key, which is what the session lists.
  if (allowed && !allowed.includes(idOrKey)) throw notAllowed(idOrKey);
  const integration = await deps.integrations.get(session.environmentId, idOrKey);
  if (allowed && !allowed.includes(integration.key)) throw notAllowed(integration.key);
  if (!integration.enabled) {
    throw new PatchbayError(
      'integration_not_allowed',
      `The integration "${integration.key}" is disabled; enable it before connecting`,
      { details: { integration: integration.key } },
    );
  }
  if (session.connectionId) {
    const connection = await deps.connections.get(session.environmentId, session.connectionId);
    if (connection.integrationId !== integration.id) {
      throw new PatchbayError(
        'integration_not_allowed',
        `This session reconnects a ${connection.integrationKey} connection; it cannot connect "${integration.key}"`,
        { details: { integration: integration.key } },
      );
    }
  }
  return deps.integrations.resolve(session.environmentId, integration.id);
}

function notAllowed(key: string): PatchbayError {
  return new PatchbayError(
    'integration_not_allowed',
    `This connect session does not offer the integration "${key}"; create a session that allows it`,
    { details: { integration: key } },
  );
}
