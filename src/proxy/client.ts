/**
 * ProxyClient: a provider call on behalf of a stored connection, shared by the `/proxy/*` route
 * and by scripts. It asks the refresh coordinator for a fresh connection first (the coordinator
 * refreshes ahead of expiry, once across all processes), refuses connections that need
 * reconnecting, and when the provider still answers 401 to OAuth credentials it forces one
 * refresh — unless someone else refreshed meanwhile — and tries once more.
 */

import { PatchbayError } from '../errors/index.ts';
import type { ConnectionContext } from '../ports/connections.ts';
import type {
  CallTarget,
  ProviderCaller,
  ProviderRequest,
  ProviderResponse,
  ProxyClient,
  RefreshCoordinator,
} from './types.ts';

export interface ProxyClientOptions {
  refresher: RefreshCoordinator;
  caller: ProviderCaller;
}

export function createProxyClient(options: ProxyClientOptions): ProxyClient {
  const { refresher, caller } = options;
  return {
    async request(environmentId, connectionId, request) {
      const connection = usable(await refresher.ensureFresh(environmentId, connectionId));
      const response = await caller.call(targetOf(connection), request);
      if (response.status !== 401 || !refreshable(connection) || !replayable(request)) return response;
      await response.body.cancel().catch(() => {});
      const refreshed = usable(
        await refresher.ensureFresh(environmentId, connectionId, {
          force: true,
          staleUpdatedAt: connection.updatedAt,
        }),
      );
      // A second 401 goes back as it is: the credentials are what the provider refuses.
      const second = await caller.call(targetOf(refreshed), request);
      return withAttempts(second, response.attempts + second.attempts);
    },
  };
}

/** What the caller needs from a connection. */
export function targetOf(connection: ConnectionContext): CallTarget {
  return {
    environmentId: connection.environmentId,
    connectionId: connection.id,
    integration: connection.integration,
    connectionConfig: connection.connectionConfig,
    metadata: connection.metadata,
    credentials: connection.credentials,
  };
}

function usable(connection: ConnectionContext): ConnectionContext {
  if (connection.status === 'reauth_required' || connection.status === 'disconnected') {
    throw new PatchbayError(
      'connection_reauth_required',
      `Connection ${connection.id} needs to be reconnected by its end user before it can be used`,
      { details: { connectionId: connection.id, status: connection.status } },
    );
  }
  return connection;
}

/** Only OAuth tokens can be renewed without the end user. */
function refreshable(connection: ConnectionContext): boolean {
  return (
    connection.credentials.type === 'oauth2' || connection.credentials.type === 'oauth2_client_credentials'
  );
}

/** A streamed body was spent by the first attempt and cannot be sent again. */
function replayable(request: ProviderRequest): boolean {
  const body = request.body;
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) return true;
  return !(body instanceof ReadableStream) && typeof (body as { pipe?: unknown }).pipe !== 'function';
}

function withAttempts(response: ProviderResponse, attempts: number): ProviderResponse {
  return {
    status: response.status,
    headers: response.headers,
    body: response.body,
    attempts,
    text: () => response.text(),
    json: <T>() => response.json<T>(),
  };
}
