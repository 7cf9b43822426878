import type { Connection, ConnectionsService } from '../../connections/types.ts';
import { redactString } from '../../logger/index.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** The outcome of a provider's credential-test call (the auth module's `test`). */
export type ConnectionTestResult =
  | { ok: true; status: number }
  | { ok: false; status: number | null; code: string; message: string };

export interface ConnectionRoutesOptions {
  /** Runs the provider's credential-test call for a connection of the environment. */
  test(environmentId: string, connectionId: string): Promise<ConnectionTestResult>;
}

/** `/v1/connections`: end users' connected accounts in the calling key's environment. */
export function connectionRoutes(
  connections: ConnectionsService,
  options: ConnectionRoutesOptions,
): RouteModule {
  return {
    name: 'connections',
    routes: [
      route(contract.connections.list, async ({ auth, query }) => {
        const { data, nextAfter } = await connections.list(auth.environment.id, {
          ...(query.integration === undefined ? {} : { integration: query.integration }),
          ...(query.endUserId === undefined ? {} : { endUserId: query.endUserId }),
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.after === undefined ? {} : { after: query.after }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
        });
        return { data: data.map(presentConnection), nextAfter };
      }),
      route(contract.connections.get, async ({ auth, params }) =>
        presentConnection(await connections.get(auth.environment.id, params.id)),
      ),
      route(contract.connections.delete, async ({ auth, params }) => {
        const { revoked } = await connections.delete(auth.environment.id, params.id);
        return { id: params.id, deleted: true as const, revoked };
      }),
      route(contract.connections.updateMetadata, async ({ auth, params, body }) =>
        presentConnection(await connections.updateMetadata(auth.environment.id, params.id, body)),
      ),
      route(contract.connections.test, async ({ auth, params }) => {
        // not_found for another environment's id before anything reaches the provider.
        await connections.get(auth.environment.id, params.id);
        const result = await options.test(auth.environment.id, params.id);
        if (result.ok) return { ok: true, status: result.status };
        // The message may quote the provider's answer: redacted and capped like a log line.
        return {
          ok: false,
          status: result.status,
          code: result.code,
          message: redactString(result.message, 500),
        };
      }),
    ],
  };
}

/** A connection as the API shows it: never its credentials. */
export function presentConnection(connection: Connection): ResponseOf<typeof contract.connections.get> {
  return {
    id: connection.id,
    environmentId: connection.environmentId,
    integrationId: connection.integrationId,
    integrationKey: connection.integrationKey,
    provider: connection.provider,
    endUser: connection.endUser,
    status: connection.status,
    connectionConfig: connection.connectionConfig,
    metadata: connection.metadata,
    expiresAt: isoTimeOrNull(connection.expiresAt),
    lastError: connection.lastError,
    lastRefreshedAt: isoTimeOrNull(connection.lastRefreshedAt),
    createdAt: isoTime(connection.createdAt),
    updatedAt: isoTime(connection.updatedAt),
  };
}
