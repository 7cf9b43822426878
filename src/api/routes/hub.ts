import type { HubService } from '../../hub/service.ts';
import type { HubSettings, HubSettingsService } from '../../hub/settings.ts';
import type { EndUsersService } from '../../plans/end-users.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import { contract } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';
import { presentHub } from '../hub/present.ts';

export interface HubRoutesDeps {
  hub: Pick<HubService, 'createSession' | 'view'>;
  settings: HubSettingsService;
  endUsers: Pick<EndUsersService, 'get'>;
  /** Where browsers reach Patchbay; the hub page is under it. */
  publicUrl: string;
}

/** `/v1/hub/…` and `/v1/end-users/:id/hub`: hub sessions, tiles as data, settings (API key). */
export function hubRoutes(deps: HubRoutesDeps): RouteModule {
  const base = deps.publicUrl.replace(/\/+$/, '');
  return {
    name: 'hub',
    routes: [
      route(contract.hub.createSession, async ({ auth, body, reply }) => {
        const { session, token } = await deps.hub.createSession(auth.environment.id, {
          endUser: {
            id: body.endUser.id,
            email: body.endUser.email ?? null,
            organization: body.endUser.organization ?? null,
          },
          allowedOrigin: body.allowedOrigin ?? null,
          ...(body.ttlSeconds === undefined ? {} : { ttlSeconds: body.ttlSeconds }),
          ...(body.options === undefined ? {} : { options: body.options }),
        });
        // The answer carries a bearer token: no cache may keep it.
        reply.header('cache-control', 'no-store');
        return {
          id: session.id,
          token,
          expiresAt: isoTime(session.expiresAt),
          url: `${base}/hub?session=${encodeURIComponent(token)}`,
        };
      }),
      route(contract.hub.get, async ({ auth, params }) => {
        // An end user the environment does not know is not_found, as on every end-user route.
        await deps.endUsers.get(auth.environment.id, params.id);
        return presentHub(await deps.hub.view(auth.environment.id, params.id));
      }),
      route(contract.hub.getSettings, async ({ auth }) =>
        presentSettings(await deps.settings.get(auth.environment.id)),
      ),
      route(contract.hub.updateSettings, async ({ auth, body }) =>
        presentSettings(await deps.settings.update(auth.environment.id, body)),
      ),
    ],
  };
}

function presentSettings(settings: HubSettings) {
  return {
    comingSoon: settings.comingSoon,
    editableMappings: settings.editableMappings,
    updatedAt: isoTimeOrNull(settings.updatedAt),
  };
}
