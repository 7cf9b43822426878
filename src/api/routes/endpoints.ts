import { isSensitiveHeader } from '../../outbound/endpoints-validate.ts';
import type { Endpoint, EndpointsService } from '../../outbound/types.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/**
 * `/v1/endpoints`: where the calling key's environment's events are delivered. Only the answers
 * that exist to return a signing secret (create, read secret, rotate) carry one, with
 * `cache-control: no-store`.
 */
export function endpointRoutes(endpoints: EndpointsService): RouteModule {
  return {
    name: 'endpoints',
    routes: [
      route(contract.endpoints.list, async ({ auth, query }) => {
        const { data, nextAfter } = await endpoints.list(auth.environment.id, {
          ...(query.after === undefined ? {} : { after: query.after }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
        });
        return { data: data.map(presentEndpoint), nextAfter };
      }),
      route(contract.endpoints.create, async ({ auth, body, reply }) => {
        const { endpoint, secret } = await endpoints.create(auth.environment.id, withoutUndefined(body));
        reply.header('cache-control', 'no-store');
        return { ...presentEndpoint(endpoint), secret };
      }),
      route(contract.endpoints.get, async ({ auth, params }) =>
        presentEndpoint(await endpoints.get(auth.environment.id, params.id)),
      ),
      route(contract.endpoints.update, async ({ auth, params, body }) =>
        presentEndpoint(await endpoints.update(auth.environment.id, params.id, withoutUndefined(body))),
      ),
      route(contract.endpoints.delete, async ({ auth, params }) => {
        await endpoints.delete(auth.environment.id, params.id);
        return { id: params.id, deleted: true as const };
      }),
      route(contract.endpoints.getSecret, async ({ auth, params, reply }) => {
        const secret = await endpoints.getSecret(auth.environment.id, params.id);
        reply.header('cache-control', 'no-store');
        return { secret };
      }),
      route(contract.endpoints.rotateSecret, async ({ auth, params, body, reply }) => {
        const secret = await endpoints.rotateSecret(
          auth.environment.id,
          params.id,
          withoutUndefined(body ?? {}),
        );
        reply.header('cache-control', 'no-store');
        return { secret };
      }),
    ],
  };
}

/** An endpoint as the API shows it: no secret, and credential headers by name only. */
export function presentEndpoint(endpoint: Endpoint): ResponseOf<typeof contract.endpoints.get> {
  const headers: Record<string, string> = {};
  const sensitiveHeaders: string[] = [];
  for (const [name, value] of Object.entries(endpoint.headers)) {
    if (isSensitiveHeader(name)) sensitiveHeaders.push(name);
    else headers[name] = value;
  }
  return {
    id: endpoint.id,
    environmentId: endpoint.environmentId,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    channels: endpoint.channels,
    headers,
    sensitiveHeaders,
    rateLimitPerSecond: endpoint.rateLimitPerSecond,
    maxConcurrency: endpoint.maxConcurrency,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    failingSince: isoTimeOrNull(endpoint.failingSince),
    lastSuccessAt: isoTimeOrNull(endpoint.lastSuccessAt),
    createdAt: isoTime(endpoint.createdAt),
    updatedAt: isoTime(endpoint.updatedAt),
  };
}

type WithoutUndefined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/** Optional fields left out of a body arrive as undefined; the service takes them as absent. */
function withoutUndefined<T extends object>(value: T): WithoutUndefined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as WithoutUndefined<T>;
}
