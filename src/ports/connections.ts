/**
 * The ports of the provider runtime (auth and proxy), defined where they are used and
 * implemented by the engine services above:
 * - src/connections (lifecycle, credentials at rest) implements ConnectionAccess;
 * - src/integrations implements IntegrationResolver;
 * - src/auth (OAuth 2.0 and the other auth modes) implements TokenRefresher;
 * - src/proxy and src/connections/refresh.ts use them.
 */
import type { ProviderDefinition } from '../catalog/index.ts';
import type { ConnectionStatus } from '../store/index.ts';

/** Decrypted credentials of a connection: only in memory, only while in use. */
export type Credentials =
  | {
      type: 'oauth2';
      accessToken: string;
      refreshToken?: string;
      /** Epoch ms; absent when the provider's tokens do not expire. */
      expiresAt?: number;
      tokenType?: string;
      scope?: string;
      /**
       * Credentials derived at connect time from the provider's answers (Messenger's page access
       * token, read by a metadata field marked `secret`): usable in proxy templates, never shown.
       */
      secrets?: Record<string, string>;
    }
  | {
      type: 'oauth2_client_credentials';
      accessToken: string;
      expiresAt?: number;
      /** The end user's own app credentials (PayPal REST apps), kept for the next grant. */
      clientId?: string;
      clientSecret?: string;
    }
  /** Values of the definition's credential fields, by field key (e.g. `{ apiKey: "…" }`). */
  | { type: 'api_key'; values: Record<string, string> }
  | { type: 'basic'; username: string; password: string }
  | { type: 'none' };

/** An integration as the runtime needs it: app credentials decrypted. */
export interface ResolvedIntegration {
  id: string;
  environmentId: string;
  key: string;
  provider: string;
  clientId: string | null;
  clientSecret: string | null;
  scopes: string[] | null;
  /** The OAuth redirect URI registered at the provider, when not Patchbay's own callback. */
  redirectUri: string | null;
  /** The provider definition with this integration's base URL overrides applied. */
  definition: ProviderDefinition;
}

/** How the runtime finds an integration's app credentials and definition. */
export interface IntegrationResolver {
  /** Decrypted app credentials and the definition with overrides applied; `not_found` elsewhere. */
  resolve(environmentId: string, idOrKey: string): Promise<ResolvedIntegration>;
}

/** The connect session an authorization belongs to, as the auth module needs it. */
export interface AuthorizingSession {
  id: string;
  environmentId: string;
}

/** Everything a provider call needs about one connection. */
export interface ConnectionContext {
  id: string;
  environmentId: string;
  status: ConnectionStatus;
  endUserId: string;
  connectionConfig: Record<string, string>;
  metadata: Record<string, unknown>;
  integration: ResolvedIntegration;
  credentials: Credentials;
  /** Epoch ms when the access token expires, if it does. */
  expiresAt: number | null;
  /** Changes whenever credentials are written: lets a caller tell whether someone refreshed meanwhile. */
  updatedAt: number;
}

/** What the proxy and the refresher read and write through the connections module. */
export interface ConnectionAccess {
  /** Throws `not_found` for an id outside the environment. */
  load(environmentId: string, connectionId: string): Promise<ConnectionContext>;
  /**
   * Stores refreshed credentials (a rotated refresh token included) atomically, sets the status
   * to `active`, clears the last error and the failure count.
   */
  storeRefreshed(
    environmentId: string,
    connectionId: string,
    credentials: Credentials,
  ): Promise<ConnectionContext>;
  /**
   * The provider refused the refresh (`invalid_grant`): status `reauth_required` and the
   * `connection.reauth_required` event, in one transaction.
   */
  markReauthRequired(
    environmentId: string,
    connectionId: string,
    reason: { code: string; message: string },
  ): Promise<void>;
  /** A transient refresh failure: counts it and keeps the last error, status unchanged. */
  recordRefreshFailure(
    environmentId: string,
    connectionId: string,
    reason: { code: string; message: string },
  ): Promise<void>;
}

/** Outcome of asking a provider for fresh tokens. */
export type RefreshOutcome =
  | { ok: true; credentials: Credentials }
  /** The grant is gone (`invalid_grant`, revoked): never retry, ask the user to reconnect. */
  | { ok: false; kind: 'rejected'; code: string; message: string }
  /** A network error, a 5xx or a 429: retry with backoff (retryAfterMs when the provider said). */
  | { ok: false; kind: 'transient'; code: string; message: string; retryAfterMs?: number };

/** Obtains fresh credentials from the provider (OAuth refresh or client credentials grant). */
export interface TokenRefresher {
  /**
   * `connectionConfig` renders token URLs with placeholders
   * (`https://${loginHost}/services/oauth2/token`).
   */
  refresh(
    integration: ResolvedIntegration,
    credentials: Credentials,
    signal?: AbortSignal,
    connectionConfig?: Record<string, string>,
  ): Promise<RefreshOutcome>;
}
