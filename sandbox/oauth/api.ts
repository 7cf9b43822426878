/**
 * The protected API of the OAuth sandbox (RFC 6750 bearer tokens): `me`, `items` (cursor
 * pagination) and `echo` (what the server received, for proxy tests), behind the sandbox's rate
 * limit. Each request passes, in order: an injected failure, bearer authentication (not for
 * echo), the rate limit; only then is it counted as accepted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http/respond.ts';
import type { Handler } from '../http/router.ts';
import type { OAuthSandboxContext } from './context.ts';
import { sendFailure } from './faults.ts';
import { itemsPage } from './items.ts';
import type { AccessCheck } from './tokens.ts';

type Authenticated = Extract<AccessCheck, { ok: true }>;

/** Headers whose values echo never returns (it tells only that they were present). */
const HIDDEN_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/**
 * Checks the request's bearer token; on failure answers 401 with an RFC 6750 §3 challenge and
 * returns undefined. Provider emulators mounted on the sandbox reuse it.
 */
export function authenticateBearer(
  ctx: OAuthSandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
): Authenticated | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(req.headers.authorization?.trim() ?? '');
  const check: AccessCheck = match?.[1] ? ctx.tokens.checkAccess(match[1]) : { ok: false, reason: 'unknown' };
  if (check.ok) return check;
  ctx.stats.api.unauthorized++;
  const description = !match
    ? 'a bearer token is required'
    : check.reason === 'expired'
      ? 'the access token expired'
      : check.reason === 'revoked'
        ? 'the access token was revoked'
        : 'unknown access token';
  sendJson(
    res,
    401,
    { error: 'invalid_token', error_description: description },
    {
      'WWW-Authenticate': `Bearer realm="oauth-sandbox", error="invalid_token", error_description="${description}"`,
    },
  );
  return undefined;
}

export function createApiHandler(ctx: OAuthSandboxContext): Handler {
  const prefix = ctx.settings.paths.api;
  return async (req, res, url) => {
    ctx.stats.api.total++;
    const failure = ctx.faults.takeApiFailure();
    if (failure) {
      ctx.stats.injectedFailures++;
      if (failure.status === 429) ctx.stats.tooManyRequests++;
      sendFailure(res, failure);
      return;
    }
    const route = url.pathname.slice(prefix.length);
    const isEcho = route === 'echo' || route.startsWith('echo/');
    let auth: Authenticated | undefined;
    if (!isEcho) {
      auth = authenticateBearer(ctx, req, res);
      if (!auth) return;
    }
    if (!admit(ctx, res, auth?.grant.id ?? null)) return;
    ctx.stats.recordAccepted({
      at: ctx.clock.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      grantId: auth?.grant.id ?? null,
    });

    if (isEcho) return echo(req, res, url);
    if (auth && route === 'me' && req.method === 'GET') {
      sendJson(res, 200, {
        subject: auth.grant.subject,
        client_id: auth.grant.clientId,
        scope: auth.scope.join(ctx.settings.scopeSeparator),
        grant_id: auth.grant.id,
        grant_type: auth.grant.grantType,
        expires_at: auth.expiresAt === null ? null : new Date(auth.expiresAt).toISOString(),
      });
      return;
    }
    if (route === 'items' && req.method === 'GET') {
      const page = itemsPage(
        ctx.settings.itemCount,
        url.searchParams.get('cursor'),
        url.searchParams.get('limit'),
      );
      if (!page.ok) sendJson(res, 400, { error: page.error, error_description: page.description });
      else sendJson(res, 200, { data: page.data, next_cursor: page.next_cursor });
      return;
    }
    sendJson(res, 404, {
      error: 'not_found',
      error_description: `no resource at ${req.method} ${url.pathname}`,
    });
  };
}

/** Applies the rate limit; answers 429 with Retry-After and returns false when over it. */
function admit(ctx: OAuthSandboxContext, res: ServerResponse, grantId: string | null): boolean {
  const limiter = ctx.limiter;
  if (!limiter) return true;
  const key = limiter.options.per === 'grant' ? (grantId ?? 'anonymous') : 'server';
  const decision = limiter.take(key);
  const limitHeaders = { 'RateLimit-Limit': String(limiter.options.requests) };
  if (decision.ok) {
    res.setHeader('RateLimit-Limit', limitHeaders['RateLimit-Limit']);
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    res.setHeader('RateLimit-Reset', String(decision.resetSeconds));
    return true;
  }
  ctx.stats.tooManyRequests++;
  sendJson(
    res,
    429,
    {
      error: 'rate_limited',
      error_description: `over ${limiter.options.requests} requests per ${limiter.options.windowSeconds} s`,
    },
    {
      ...limitHeaders,
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': String(decision.retryAfterSeconds),
      'Retry-After': String(decision.retryAfterSeconds),
    },
  );
  return false;
}

async function echo(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const body = await readBody(req);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'authorization') continue;
    headers[name] = HIDDEN_HEADERS.has(name) ? '[hidden]' : value;
  }
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  const authorization = req.headers.authorization;
  sendJson(res, 200, {
    method: req.method,
    path: url.pathname,
    query,
    headers,
    authorization: {
      present: authorization !== undefined,
      scheme: authorization?.trim().split(/\s+/)[0] ?? null,
    },
    body: { bytes: body.length, text: body.toString('utf8') },
  });
}
