/**
 * Revoking a grant at the provider: RFC 7009 (`token=…` with client authentication, the refresh
 * token when there is one since revoking it ends the whole grant), or the definition's own
 * `revokeRequest` (Shopify uninstall, Stripe deauthorize, HubSpot's DELETE) rendered from
 * templates and sent exactly as written.
 */
import * as oauth from 'oauth4webapi';
import type { AuthConfig, RevokeRequest } from '../catalog/auth.ts';
import { PatchbayError } from '../errors/index.ts';
import type { ConnectionContext } from '../ports/connections.ts';
import { oauthContext, requestOptions } from './oauth-client.ts';
import { metadataValues, renderText, renderUrl, safeErrorCode } from './values.ts';

/** The values revoke templates may use: config, metadata, tokens and the OAuth client. */
function revokeValues(connection: ConnectionContext): Record<string, string> {
  const values: Record<string, string> = {
    ...metadataValues(connection.metadata),
    ...connection.connectionConfig,
  };
  const { credentials, integration } = connection;
  if (credentials.type === 'oauth2') {
    values.accessToken = credentials.accessToken;
    if (credentials.refreshToken) values.refreshToken = credentials.refreshToken;
  }
  if (integration.clientId) values.clientId = integration.clientId;
  if (integration.clientSecret) values.clientSecret = integration.clientSecret;
  return values;
}

export async function revokeGrant(
  connection: ConnectionContext,
  fetchImpl: typeof fetch,
): Promise<{ revoked: boolean }> {
  const auth = connection.integration.definition.auth;
  if (auth.mode !== 'oauth2' || !auth.revokeUrl || connection.credentials.type !== 'oauth2')
    return { revoked: false };
  const values = revokeValues(connection);
  const url = renderUrl(auth.revokeUrl, values);
  if (auth.revokeRequest) return customRevoke(url, auth.revokeRequest, values, fetchImpl);
  return rfc7009Revoke(connection, auth, url, fetchImpl);
}

async function rfc7009Revoke(
  connection: ConnectionContext,
  auth: AuthConfig<'oauth2'>,
  url: string,
  fetchImpl: typeof fetch,
): Promise<{ revoked: boolean }> {
  const credentials = connection.credentials;
  if (credentials.type !== 'oauth2') return { revoked: false };
  const ctx = oauthContext({
    integration: connection.integration,
    spec: auth,
    connectionConfig: connection.connectionConfig,
    revokeUrl: url,
    fetch: fetchImpl,
  });
  const token = credentials.refreshToken ?? credentials.accessToken;
  const hint = credentials.refreshToken ? 'refresh_token' : 'access_token';
  let response: Response;
  try {
    response = await oauth.revocationRequest(ctx.as, ctx.client, ctx.clientAuth, token, {
      ...requestOptions(new URL(url), fetchImpl),
      additionalParameters: { token_type_hint: hint },
    });
  } catch (cause) {
    if (cause instanceof PatchbayError || cause instanceof oauth.OperationProcessingError) throw cause;
    throw unreachable(null, cause);
  }
  if (response.status === 429 || response.status >= 500) {
    await response.body?.cancel();
    throw unreachable(response.status);
  }
  try {
    await oauth.processRevocationResponse(response);
  } catch (cause) {
    const error = cause instanceof oauth.ResponseBodyError ? safeErrorCode(cause.error) : undefined;
    throw refused(response.status, error, cause);
  }
  return { revoked: true };
}

async function customRevoke(
  url: string,
  request: RevokeRequest,
  values: Record<string, string>,
  fetchImpl: typeof fetch,
): Promise<{ revoked: boolean }> {
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(request.headers))
    headers[name] = renderText(template, values);
  const fields: Record<string, string> = {};
  for (const [name, template] of Object.entries(request.body)) fields[name] = renderText(template, values);
  const init: RequestInit = { method: request.method, headers, redirect: 'manual' };
  if (request.format === 'form') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(fields).toString();
  } else if (request.format === 'json') {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(fields);
  }
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (cause) {
    if (cause instanceof PatchbayError) throw cause;
    throw unreachable(null, cause);
  }
  await response.body?.cancel();
  if (response.status === 429 || response.status >= 500) throw unreachable(response.status);
  if (response.status < 200 || response.status > 299) throw refused(response.status, undefined);
  return { revoked: true };
}

function unreachable(status: number | null, cause?: unknown): PatchbayError {
  return new PatchbayError(
    'provider_unreachable',
    'The provider could not be reached to revoke access; try again',
    {
      details: { stage: 'revoke', status },
      cause,
    },
  );
}

function refused(status: number, error: string | undefined, cause?: unknown): PatchbayError {
  return new PatchbayError('credentials_rejected', `The provider refused the revocation (${status})`, {
    details: { stage: 'revoke', status, ...(error ? { error } : {}) },
    cause,
  });
}
