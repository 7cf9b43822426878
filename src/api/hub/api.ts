/**
 * The hub page's API (contract: src/api/contract/hub.ts, `/hub/api/…`). Every route acts for the
 * end user and environment of the hub session its bearer token stands for, through the hub
 * service (which goes through the engine's services: plans are enforced there).
 */
import type { FastifyReply } from 'fastify';
import type { HubOptions } from '../../hub/options.ts';
import type { HubService } from '../../hub/service.ts';
import { isoTime } from '../../values/instant.ts';
import {
  deleteHubMapping,
  disconnectHubConnection,
  getHubConnection,
  getHubPage,
  putHubMapping,
  startHubConnect,
  syncHubConnection,
  testHubConnection,
} from '../contract/hub.ts';
import { requireConnectSession } from '../core/request-auth.ts';
import { type RouteDefinition, route } from '../core/routes.ts';
import { presentUsage } from '../routes/end-users.ts';
import { presentFieldMapping } from '../routes/field-mappings.ts';
import { presentRun } from '../routes/syncs.ts';
import { presentHub, presentHubConnection } from './present.ts';

export interface HubPageApiDeps {
  hub: HubService;
  /** Where browsers reach Patchbay, without a trailing slash: the connect page's URL. */
  publicUrl: string;
}

/** The hub page's operations, bound to `deps`. */
export function hubPageApi(deps: HubPageApiDeps): RouteDefinition[] {
  const { hub } = deps;
  return [
    route(getHubPage, async ({ request, reply }) => {
      noStore(reply);
      const session = requireConnectSession(request, 'hub');
      const options = (session.options ?? {}) as HubOptions;
      return {
        allowedOrigin: session.allowedOrigin,
        returnUrl: options.returnUrl ?? null,
        expiresAt: isoTime(session.expiresAt),
        hub: presentHub(await hub.view(session.environmentId, session.endUser.id)),
        usage: presentUsage(await hub.usage(session.environmentId, session.endUser.id)),
      };
    }),
    route(startHubConnect, async ({ request, reply, body }) => {
      noStore(reply);
      const session = requireConnectSession(request, 'hub');
      const { token, expiresAt } = await hub.connect(session.environmentId, session, {
        integration: body.integration,
        connectionId: body.connectionId ?? null,
      });
      return {
        url: `${deps.publicUrl}/connect?session=${encodeURIComponent(token)}`,
        expiresAt: isoTime(expiresAt),
      };
    }),
    route(getHubConnection, async ({ request, reply, params }) => {
      noStore(reply);
      const session = requireConnectSession(request, 'hub');
      const detail = await hub.detail(session.environmentId, session.endUser.id, params.id);
      return {
        ...detail,
        connection: presentHubConnection(detail.connection),
        runs: detail.runs.map(presentRun),
        mappings: detail.mappings.map(presentFieldMapping),
      };
    }),
    route(testHubConnection, async ({ request, reply, params }) => {
      noStore(reply);
      const session = requireConnectSession(request, 'hub');
      return hub.test(session.environmentId, session.endUser.id, params.id);
    }),
    route(syncHubConnection, async ({ request, reply, params }) => {
      noStore(reply);
      const session = requireConnectSession(request, 'hub');
      return hub.sync(session.environmentId, session.endUser.id, params.id);
    }),
    route(disconnectHubConnection, async ({ request, reply, params }) => {
      noStore(reply);
      const session = requireConnectSession(request, 'hub');
      const { revoked } = await hub.disconnect(session.environmentId, session.endUser.id, params.id);
      return { id: params.id, deleted: true as const, revoked };
    }),
    route(putHubMapping, async ({ request, reply, params, body }) => {
      noStore(reply);
      const session = requireConnectSession(request, 'hub');
      return presentFieldMapping(
        await hub.setMapping(
          session.environmentId,
          session.endUser.id,
          params.id,
          params.kind,
          params.target,
          body,
        ),
      );
    }),
    route(deleteHubMapping, async ({ request, reply, params }) => {
      noStore(reply);
      const session = requireConnectSession(request, 'hub');
      await hub.deleteMapping(
        session.environmentId,
        session.endUser.id,
        params.id,
        params.kind,
        params.target,
      );
      return { deleted: true as const };
    }),
  ];
}

// Answers name the end user and their accounts: no cache keeps them.
function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}
