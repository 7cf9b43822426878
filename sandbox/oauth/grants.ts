/**
 * The three grants of the token endpoint (RFC 6749 §4.1.3, §6, §4.4.2), each taking an
 * authenticated client and the request form and returning tokens or an RFC 6749 §5.2 error.
 */
import type { OAuthSandboxClient } from './clients.ts';
import { type OAuthSandboxContext, parseScope } from './context.ts';
import { s256Challenge, secretsEqual, VERIFIER_PATTERN } from './secrets.ts';
import type { IssuedTokens } from './tokens.ts';

export type GrantOutcome =
  | { ok: true; tokens: IssuedTokens }
  | { ok: false; error: 'invalid_request' | 'invalid_grant' | 'invalid_scope'; description: string };

const reject = (
  error: 'invalid_request' | 'invalid_grant' | 'invalid_scope',
  description: string,
): GrantOutcome => ({
  ok: false,
  error,
  description,
});

export function authorizationCodeGrant(
  ctx: OAuthSandboxContext,
  client: OAuthSandboxClient,
  form: URLSearchParams,
): GrantOutcome {
  const code = form.get('code');
  if (!code) return reject('invalid_request', 'code is required');
  const record = ctx.tokens.findCode(code);
  if (!record) return reject('invalid_grant', 'unknown authorization code');
  if (record.clientId !== client.clientId)
    return reject('invalid_grant', 'the code was issued to another client');
  if (record.grantId !== undefined) {
    // RFC 6749 §4.1.2: a replayed code revokes what it already granted.
    ctx.tokens.revokeGrant(record.grantId);
    return reject('invalid_grant', 'the code was already used; the tokens issued for it are revoked');
  }
  if (ctx.tokens.isCodeExpired(record)) return reject('invalid_grant', 'the authorization code expired');

  const redirectUri = form.get('redirect_uri');
  if (redirectUri === null && record.redirectUriGiven)
    return reject('invalid_request', 'redirect_uri is required');
  if (redirectUri !== null && redirectUri !== record.redirectUri) {
    return reject('invalid_grant', 'redirect_uri differs from the one of the authorization request');
  }

  const verifier = form.get('code_verifier');
  if (record.codeChallenge !== undefined) {
    if (verifier === null) return reject('invalid_grant', 'code_verifier is required (PKCE)');
    if (!VERIFIER_PATTERN.test(verifier)) return reject('invalid_grant', 'code_verifier is malformed');
    if (!secretsEqual(s256Challenge(verifier), record.codeChallenge)) {
      return reject('invalid_grant', 'code_verifier does not match the code_challenge');
    }
  } else if (verifier !== null) {
    // RFC 9700 §2.1.1: a verifier without a challenge is a PKCE downgrade attempt.
    return reject('invalid_grant', 'code_verifier sent but the authorization request had no code_challenge');
  }

  const grant = ctx.tokens.createGrant({
    clientId: client.clientId,
    subject: record.subject,
    scope: record.scope,
    grantType: 'authorization_code',
  });
  record.grantId = grant.id;
  const refreshScope = ctx.settings.issueRefreshTokens ? record.scope : undefined;
  return { ok: true, tokens: ctx.tokens.issueTokens(grant, record.scope, refreshScope) };
}

export function refreshTokenGrant(
  ctx: OAuthSandboxContext,
  client: OAuthSandboxClient,
  form: URLSearchParams,
): GrantOutcome {
  const token = form.get('refresh_token');
  if (!token) return reject('invalid_request', 'refresh_token is required');
  const found = ctx.tokens.findRefresh(token);
  if (!found) return reject('invalid_grant', 'unknown refresh token');
  const { record, grant } = found;
  if (grant.clientId !== client.clientId)
    return reject('invalid_grant', 'the refresh token belongs to another client');
  if (grant.revoked) return reject('invalid_grant', 'the grant was revoked');
  if (!record.active) {
    if (ctx.settings.revokeGrantOnRefreshTokenReuse) ctx.tokens.revokeGrant(grant.id);
    return reject('invalid_grant', 'the refresh token was rotated and is no longer valid');
  }

  const requested = parseScope(form.get('scope'), ctx.settings.scopeSeparator);
  const wider = requested.filter((s) => !record.scope.includes(s));
  if (wider.length > 0) return reject('invalid_scope', `scope beyond the original grant: ${wider.join(' ')}`);
  const scope = requested.length > 0 ? requested : record.scope;

  if (!ctx.settings.rotateRefreshTokens) {
    return { ok: true, tokens: ctx.tokens.issueTokens(grant, scope, undefined) };
  }
  record.active = false;
  return { ok: true, tokens: ctx.tokens.issueTokens(grant, scope, record.scope) };
}

export function clientCredentialsGrant(
  ctx: OAuthSandboxContext,
  client: OAuthSandboxClient,
  form: URLSearchParams,
): GrantOutcome {
  let scope = parseScope(form.get('scope'), ctx.settings.scopeSeparator);
  if (scope.length === 0) scope = [...ctx.settings.defaultScopes];
  const supported = ctx.settings.supportedScopes;
  const unknown = supported ? scope.filter((s) => !supported.includes(s)) : [];
  if (unknown.length > 0) return reject('invalid_scope', `unsupported scope: ${unknown.join(' ')}`);
  const grant = ctx.tokens.createGrant({
    clientId: client.clientId,
    subject: `client:${client.clientId}`,
    scope,
    grantType: 'client_credentials',
  });
  // RFC 6749 §4.4.3: no refresh token; the client simply asks again.
  return { ok: true, tokens: ctx.tokens.issueTokens(grant, scope, undefined) };
}
