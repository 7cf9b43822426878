import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ConnectSession, ConnectSessionsService } from '../../connect/types.ts';
import type { EnvironmentsService } from '../../environments/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import type { OperatorsService } from '../../operators/index.ts';
import type { AuthMode } from '../contract/index.ts';
import { authenticateDashboard, sessionToken } from './dashboard-auth.ts';
import { applyRateLimit } from './rate-limit.ts';
import { setAuth, setConnectSession } from './request-auth.ts';

export interface AuthHookOptions {
  environments: Pick<EnvironmentsService, 'authenticate'>;
  limiter: RateLimiterAbstract;
  /** Authenticates connect session tokens on `connectSession` routes (the connect page's API). */
  connectSessions?: Pick<ConnectSessionsService, 'authenticate'> | undefined;
  /** Authenticates the dashboard's session cookie; without it only API keys are accepted. */
  operators?: Pick<OperatorsService, 'authenticate'> | undefined;
}

/**
 * The onRequest hook that authenticates every route except those declared `auth: 'none'` (and
 * unknown routes, which answer 404). It runs before the body is read, so an unauthenticated
 * client learns nothing from body errors, and then applies the key's rate limit.
 */
export function createAuthHook(options: AuthHookOptions) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.is404) return;
    const mode = (request.routeOptions.config as { auth?: AuthMode }).auth ?? 'apiKey';
    if (mode === 'none') return;
    const header = request.headers.authorization;
    const secret = header ? /^Bearer +(\S+) *$/i.exec(header)?.[1] : undefined;
    if (mode === 'connectSession') {
      await authenticateSession(options, secret, request, reply);
      return;
    }
    // The dashboard's cookie counts only when no Authorization header is sent, so an API client
    // is never authenticated by a cookie it did not mean to use.
    if (options.operators && (mode === 'dashboardSession' || (!header && sessionToken(request)))) {
      const session = await authenticateDashboard(options.operators, request);
      const keyId = session.apiKeyId ?? `operator:${session.operator?.id ?? 'unknown'}`;
      setAuth(request, { environment: session.environment, keyId });
      await applyRateLimit(options.limiter, keyId, reply, request.log);
      return;
    }
    if (mode === 'dashboardSession') {
      throw new PatchbayError('unauthorized', 'This route needs a dashboard session: sign in first');
    }
    if (!secret) {
      reply.header('www-authenticate', 'Bearer');
      throw new PatchbayError(
        'unauthorized',
        header
          ? 'The Authorization header must be "Bearer <API key>"'
          : 'This route needs an API key: send Authorization: Bearer pb_sk_…',
      );
    }
    const auth = await options.environments.authenticate(secret);
    if (!auth) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new PatchbayError('invalid_api_key', 'The API key is not valid or has been revoked');
    }
    setAuth(request, auth);
    await applyRateLimit(options.limiter, auth.keyId, reply, request.log);
  };
}

/**
 * A `connectSession` route: the bearer is a connect session token. The sessions service throws
 * `connect_session_invalid` / `connect_session_expired` (401); the rate limit is per session.
 */
async function authenticateSession(
  options: AuthHookOptions,
  secret: string | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (!options.connectSessions) {
    throw new PatchbayError(
      'internal_error',
      'Connect session authentication is not configured on this server',
    );
  }
  if (!secret) {
    reply.header('www-authenticate', 'Bearer');
    throw new PatchbayError(
      'unauthorized',
      'This route needs a connect session token: send Authorization: Bearer pb_cst_…',
    );
  }
  let session: ConnectSession;
  try {
    session = await options.connectSessions.authenticate(secret);
  } catch (error) {
    reply.header('www-authenticate', 'Bearer error="invalid_token"');
    throw error;
  }
  setConnectSession(request, session);
  await applyRateLimit(options.limiter, `connect:${session.id}`, reply, request.log);
}
