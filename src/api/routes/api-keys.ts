import type { ApiKey, EnvironmentsService } from '../../environments/index.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** `/v1/api-keys`: list, create and revoke the keys of the calling key's environment. */
export function apiKeyRoutes(environments: EnvironmentsService): RouteModule {
  return {
    name: 'api-keys',
    routes: [
      route(contract.apiKeys.list, async ({ auth }) => ({
        data: (await environments.listKeys(auth.environment.id)).map(presentApiKey),
      })),
      route(contract.apiKeys.create, async ({ auth, body, reply }) => {
        const { apiKey, secret } = await environments.createKey(auth.environment.id, body);
        // The only answer that carries a secret: no cache may keep it.
        reply.header('cache-control', 'no-store');
        return { ...presentApiKey(apiKey), secret };
      }),
      route(contract.apiKeys.revoke, async ({ auth, params }) =>
        presentApiKey(await environments.revokeKey(auth.environment.id, params.id)),
      ),
    ],
  };
}

/** An API key as the API shows it: never the secret or its hash. */
export function presentApiKey(key: ApiKey): ResponseOf<typeof contract.apiKeys.revoke> {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    environmentId: key.environmentId,
    status: key.revokedAt === null ? 'active' : 'revoked',
    createdAt: isoTime(key.createdAt),
    lastUsedAt: isoTimeOrNull(key.lastUsedAt),
    revokedAt: isoTimeOrNull(key.revokedAt),
  };
}
