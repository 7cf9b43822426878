import type { ConnectSessionsService } from '../../connect/types.ts';
import { isoTime } from '../../values/instant.ts';
import { contract } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

export interface ConnectSessionRoutesOptions {
  /** Where Patchbay is reached by browsers, e.g. `https://patchbay.example.com`; the connect page is under it. */
  publicUrl: string;
}

/** `/v1/connect/sessions`: the host backend lets one end user connect accounts. */
export function connectSessionRoutes(
  sessions: ConnectSessionsService,
  options: ConnectSessionRoutesOptions,
): RouteModule {
  const base = options.publicUrl.replace(/\/+$/, '');
  return {
    name: 'connect-sessions',
    routes: [
      route(contract.connectSessions.create, async ({ auth, body, reply }) => {
        const { session, token, locked } = await sessions.create(auth.environment.id, {
          endUser: {
            id: body.endUser.id,
            email: body.endUser.email ?? null,
            organization: body.endUser.organization ?? null,
          },
          allowedIntegrations: body.allowedIntegrations ?? null,
          connectionId: body.connectionId ?? null,
          allowedOrigin: body.allowedOrigin ?? null,
          ...(body.ttlSeconds === undefined ? {} : { ttlSeconds: body.ttlSeconds }),
        });
        // The answer carries a bearer token: no cache may keep it.
        reply.header('cache-control', 'no-store');
        return {
          id: session.id,
          token,
          expiresAt: isoTime(session.expiresAt),
          url: `${base}/connect?session=${encodeURIComponent(token)}`,
          ...(locked === undefined ? {} : { locked }),
        };
      }),
    ],
  };
}
