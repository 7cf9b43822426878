import type { FastifyRequest } from 'fastify';
import type { ConnectSession, ConnectSessionPurpose } from '../../connect/types.ts';
import type { AuthenticatedKey } from '../../environments/index.ts';
import { PatchbayError } from '../../errors/index.ts';

// Kept beside the request rather than as a Fastify decoration, so no module augmentation is
// needed and route modules outside the contract can read it the same way.
const authentications = new WeakMap<FastifyRequest, AuthenticatedKey>();

/** Records who the request acts as (called by the auth hook). */
export function setAuth(request: FastifyRequest, auth: AuthenticatedKey): void {
  authentications.set(request, auth);
}

/** Who the request acts as, or null on a public route. */
export function authOf(request: FastifyRequest): AuthenticatedKey | null {
  return authentications.get(request) ?? null;
}

/** Who the request acts as; throws `unauthorized` on a route without authentication. */
export function requireAuth(request: FastifyRequest): AuthenticatedKey {
  const auth = authOf(request);
  if (!auth) throw new PatchbayError('unauthorized', 'This route needs an API key');
  return auth;
}

// The connect session a request authenticated with (routes declared `auth: 'connectSession'`).
const sessions = new WeakMap<FastifyRequest, ConnectSession>();

/** Records the connect session a request acts for (called by the auth hook). */
export function setConnectSession(request: FastifyRequest, session: ConnectSession): void {
  sessions.set(request, session);
}

/**
 * The session of a `connectSession` route, of the purpose the route serves (a hub token does not
 * open the connect page's API, nor a connect token the hub's); throws `unauthorized` otherwise.
 */
export function requireConnectSession(
  request: FastifyRequest,
  purpose: ConnectSessionPurpose = 'connect',
): ConnectSession {
  const session = sessions.get(request);
  if (!session) throw new PatchbayError('unauthorized', 'This route needs a connect session token');
  if (session.purpose !== purpose) {
    throw new PatchbayError(
      'unauthorized',
      purpose === 'hub'
        ? 'This route needs a hub session token (POST /v1/hub/sessions), not a connect session token'
        : 'This route needs a connect session token (POST /v1/connect/sessions), not a hub session token',
    );
  }
  return session;
}
