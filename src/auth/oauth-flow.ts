/**
 * The OAuth 2.0 authorization code flow (RFC 6749 §4.1) with `state` and PKCE S256 (RFC 7636):
 * starting it (the authorization URL and a stored, single-use state) and completing it (the
 * callback: state consumed once, code exchanged, the token traded when the definition declares a
 * token exchange, metadata read).
 */
import * as oauth from 'oauth4webapi';
import type { AuthConfig } from '../catalog/auth.ts';
import type { Clock } from '../clock/index.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import type { Logger } from '../logger/index.ts';
import type {
  AuthorizingSession,
  Credentials,
  IntegrationResolver,
  ResolvedIntegration,
} from '../ports/connections.ts';
import { scalarText, valueAt } from '../values/path.ts';
import { readFields, readSecretFields, requestMetadata } from './metadata.ts';
import { oauthContext } from './oauth-client.ts';
import type { StateStore } from './states.ts';
import { exchangeToken } from './token-exchange.ts';
import { authorizationCodeRequest } from './token-requests.ts';
import { readTokenResponse, TokenEndpointError, type TokenSet } from './token-response.ts';
import type { AuthorizationResult, AuthorizationStart } from './types.ts';
import { validateConnectionConfig } from './validation.ts';
import { renderUrl, safeErrorCode } from './values.ts';

export interface OAuthFlowDeps {
  states: StateStore;
  clock: Clock;
  integrations: IntegrationResolver;
  fetch: typeof fetch;
  publicUrl: string;
  stateTtlSeconds: number;
  logger: Logger;
}

/** The registered redirect URI: the integration's own setting, else Patchbay's callback route. */
export function redirectUriFor(integration: ResolvedIntegration, publicUrl: string): string {
  return integration.redirectUri ?? `${publicUrl.replace(/\/+$/, '')}/connect/oauth/callback`;
}

export function oauth2Auth(integration: ResolvedIntegration): AuthConfig<'oauth2'> {
  const auth = integration.definition.auth;
  if (auth.mode !== 'oauth2') {
    throw new PatchbayError(
      'auth_mode_unsupported',
      `Integration "${integration.key}" connects with ${auth.mode}, not an OAuth redirect; submit its credentials instead`,
      { details: { mode: auth.mode } },
    );
  }
  return auth;
}

