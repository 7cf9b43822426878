/**
 * The authorization endpoint (RFC 6749 §4.1.1) with PKCE (RFC 7636). Approves at once, or, when
 * the sandbox is interactive, shows a one-button consent page first. Errors about the client or
 * its redirect URI are shown here and never redirected (§4.1.2.1); every other error goes back to
 * the client's redirect URI with `error`, `error_description` and `state`.
 */

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  escapeHtml,
  isFormEncoded,
  readBody,
  redirect,
  repeatedParameter,
  sendHtml,
  sendJson,
} from '../http/respond.ts';
import type { Handler } from '../http/router.ts';
import type { OAuthSandboxClient } from './clients.ts';
import { type OAuthSandboxContext, parseScope } from './context.ts';
import { CHALLENGE_PATTERN } from './secrets.ts';

interface AuthorizationRequest {
  client: OAuthSandboxClient;
  /** The redirect URI to answer at (the registered one when the request omitted it). */
  redirectUri: string;
  /** Whether the request named it, in which case the token request must repeat it (§4.1.3). */
  redirectUriGiven: boolean;
  state: string | null;
  scope: string[];
  codeChallenge: string | undefined;
  subject: string;
}

type Validation =
  | { kind: 'ok'; request: AuthorizationRequest }
  | { kind: 'show'; status: number; error: string; description: string }
  | { kind: 'redirect'; redirectUri: string; state: string | null; error: string; description: string };

/** How long the interactive consent page stays usable. */
const CONSENT_TTL_MS = 10 * 60 * 1000;

export function createAuthorizeHandlers(ctx: OAuthSandboxContext): { authorize: Handler; decision: Handler } {
  const pending = new Map<string, { request: AuthorizationRequest; expiresAt: number }>();

  const authorize: Handler = (_req, res, url) => {
    ctx.stats.authorize++;
    const result = validate(ctx, url.searchParams);
    if (result.kind === 'show') {
      sendJson(res, result.status, { error: result.error, error_description: result.description });
      return;
    }
    if (result.kind === 'redirect') {
      redirectWithError(res, result, 302);
      return;
    }
    if (!ctx.settings.interactive) {
      approve(ctx, res, result.request, 302);
      return;
    }
    const now = ctx.clock.now();
    // Abandoned consent pages would otherwise pile up in a long-running sandbox.
    for (const [id, entry] of pending) if (now >= entry.expiresAt) pending.delete(id);
    const transaction = randomBytes(16).toString('base64url');
    pending.set(transaction, { request: result.request, expiresAt: now + CONSENT_TTL_MS });
    sendHtml(res, 200, consentPage(ctx, result.request, transaction));
  };

  const decision: Handler = async (req: IncomingMessage, res: ServerResponse) => {
    const form = isFormEncoded(req) ? new URLSearchParams((await readBody(req)).toString('utf8')) : undefined;
    const transaction = form?.get('transaction') ?? '';
    const entry = pending.get(transaction);
    pending.delete(transaction);
    if (!entry || ctx.clock.now() >= entry.expiresAt) {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'unknown or expired consent; start the authorization again',
      });
      return;
    }
    const { request } = entry;
    if (form?.get('decision') === 'approve') {
      approve(ctx, res, request, 303);
    } else {
      const denied = {
        redirectUri: request.redirectUri,
        state: request.state,
        error: 'access_denied',
        description: 'the user denied the request',
      };
      redirectWithError(res, denied, 303);
    }
  };

  return { authorize, decision };
}

