/**
 * The dashboard's cookie session on API routes. A request with no Authorization header and the
 * session cookie acts as the session's environment; its writes must carry the session's CSRF
 * token in `x-csrf-token` (synchronizer token: a cross-site form or script cannot read it, and
 * the SameSite=Strict cookie is the second line). API clients keep sending Bearer keys.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { PatchbayError } from '../../errors/index.ts';
import type { DashboardSession, OperatorsService } from '../../operators/index.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'pb_dashboard';

/** The header state-changing calls carry the session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// Kept beside the request, like the API key's authentication (request-auth.ts).
const sessions = new WeakMap<FastifyRequest, { session: DashboardSession; token: string }>();

/** The session cookie's token, if the request sent one. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const value = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[
    SESSION_COOKIE
  ];
  return value && value.length > 0 ? value : undefined;
}

/**
 * Authenticates the request's session cookie and, on writes, its CSRF token; records the session.
 * Throws `unauthorized` (no or ended session) or `csrf_token_invalid`.
 */
export async function authenticateDashboard(
  operators: Pick<OperatorsService, 'authenticate'>,
  request: FastifyRequest,
): Promise<DashboardSession> {
  const token = sessionToken(request);
  const session = token ? await operators.authenticate(token) : null;
  if (!token || !session) {
    throw new PatchbayError(
      'unauthorized',
      token
        ? 'The dashboard session has ended: sign in again'
        : 'This route needs an API key (Authorization: Bearer pb_sk_…) or a dashboard session',
    );
  }
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    const given = Buffer.from(typeof sent === 'string' ? sent : '');
    const expected = Buffer.from(session.csrfToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new PatchbayError(
        'csrf_token_invalid',
        `A dashboard session's ${request.method} needs the session's CSRF token in the ${CSRF_HEADER} header`,
      );
    }
  }
  sessions.set(request, { session, token });
  return session;
}

/** The dashboard session (and its cookie token) of a request; throws `unauthorized` without one. */
export function requireDashboardSession(request: FastifyRequest): {
  session: DashboardSession;
  token: string;
} {
  const found = sessions.get(request);
  if (!found) throw new PatchbayError('unauthorized', 'This route needs a dashboard session: sign in first');
  return found;
}