export function createOAuthFlow(deps: OAuthFlowDeps) {
  const { states, clock, logger } = deps;

  async function startAuthorization(input: {
    session: AuthorizingSession;
    integration: ResolvedIntegration;
    connectionConfig: Record<string, string>;
  }): Promise<AuthorizationStart> {
    const { session, integration } = input;
    const auth = oauth2Auth(integration);
    if (session.environmentId !== integration.environmentId) throw notFound('integration', integration.key);
    const config = validateConnectionConfig(integration.definition.connectionConfig, input.connectionConfig);
    const ctx = oauthContext({ integration, spec: auth, connectionConfig: config, fetch: deps.fetch });
    const url = new URL(renderUrl(auth.authorizationUrl, config));
    for (const [name, value] of Object.entries(auth.authorizationParams)) url.searchParams.set(name, value);
    const state = oauth.generateRandomState();
    const redirectUri = redirectUriFor(integration, deps.publicUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', ctx.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('state', state);
    const scopes = integration.scopes ?? auth.defaultScopes;
    if (scopes.length > 0) url.searchParams.set('scope', scopes.join(auth.scopeSeparator));
    let codeVerifier: string | null = null;
    if (auth.pkce) {
      codeVerifier = oauth.generateRandomCodeVerifier();
      url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
      url.searchParams.set('code_challenge_method', 'S256');
    }
    const expiresAt = clock.now() + deps.stateTtlSeconds * 1000;
    await states.insert({
      state,
      environmentId: integration.environmentId,
      sessionId: session.id,
      integrationId: integration.id,
      codeVerifier,
      redirectUri,
      connectionConfig: config,
      expiresAt,
    });
    logger.info(
      { environmentId: integration.environmentId, integrationId: integration.id, sessionId: session.id },
      'OAuth authorization started',
    );
    return { authorizationUrl: url.href, expiresAt };
  }

  async function completeAuthorization(callbackUrl: URL): Promise<AuthorizationResult> {
    const params = callbackUrl.searchParams;
    const stateParams = params.getAll('state');
    // The state is consumed before anything else, so a callback is handled at most once.
    const pending = await states.consume(stateParams.length === 1 ? (stateParams[0] ?? null) : null);
    const integration = await deps.integrations.resolve(pending.environmentId, pending.integrationId);
    const auth = oauth2Auth(integration);
    const where = {
      environmentId: pending.environmentId,
      integrationId: integration.id,
      sessionId: pending.sessionId,
    };

    const providerError = params.get('error');
    if (providerError !== null) {
      const error = safeErrorCode(providerError) ?? 'unknown_error';
      logger.info({ ...where, error }, 'OAuth authorization refused by the provider');
      throw new PatchbayError(
        'oauth_provider_error',
        error === 'access_denied'
          ? 'The authorization was declined at the provider'
          : `The provider refused the authorization (${error})`,
        { details: { error } },
      );
    }
    const code = params.getAll('code');
    if (code.length !== 1 || !code[0]) {
      throw new PatchbayError('oauth_provider_error', 'The provider sent no authorization code', {
        details: { error: 'missing_code' },
      });
    }
    const ctx = oauthContext({
      integration,
      spec: auth,
      connectionConfig: pending.connectionConfig,
      authorizationUrl: auth.authorizationUrl,
      issuer: checkedIssuer(params, auth, pending.connectionConfig),
      fetch: deps.fetch,
    });
    let tokens: TokenSet;
    try {
      // The state was checked by the hash lookup above (the row exists only for this state).
      const callbackParameters = oauth.validateAuthResponse(ctx.as, ctx.client, params, oauth.skipStateCheck);
      const response = await authorizationCodeRequest(
        ctx,
        callbackParameters,
        pending.redirectUri,
        pending.codeVerifier,
      );
      tokens = await readTokenResponse(ctx, response, auth.tokenResponse, clock, auth.tokenExpiresInDefault);
    } catch (error) {
      const mapped = exchangeError(error, 'code');
      logger.warn({ ...where, code: mapped.code, details: mapped.details }, 'OAuth code exchange failed');
      throw mapped;
    }
    // Metadata fields of the token response come from the code exchange's answer (it names the
    // account); the token exchange only replaces the tokens.
    const codeResponse = tokens.body;
    if (auth.tokenExchange) {
      try {
        tokens = await exchangeToken(
          ctx,
          auth.tokenExchange,
          {
            connectionConfig: pending.connectionConfig,
            clientId: ctx.clientId,
            clientSecret: ctx.clientSecret,
            accessToken: tokens.accessToken,
          },
          clock,
          auth.tokenExpiresInDefault,
        );
      } catch (error) {
        const mapped = exchangeError(error, 'token_exchange');
        logger.warn({ ...where, code: mapped.code, details: mapped.details }, 'OAuth token exchange failed');
        throw mapped;
      }
    }
    const credentials = oauthCredentials(tokens);
    // The connection follows what the proxy sends: derived credentials that never expire leave it
    // without an expiry, whatever the token's own (see the catalog's CONNECTION_EXPIRY).
    if (auth.connectionExpiry === 'never' && credentials.type === 'oauth2') delete credentials.expiresAt;
    const metadata: Record<string, unknown> = readFields(
      auth.connectionMetadata?.tokenResponse ?? {},
      codeResponse,
    );
    const secrets = readSecretFields(auth.connectionMetadata?.tokenResponse ?? {}, codeResponse);
    const request = auth.connectionMetadata?.request;
    if (request) {
      const values: Record<string, string> = {
        ...pending.connectionConfig,
        ...allFields(auth.connectionMetadata?.tokenResponse ?? {}, codeResponse),
        accessToken: tokens.accessToken,
        clientId: ctx.clientId,
        clientSecret: ctx.clientSecret,
      };
      const answered = await requestMetadata(request, values, deps.fetch);
      Object.assign(metadata, answered.metadata);
      Object.assign(secrets, answered.secrets);
    }
    if (Object.keys(secrets).length > 0 && credentials.type === 'oauth2') credentials.secrets = secrets;
    logger.info(where, 'OAuth authorization completed');
    return {
      environmentId: pending.environmentId,
      sessionId: pending.sessionId,
      integrationId: integration.id,
      credentials,
      connectionConfig: pending.connectionConfig,
      metadata,
    };
  }

  return { startAuthorization, completeAuthorization };
}

/** OAuth credentials from a token set. */
export function oauthCredentials(
  tokens: TokenSet,
  previousRefreshToken?: string,
  previousSecrets?: Record<string, string>,
): Credentials {
  const credentials: Credentials = { type: 'oauth2', accessToken: tokens.accessToken };
  // Derived credentials outlive a refresh of the user token (Messenger page tokens do not expire).
  if (previousSecrets !== undefined) credentials.secrets = previousSecrets;
  const refreshToken = tokens.refreshToken ?? previousRefreshToken;
  if (refreshToken !== undefined) credentials.refreshToken = refreshToken;
  if (tokens.expiresAt !== undefined) credentials.expiresAt = tokens.expiresAt;
  if (tokens.tokenType !== undefined) credentials.tokenType = tokens.tokenType;
  if (tokens.scope !== undefined) credentials.scope = tokens.scope;
  return credentials;
}

/** Every token-response field (secret ones too), for the metadata request's templates. */
function allFields(
  fields: Record<string, { path: string }>,
  body: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, field] of Object.entries(fields)) {
    const value = scalarText(valueAt(body, field.path));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * RFC 9207: when the callback names its issuer, it must be exactly (simple string comparison,
 * §2.4) the issuer of the server the user was sent to: the definition's `issuer`, or the origin
 * of its authorization URL when it declares none. A URL on the same host is not enough: a
 * server hosting several issuers under one origin would pass an origin check. The checked value
 * then stands in as the issuer oauth4webapi compares against. (The state, bound to one
 * integration, is the first defence against mix-up; this is the second.)
 */
function checkedIssuer(
  params: URLSearchParams,
  auth: AuthConfig<'oauth2'>,
  config: Record<string, string>,
): string | undefined {
  const issuers = params.getAll('iss');
  if (issuers.length === 0) return undefined;
  const expected = expectedIssuer(auth, config);
  if (issuers.length !== 1 || issuers[0] !== expected) {
    throw new PatchbayError(
      'oauth_provider_error',
      'The authorization response came from an unexpected issuer',
      { details: { error: 'issuer_mismatch' } },
    );
  }
  return expected;
}

/** The issuer identifier an authorization response must name (see checkedIssuer). */
function expectedIssuer(auth: AuthConfig<'oauth2'>, config: Record<string, string>): string {
  if (auth.issuer !== undefined) return renderUrl(auth.issuer, config);
  return new URL(renderUrl(auth.authorizationUrl, config)).origin;
}

/**
 * A failed code exchange (`code`) or token exchange (`token_exchange`) as a stable error: never
 * the code, the verifier, a token or the client secret. The token exchange's failures say their
 * stage in `details.stage`.
 */
function exchangeError(error: unknown, stage: 'code' | 'token_exchange'): PatchbayError {
  if (error instanceof PatchbayError) return error;
  const at = stage === 'token_exchange' ? { stage } : {};
  if (error instanceof TokenEndpointError) {
    if (error.kind === 'unreachable') {
      return new PatchbayError(
        'provider_unreachable',
        'The provider could not be reached to finish connecting; try again',
        {
          details: { ...at, status: error.status },
        },
      );
    }
    if (error.kind === 'invalid_response') {
      return new PatchbayError(
        'oauth_exchange_failed',
        'The provider answered the token request with something unusable',
        {
          details: { ...at, status: error.status, reason: 'invalid_response' },
          status: 502,
        },
      );
    }
    const why = error.error ? ` (${error.error})` : '';
    return new PatchbayError(
      'oauth_exchange_failed',
      stage === 'token_exchange'
        ? `The provider refused to exchange the new access token for a longer-lived one${why}; it may have expired or been revoked meanwhile: start connecting again`
        : `The provider refused the authorization code${why}; start connecting again`,
      { details: { ...at, status: error.status, ...(error.error ? { error: error.error } : {}) } },
    );
  }
  if (error instanceof oauth.AuthorizationResponseError || error instanceof oauth.OperationProcessingError) {
    return new PatchbayError(
      'oauth_exchange_failed',
      'The authorization response is not valid; start connecting again',
      {
        details: { reason: 'invalid_authorization_response' },
      },
    );
  }
  return new PatchbayError(
    'internal_error',
    `The ${stage === 'code' ? 'code' : 'token'} exchange failed unexpectedly`,
    { cause: error },
  );
}
