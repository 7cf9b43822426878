/**
 * ProxyClient: a provider call on behalf of a stored connection, shared by the `/proxy/*` route
 * and by scripts. It asks the refresh coordinator for a fresh connection first (the coordinator
 * refreshes ahead of expiry, once across all processes), refuses connections that need
 * reconnecting, and when the provider still answers 401 to OAuth credentials it forces one
 * refresh — unless someone else refreshed meanwhile — and tries once more.
 *
 * A definition's `proxy.credentialsRejected` rule names the answers that mean the credentials
 * themselves are gone (Graph's 190 with HTTP 400). Such an answer is retried after a forced
 * refresh when the credentials can be refreshed; when they cannot, or the retry is refused the
 * same way, the connection is marked `reauth_required` (with its event) and the provider's answer
 * is handed back unchanged. Later calls then fail at once with `connection_reauth_required`.
 */

import { PatchbayError } from '../errors/index.ts';
import type { ConnectionAccess, ConnectionContext, Credentials } from '../ports/connections.ts';
import { inspectRejection } from './credentials-rejected.ts';
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
  /** Marks a connection whose credentials the provider rejects (see credentialsRejected). */
  connections: Pick<ConnectionAccess, 'markReauthRequired'>;
}

export function createProxyClient(options: ProxyClientOptions): ProxyClient {
  const { refresher, caller, connections } = options;

  async function markRejected(connection: ConnectionContext, status: number): Promise<void> {
    await connections.markReauthRequired(connection.environmentId, connection.id, {
      code: 'credentials_rejected',
      message: `The provider rejected the connection's credentials (it answered ${status}); the end user must reconnect`,
    });
  }

  return {
    async request(environmentId, connectionId, request) {
      const connection = usable(await refresher.ensureFresh(environmentId, connectionId));
      const rule = connection.integration.definition.proxy?.credentialsRejected;
      const first = await inspectRejection(rule, await caller.call(targetOf(connection), request));
      const response = first.response;
      if (first.rejected && !renewable(connection.credentials)) {
        // No refresh can cure it: only the end user can.
        await markRejected(connection, response.status);
        return response;
      }
      const retry =
        (first.rejected || (response.status === 401 && refreshable(connection))) && replayable(request);
      if (!retry) return response;
      await response.body.cancel().catch(() => {});
      const refreshed = usable(
        await refresher.ensureFresh(environmentId, connectionId, {
          force: true,
          staleUpdatedAt: connection.updatedAt,
        }),
      );
      // A second 401 goes back as it is: the credentials are what the provider refuses.
      const second = await inspectRejection(rule, await caller.call(targetOf(refreshed), request));
      if (second.rejected) await markRejected(refreshed, second.response.status);
      return withAttempts(second.response, response.attempts + second.response.attempts);
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

/** Credentials a forced refresh would actually replace: a refresh token, or a client credentials grant. */
function renewable(credentials: Credentials): boolean {
  if (credentials.type === 'oauth2') return credentials.refreshToken !== undefined;
  return credentials.type === 'oauth2_client_credentials';
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