function validate(ctx: OAuthSandboxContext, params: URLSearchParams): Validation {
  const repeated = repeatedParameter(params);
  const show = (status: number, error: string, description: string): Validation => ({
    kind: 'show',
    status,
    error,
    description,
  });
  if (repeated === 'client_id' || repeated === 'redirect_uri') {
    return show(400, 'invalid_request', `${repeated} is repeated`);
  }
  const clientId = params.get('client_id');
  if (!clientId) return show(400, 'invalid_request', 'client_id is required');
  const client = ctx.clients.get(clientId);
  if (!client) return show(400, 'invalid_client', 'unknown client_id');
  const given = params.get('redirect_uri');
  let redirectUri: string;
  if (given !== null) {
    if (!client.redirectUris.includes(given)) {
      return show(400, 'invalid_request', 'redirect_uri is not registered for this client');
    }
    redirectUri = given;
  } else if (client.redirectUris.length === 1) {
    redirectUri = client.redirectUris[0] as string;
  } else {
    return show(400, 'invalid_request', 'redirect_uri is required: the client registered several');
  }

  const state = params.get('state');
  const fail = (error: string, description: string): Validation => ({
    kind: 'redirect',
    redirectUri,
    state,
    error,
    description,
  });
  if (repeated !== undefined) return fail('invalid_request', `${repeated} is repeated`);
  const responseType = params.get('response_type');
  if (!responseType) return fail('invalid_request', 'response_type is required');
  if (responseType !== 'code')
    return fail('unsupported_response_type', 'only response_type=code is supported');

  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (challenge === null) {
    if (method !== null) return fail('invalid_request', 'code_challenge_method without code_challenge');
    if (ctx.settings.requirePkce)
      return fail('invalid_request', 'PKCE is required: send code_challenge (S256)');
  } else {
    // RFC 7636 §4.3: an absent method means plain, which this server does not accept.
    if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
    if (!CHALLENGE_PATTERN.test(challenge))
      return fail('invalid_request', 'code_challenge is not an S256 challenge');
  }

  let scope = parseScope(params.get('scope'), ctx.settings.scopeSeparator);
  if (scope.length === 0) scope = [...ctx.settings.defaultScopes];
  const supported = ctx.settings.supportedScopes;
  const unknown = supported ? scope.filter((s) => !supported.includes(s)) : [];
  if (unknown.length > 0) return fail('invalid_scope', `unsupported scope: ${unknown.join(' ')}`);

  const denial = ctx.faults.takeDenial();
  if (denial !== undefined) return fail(denial, 'the user denied the request');

  return {
    kind: 'ok',
    request: {
      client,
      redirectUri,
      redirectUriGiven: given !== null,
      state,
      scope,
      codeChallenge: challenge ?? undefined,
      subject: params.get('login_hint') || ctx.settings.subject,
    },
  };
}

function approve(
  ctx: OAuthSandboxContext,
  res: ServerResponse,
  request: AuthorizationRequest,
  status: 302 | 303,
): void {
  const code = ctx.tokens.issueCode({
    clientId: request.client.clientId,
    redirectUri: request.redirectUri,
    redirectUriGiven: request.redirectUriGiven,
    scope: request.scope,
    subject: request.subject,
    codeChallenge: request.codeChallenge,
  });
  redirect(res, withParams(request.redirectUri, { code, state: request.state }), status);
}

function redirectWithError(
  res: ServerResponse,
  result: { redirectUri: string; state: string | null; error: string; description: string },
  status: 302 | 303,
): void {
  const params = { error: result.error, error_description: result.description, state: result.state };
  redirect(res, withParams(result.redirectUri, params), status);
}

function withParams(base: string, params: Record<string, string | null>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) {
    if (value !== null) url.searchParams.set(key, value);
  }
  return url.href;
}

function consentPage(ctx: OAuthSandboxContext, request: AuthorizationRequest, transaction: string): string {
  const scope = request.scope.length > 0 ? request.scope.join(', ') : '(no scope)';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Authorize ${escapeHtml(request.client.clientId)}</title></head>
<body>
<h1>OAuth sandbox</h1>
<p>Client <strong>${escapeHtml(request.client.clientId)}</strong> asks to act as
<strong>${escapeHtml(request.subject)}</strong> with scope: ${escapeHtml(scope)}.</p>
<form method="post" action="${escapeHtml(ctx.settings.paths.decision)}">
<input type="hidden" name="transaction" value="${escapeHtml(transaction)}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body>
</html>
`;
}
