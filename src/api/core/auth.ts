import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { EnvironmentsService } from '../../environments/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import type { AuthMode } from '../contract/index.ts';
import { applyRateLimit } from './rate-limit.ts';
import { setAuth } from './request-auth.ts';

export interface AuthHookOptions {
  environments: Pick<EnvironmentsService, 'authenticate'>;
  limiter: RateLimiterAbstract;
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
