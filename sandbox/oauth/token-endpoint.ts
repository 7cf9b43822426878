/**
 * The token endpoint (RFC 6749 §3.2) and the revocation endpoint (RFC 7009): form-encoded
 * requests, client authentication, then the grant. Injected delays and failures apply to the
 * token endpoint before anything is checked, like an overloaded gateway in front of it: a failed
 * request consumes no code and rotates no token.
 */
import type { ServerResponse } from 'node:http';
import { BodyTooLargeError, isFormEncoded, readBody, repeatedParameter, sendJson } from '../http/respond.ts';
import type { Handler } from '../http/router.ts';
import { type OAuthSandboxContext, sendOAuthError } from './context.ts';
import { sendFailure } from './faults.ts';
import {
  authorizationCodeGrant,
  clientCredentialsGrant,
  type GrantOutcome,
  refreshTokenGrant,
} from './grants.ts';
import type { IssuedTokens } from './tokens.ts';

const GRANTS = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
} as const;

type SupportedGrant = keyof typeof GRANTS;

function isSupportedGrant(value: string | null | undefined): value is SupportedGrant {
  return value !== null && value !== undefined && Object.hasOwn(GRANTS, value);
}

export function createTokenHandler(ctx: OAuthSandboxContext): Handler {
  return async (req, res) => {
    const { stats } = ctx;
    stats.token.total++;
    const form = await readForm(req);
    const grantType = form?.get('grant_type');
    if (isSupportedGrant(grantType)) stats.token[grantType]++;
    else stats.token.other++;

    await ctx.faults.delayToken();
    const failure = ctx.faults.takeTokenFailure();
    const fail = (status: number, error: string, description: string, headers?: Record<string, string>) => {
      stats.tokenErrors++;
      sendOAuthError(res, status, error, description, headers);
    };
    if (failure) {
      stats.injectedFailures++;
      stats.tokenErrors++;
      if (failure.status === 429) stats.tooManyRequests++;
      sendFailure(res, failure);
      return;
    }
    if (!form)
      return fail(400, 'invalid_request', 'send an application/x-www-form-urlencoded body (at most 1 MiB)');
    const repeated = repeatedParameter(form);
    if (repeated !== undefined) return fail(400, 'invalid_request', `${repeated} is repeated`);

    const auth = ctx.clients.authenticate(req, form);
    if (!auth.ok) {
      return fail(
        auth.status,
        auth.error,
        auth.description,
        auth.challenge ? { 'WWW-Authenticate': auth.challenge } : {},
      );
    }
    if (!grantType) return fail(400, 'invalid_request', 'grant_type is required');
    if (!isSupportedGrant(grantType))
      return fail(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);

    const outcome: GrantOutcome = GRANTS[grantType](ctx, auth.client, form);
    if (!outcome.ok) return fail(400, outcome.error, outcome.description);
    sendTokens(res, outcome.tokens, ctx.settings.scopeSeparator);
  };
}

export function createRevokeHandler(ctx: OAuthSandboxContext): Handler {
  return async (req, res) => {
    ctx.stats.revoke++;
    const form = await readForm(req);
    if (!form)
      return sendOAuthError(res, 400, 'invalid_request', 'send an application/x-www-form-urlencoded body');
    const auth = ctx.clients.authenticate(req, form);
    if (!auth.ok) {
      const headers: Record<string, string> = auth.challenge ? { 'WWW-Authenticate': auth.challenge } : {};
      return sendOAuthError(res, auth.status, auth.error, auth.description, headers);
    }
    const token = form.get('token');
    if (!token) return sendOAuthError(res, 400, 'invalid_request', 'token is required');
    const hint = form.get('token_type_hint');
    const grant = ctx.tokens.grantOf(
      token,
      hint === 'access_token' || hint === 'refresh_token' ? hint : undefined,
    );
    if (grant && grant.clientId !== auth.client.clientId) {
      // RFC 7009 §2.1: a client may revoke only its own tokens.
      return sendOAuthError(res, 400, 'invalid_request', 'the token was issued to another client');
    }
    // RFC 7009 §2.2: an unknown or already revoked token is answered 200 all the same.
    if (grant) ctx.tokens.revokeGrant(grant.id);
    res.writeHead(200, { 'Cache-Control': 'no-store', 'Content-Length': 0 });
    res.end();
  };
}

function sendTokens(res: ServerResponse, tokens: IssuedTokens, scopeSeparator: string): void {
  const body: Record<string, string | number> = { access_token: tokens.accessToken, token_type: 'Bearer' };
  if (tokens.expiresIn !== null) body.expires_in = tokens.expiresIn;
  if (tokens.refreshToken !== undefined) body.refresh_token = tokens.refreshToken;
  if (tokens.scope.length > 0) body.scope = tokens.scope.join(scopeSeparator);
  sendJson(res, 200, body, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}

/** The form body, or undefined when the body is not form-encoded or too large. */
async function readForm(req: Parameters<Handler>[0]): Promise<URLSearchParams | undefined> {
  try {
    const body = await readBody(req);
    return isFormEncoded(req) ? new URLSearchParams(body.toString('utf8')) : undefined;
  } catch (error) {
    if (error instanceof BodyTooLargeError) return undefined;
    throw error;
  }
}
