/**
 * The auth module: OAuth 2.0 flows on oauth4webapi (authorization code with state + PKCE S256,
 * client credentials, refresh, revocation), key-based modes checked with the provider's own test
 * call, and Shopify-style install HMAC. It never stores connections itself: it returns
 * credentials, and the connect routes hand them to the connections service.
 */
import type {
  AuthorizingSession,
  ConnectionContext,
  Credentials,
  ResolvedIntegration,
  TokenRefresher,
} from '../ports/connections.ts';

export interface AuthorizationStart {
  /** Where the popup goes: the provider's authorization URL with state and code_challenge. */
  authorizationUrl: string;
  expiresAt: number;
}

export interface AuthorizationResult {
  environmentId: string;
  /** The connect session the state was bound to. */
  sessionId: string;
  integrationId: string;
  credentials: Credentials;
  connectionConfig: Record<string, string>;
  /** Metadata read from the token response and the definition's metadata request. */
  metadata: Record<string, unknown>;
}

export interface AuthService extends TokenRefresher {
  /**
   * Validates connection config against the definition's fields, stores a single-use, expiring
   * state bound to the session (PKCE verifier encrypted) and returns the authorization URL.
   * Throws `validation_failed` for bad config, `auth_mode_unsupported` for a non-OAuth integration.
   */
  startAuthorization(input: {
    session: AuthorizingSession;
    integration: ResolvedIntegration;
    connectionConfig: Record<string, string>;
  }): Promise<AuthorizationStart>;
  /**
   * Handles the provider's redirect (the full callback URL). Consumes the state once; exchanges
   * the code with the PKCE verifier. Errors (all 4xx, stable codes): `oauth_state_invalid`
   * (unknown or replayed), `oauth_state_expired`, `oauth_provider_error` (the provider sent
   * `error=`), `oauth_exchange_failed` (the token endpoint refused: wrong verifier, redirect URI
   * mismatch…), `install_signature_invalid`.
   */
  completeAuthorization(callbackUrl: URL): Promise<AuthorizationResult>;
  /**
   * Key-based modes (api_key, basic, oauth2_client_credentials from the connection, none): checks
   * the values against the definition's fields, makes the provider's credential-test call, and
   * returns credentials. `credentials_rejected` (400) when the provider refuses them.
   */
  connectWithCredentials(input: {
    integration: ResolvedIntegration;
    environmentId: string;
    connectionConfig: Record<string, string>;
    values: Record<string, string>;
  }): Promise<{ credentials: Credentials; metadata: Record<string, unknown> }>;
  /**
   * Shopify-style install: verifies the query's HMAC (constant time) and timestamp, validates the
   * shop domain; returns the connection config to start authorization with.
   * `install_signature_invalid` / `validation_failed` otherwise.
   */
  verifyInstall(
    integration: ResolvedIntegration,
    query: URLSearchParams,
  ): { connectionConfig: Record<string, string> };
  /** Revokes the grant where the definition has a revoke URL; `{ revoked: false }` where it has none. */
  revoke(connection: ConnectionContext): Promise<{ revoked: boolean }>;
  /** The definition's credential-test call with the connection's credentials. */
  test(
    connection: ConnectionContext,
  ): Promise<
    { ok: true; status: number } | { ok: false; status: number | null; code: string; message: string }
  >;
}
