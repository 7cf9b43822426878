/**
 * The TokenRefresher: fresh credentials from the provider, classified so the caller knows what
 * to do. `rejected` (never retried): the grant is gone — `invalid_grant`, `unauthorized_client`,
 * or any OAuth error answered with 400/401. `transient` (retry with backoff): network errors,
 * 5xx, 429 (with `Retry-After` in ms when the provider sent one), and answers that carry no
 * tokens and no OAuth error.
 */
import type { AuthConfig } from '../catalog/auth.ts';
import type { Clock } from '../clock/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { Credentials, RefreshOutcome, ResolvedIntegration } from '../ports/connections.ts';
import { oauthContext } from './oauth-client.ts';
import { oauthCredentials } from './oauth-flow.ts';
import { clientCredentialsRequest, refreshTokenRequest } from './token-requests.ts';
import { readTokenResponse, STANDARD_TOKEN_RESPONSE, TokenEndpointError } from './token-response.ts';

/** Client-credentials credentials; the client id/secret are kept when the end user supplied them. */
export type ClientCredentials = Extract<Credentials, { type: 'oauth2_client_credentials' }>;

const GRANT_GONE = new Set(['invalid_grant', 'unauthorized_client']);

export function createRefresher(deps: { clock: Clock; fetch: typeof fetch }) {
  const { clock } = deps;

  /**
   * `connectionConfig` renders token URLs with placeholders (`https://${loginHost}/…`); the
   * TokenRefresher contract does not pass it yet, so it is an extra optional argument here.
   */
  async function refresh(
    integration: ResolvedIntegration,
    credentials: Credentials,
    signal?: AbortSignal,
    connectionConfig: Record<string, string> = {},
  ): Promise<RefreshOutcome> {
    const auth = integration.definition.auth;
    try {
      if (auth.mode === 'oauth2')
        return await refreshOAuth2(integration, auth, credentials, connectionConfig, signal);
      if (auth.mode === 'oauth2_client_credentials') {
        return await regrantClientCredentials(integration, auth, credentials, connectionConfig, signal);
      }
      return rejected(
        'refresh_unsupported',
        `Integration "${integration.key}" (${auth.mode}) has no tokens to refresh`,
      );
    } catch (error) {
      return classify(error);
    }
  }

  async function refreshOAuth2(
    integration: ResolvedIntegration,
    auth: AuthConfig<'oauth2'>,
    credentials: Credentials,
    connectionConfig: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<RefreshOutcome> {
    if (credentials.type !== 'oauth2')
      return rejected('credentials_mismatch', 'The stored credentials are not OAuth tokens');
    if (!credentials.refreshToken) {
      return rejected(
        'refresh_token_missing',
        'The provider issued no refresh token; the end user must reconnect',
      );
    }
    const ctx = oauthContext({
      integration,
      spec: auth,
      connectionConfig,
      fetch: deps.fetch,
      ...(signal ? { signal } : {}),
    });
    const response = await refreshTokenRequest(ctx, credentials.refreshToken);
    const tokens = await readTokenResponse(
      ctx,
      response,
      auth.tokenResponse,
      clock,
      auth.tokenExpiresInDefault,
    );
    // Non-rotating providers answer without a refresh token: the old one stays valid.
    return { ok: true, credentials: oauthCredentials(tokens, credentials.refreshToken, credentials.secrets) };
  }

  async function regrantClientCredentials(
    integration: ResolvedIntegration,
    auth: AuthConfig<'oauth2_client_credentials'>,
    credentials: Credentials,
    connectionConfig: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<RefreshOutcome> {
    if (credentials.type !== 'oauth2_client_credentials') {
      return rejected('credentials_mismatch', 'The stored credentials are not client credentials');
    }
    const stored = credentials as ClientCredentials;
    const fromConnection = auth.credentialsFrom === 'connection';
    if (fromConnection && (!stored.clientId || !stored.clientSecret)) {
      return rejected(
        'client_credentials_missing',
        'The client id and secret were not kept; the end user must reconnect',
      );
    }
    const result = await clientCredentialsGrant({
      integration,
      auth,
      connectionConfig,
      clientId: fromConnection ? (stored.clientId ?? null) : null,
      clientSecret: fromConnection ? (stored.clientSecret ?? null) : null,
      fetch: deps.fetch,
      clock,
      ...(signal ? { signal } : {}),
    });
    return { ok: true, credentials: result };
  }

  return { refresh };
}

/** The client credentials grant (RFC 6749 §4.4); throws TokenEndpointError on failure. */
export async function clientCredentialsGrant(input: {
  integration: ResolvedIntegration;
  auth: AuthConfig<'oauth2_client_credentials'>;
  connectionConfig: Record<string, string>;
  clientId: string | null;
  clientSecret: string | null;
  fetch: typeof fetch;
  clock: Clock;
  signal?: AbortSignal;
}): Promise<ClientCredentials> {
  const { auth } = input;
  const ctx = oauthContext({
    integration: input.integration,
    spec: auth,
    connectionConfig: input.connectionConfig,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    fetch: input.fetch,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const scope = auth.scopes.length > 0 ? auth.scopes.join(auth.scopeSeparator) : undefined;
  const response = await clientCredentialsRequest(ctx, scope);
  const tokens = await readTokenResponse(
    ctx,
    response,
    STANDARD_TOKEN_RESPONSE,
    input.clock,
    auth.tokenExpiresInDefault,
  );
  const credentials: ClientCredentials = {
    type: 'oauth2_client_credentials',
    accessToken: tokens.accessToken,
  };
  if (tokens.expiresAt !== undefined) credentials.expiresAt = tokens.expiresAt;
  if (auth.credentialsFrom === 'connection') {
    credentials.clientId = ctx.clientId;
    credentials.clientSecret = ctx.clientSecret;
  }
  return credentials;
}

/** Sorts a failure into rejected (the grant is gone) or transient (try again later). */
export function classify(error: unknown): RefreshOutcome {
  if (error instanceof TokenEndpointError) {
    if (error.kind === 'refused') {
      const oauthError = error.error;
      const gone =
        (oauthError !== undefined && GRANT_GONE.has(oauthError)) ||
        (oauthError !== undefined && (error.status === 400 || error.status === 401 || error.status === 200));
      if (gone)
        return rejected(oauthError ?? 'invalid_grant', `The provider refused the refresh (${oauthError})`);
      return transient(
        `token_endpoint_${error.status ?? 'error'}`,
        `The token endpoint answered ${error.status}`,
      );
    }
    if (error.kind === 'unreachable') {
      const code =
        error.status === 429
          ? 'rate_limited'
          : error.status === null
            ? 'provider_unreachable'
            : 'provider_unavailable';
      const message =
        error.status === null
          ? 'The token endpoint could not be reached'
          : `The token endpoint answered ${error.status}`;
      return transient(code, message, error.retryAfterMs);
    }
    return transient('invalid_token_response', 'The token endpoint answered without usable tokens');
  }
  // Only the provider can say a grant is gone; our own failures (a config value that does not
  // render, a missing client secret) stay transient, so the failure count and last error show them.
  if (isPatchbayError(error)) return transient(error.code, error.message);
  return transient('refresh_error', error instanceof Error ? error.message : 'the refresh failed');
}

function rejected(code: string, message: string): RefreshOutcome {
  return { ok: false, kind: 'rejected', code, message };
}

function transient(code: string, message: string, retryAfterMs?: number): RefreshOutcome {
  return retryAfterMs === undefined
    ? { ok: false, kind: 'transient', code, message }
    : { ok: false, kind: 'transient', code, message, retryAfterMs };
}
