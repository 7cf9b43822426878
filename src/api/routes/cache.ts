import type { ResponseCache } from '../../proxy/cache.ts';
import { invalidateConnectionCache } from '../contract/cache.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** `/v1/connections/:id/cache`: the provider answers scripts cached for a connection. */
export function cacheRoutes(cache: Pick<ResponseCache, 'invalidate'>): RouteModule {
  return {
    name: 'cache',
    routes: [
      route(invalidateConnectionCache, async ({ auth, params, query }) => ({
        invalidated: await cache.invalidate(
          auth.environment.id,
          params.id,
          query.pathPrefix === undefined ? {} : { pathPrefix: query.pathPrefix },
        ),
      })),
    ],
  };
}
