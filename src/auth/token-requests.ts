/**
 * Building and sending token endpoint requests: the authorization code, refresh token and client
 * credentials grants. Form-encoded requests (RFC 6749) are made by oauth4webapi; providers whose
 * token endpoint takes JSON (`tokenRequestFormat: 'json'`, Square) get the same parameters as a
 * JSON object, sent with the same injected fetch. Processing the answer is token-response.ts.
 */
import * as oauth from 'oauth4webapi';
import type { OAuthContext } from './oauth-client.ts';
import { send } from './token-response.ts';

/** RFC 6749 §4.1.3; `callbackParameters` come from oauth4webapi's validateAuthResponse. */
export function authorizationCodeRequest(
  ctx: OAuthContext,
  callbackParameters: URLSearchParams,
  redirectUri: string,
  codeVerifier: string | null,
): Promise<Response> {
  if (ctx.format === 'json') {
    const params: Record<string, string> = {
      code: callbackParameters.get('code') ?? '',
      redirect_uri: redirectUri,
    };
    if (codeVerifier !== null) params.code_verifier = codeVerifier;
    return jsonTokenRequest(ctx, 'authorization_code', params);
  }
  return send(() =>
    oauth.authorizationCodeGrantRequest(
      ctx.as,
      ctx.client,
      ctx.clientAuth,
      callbackParameters,
      redirectUri,
      codeVerifier ?? oauth.nopkce,
      ctx.options,
    ),
  );
}

/** RFC 6749 §6. */
export function refreshTokenRequest(ctx: OAuthContext, refreshToken: string): Promise<Response> {
  if (ctx.format === 'json') return jsonTokenRequest(ctx, 'refresh_token', { refresh_token: refreshToken });
  return send(() =>
    oauth.refreshTokenGrantRequest(ctx.as, ctx.client, ctx.clientAuth, refreshToken, ctx.options),
  );
}

/** RFC 6749 §4.4. */
export function clientCredentialsRequest(ctx: OAuthContext, scope: string | undefined): Promise<Response> {
  const params: Record<string, string> = scope ? { scope } : {};
  if (ctx.format === 'json') return jsonTokenRequest(ctx, 'client_credentials', params);
  return send(() =>
    oauth.clientCredentialsGrantRequest(ctx.as, ctx.client, ctx.clientAuth, params, ctx.options),
  );
}

/** The grant as a JSON body, client authentication as the definition says. */
function jsonTokenRequest(
  ctx: OAuthContext,
  grantType: string,
  params: Record<string, string>,
): Promise<Response> {
  const body: Record<string, string> = { ...params, grant_type: grantType };
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/json',
  };
  if (ctx.tokenEndpointAuth === 'client_secret_basic') {
    // RFC 6749 §2.3.1: both parts form-encoded before base64 (as oauth4webapi does for forms).
    const credentials = `${formUrlEncode(ctx.clientId)}:${formUrlEncode(ctx.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  } else {
    body.client_id = ctx.clientId;
    body.client_secret = ctx.clientSecret;
  }
  const init: RequestInit = { method: 'POST', headers, body: JSON.stringify(body), redirect: 'manual' };
  if (ctx.signal) init.signal = ctx.signal;
  return send(() => ctx.fetch(ctx.tokenUrl.href, init));
}

/** application/x-www-form-urlencoded encoding of one value (spaces as `+`, `-_.!~*'()` escaped). */
function formUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}
