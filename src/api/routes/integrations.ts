import type { Integration, IntegrationsService } from '../../integrations/index.ts';
import { isoTime } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** `/v1/integrations`: providers enabled in the calling key's environment. */
export function integrationRoutes(integrations: IntegrationsService): RouteModule {
  return {
    name: 'integrations',
    routes: [
      route(contract.integrations.list, async ({ auth }) => ({
        data: (await integrations.list(auth.environment.id)).map(presentIntegration),
      })),
      route(contract.integrations.create, async ({ auth, body }) =>
        presentIntegration(await integrations.create(auth.environment.id, withoutUndefined(body))),
      ),
      route(contract.integrations.get, async ({ auth, params }) =>
        presentIntegration(await integrations.get(auth.environment.id, params.idOrKey)),
      ),
      route(contract.integrations.update, async ({ auth, params, body }) =>
        presentIntegration(
          await integrations.update(auth.environment.id, params.idOrKey, withoutUndefined(body)),
        ),
      ),
      route(contract.integrations.delete, async ({ auth, params }) => {
        const { id } = await integrations.get(auth.environment.id, params.idOrKey);
        await integrations.delete(auth.environment.id, id);
        return { id, deleted: true as const };
      }),
    ],
  };
}

/** An integration as the API shows it: `hasClientSecret`, never the secret. */
export function presentIntegration(integration: Integration): ResponseOf<typeof contract.integrations.get> {
  return {
    id: integration.id,
    environmentId: integration.environmentId,
    key: integration.key,
    provider: integration.provider,
    displayName: integration.displayName,
    clientId: integration.clientId,
    hasClientSecret: integration.hasClientSecret,
    hasWebhookSecret: integration.hasWebhookSecret,
    scopes: integration.scopes,
    settings: integration.settings,
    enabled: integration.enabled,
    createdAt: isoTime(integration.createdAt),
    updatedAt: isoTime(integration.updatedAt),
  };
}

type WithoutUndefined<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]: WithoutUndefined<Exclude<T[K], undefined>> }
    : T;

/** Optional fields left out of a body arrive as undefined; the services take them as absent. */
function withoutUndefined<T extends object>(value: T): WithoutUndefined<T> {
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, v !== null && typeof v === 'object' && !Array.isArray(v) ? withoutUndefined(v) : v]);
  return Object.fromEntries(entries) as WithoutUndefined<T>;
}
