/**
 * The oauth4webapi objects for one integration: the AuthorizationServer built from the
 * definition's URLs rendered with the connection config, the Client, the client authentication
 * strategy named by `tokenEndpointAuth`, and the request options (injected fetch, plain http only
 * for loopback sandboxes).
 */
import * as oauth from 'oauth4webapi';
import { PatchbayError } from '../errors/index.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import { renderUrl } from './values.ts';

/** The token endpoint settings shared by the OAuth 2.0 modes of the catalog. */
export interface TokenEndpointSpec {
  tokenUrl: string;
  tokenEndpointAuth: 'client_secret_basic' | 'client_secret_post';
  tokenRequestFormat: 'form' | 'json';
  tokenExpiresInDefault?: number | undefined;
}

export interface OAuthContext {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientId: string;
  clientSecret: string;
  clientAuth: oauth.ClientAuth;
  tokenUrl: URL;
  tokenEndpointAuth: TokenEndpointSpec['tokenEndpointAuth'];
  format: TokenEndpointSpec['tokenRequestFormat'];
  /** Options for oauth4webapi requests to the token endpoint. */
  options: oauth.TokenEndpointRequestOptions;
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True for the hosts a local sandbox or test server runs on: the only ones plain http is allowed for. */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** oauth4webapi request options: the injected (SSRF-guarded) fetch; http only on loopback. */
export function requestOptions(
  url: URL,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
): oauth.TokenEndpointRequestOptions {
  const options: oauth.TokenEndpointRequestOptions = { [oauth.customFetch]: fetchImpl };
  if (url.protocol === 'http:' && isLoopbackUrl(url)) options[oauth.allowInsecureRequests] = true;
  if (signal) options.signal = signal;
  return options;
}

export interface OAuthContextInput {
  integration: ResolvedIntegration;
  spec: TokenEndpointSpec;
  connectionConfig: Record<string, string>;
  /** Client credentials when they come from the connection (PayPal style), else the integration's. */
  clientId?: string | null;
  clientSecret?: string | null;
  authorizationUrl?: string;
  revokeUrl?: string;
  fetch: typeof fetch;
  signal?: AbortSignal;
  /**
   * The issuer the authorization response named (RFC 9207 `iss`), already checked by the caller.
   * Definitions name no issuer, so the token URL's origin stands in when there is none.
   */
  issuer?: string | undefined;
}

/** Builds the oauth4webapi objects; throws `validation_failed` when the integration lacks client credentials. */
export function oauthContext(input: OAuthContextInput): OAuthContext {
  const clientId = input.clientId ?? input.integration.clientId;
  const clientSecret = input.clientSecret ?? input.integration.clientSecret;
  if (!clientId || !clientSecret) {
    throw new PatchbayError(
      'validation_failed',
      `Integration "${input.integration.key}" has no OAuth client id and secret; set them on the integration`,
      { details: { issues: [{ in: 'integration', path: 'clientId', message: 'is required' }] } },
    );
  }
  const values = input.connectionConfig;
  const tokenUrl = new URL(renderUrl(input.spec.tokenUrl, values));
  const as: oauth.AuthorizationServer = {
    issuer: input.issuer ?? tokenUrl.origin,
    token_endpoint: tokenUrl.href,
    ...(input.authorizationUrl ? { authorization_endpoint: renderUrl(input.authorizationUrl, values) } : {}),
    ...(input.revokeUrl ? { revocation_endpoint: input.revokeUrl } : {}),
  };
  const clientAuth =
    input.spec.tokenEndpointAuth === 'client_secret_basic'
      ? oauth.ClientSecretBasic(clientSecret)
      : oauth.ClientSecretPost(clientSecret);
  return {
    as,
    client: { client_id: clientId },
    clientId,
    clientSecret,
    clientAuth,
    tokenUrl,
    tokenEndpointAuth: input.spec.tokenEndpointAuth,
    format: input.spec.tokenRequestFormat,
    options: requestOptions(tokenUrl, input.fetch, input.signal),
    fetch: input.fetch,
    signal: input.signal,
  };
}
