import type { ConnectionsService } from '../../connections/types.ts';
import type { EndUsersService } from '../../plans/end-users.ts';
import type { Entitlements } from '../../plans/entitlements.ts';
import type { EndUserRecord, UsageReport } from '../../plans/types.ts';
import { isoTime } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';
import { presentConnection } from './connections.ts';

export interface EndUserRoutesDeps {
  endUsers: EndUsersService;
  entitlements: Pick<Entitlements, 'planOf' | 'usage' | 'pausedConnections'>;
  connections: Pick<ConnectionsService, 'list'>;
}

/** `/v1/end-users`: the environment's end users, their plan, connections and usage. */
export function endUserRoutes(deps: EndUserRoutesDeps): RouteModule {
  const { endUsers, entitlements, connections } = deps;

  async function present(environmentId: string, endUser: EndUserRecord) {
    const plan = await entitlements.planOf(environmentId, endUser.id);
    return presentEndUser(endUser, plan ? { key: plan.key, name: plan.name } : null);
  }

  return {
    name: 'end-users',
    routes: [
      route(contract.endUsers.upsert, async ({ auth, body, reply }) => {
        const { endUser, created } = await endUsers.upsert(auth.environment.id, body);
        if (created) reply.code(201);
        return present(auth.environment.id, endUser);
      }),
      route(contract.endUsers.list, async ({ auth, query }) => {
        const { data, nextAfter } = await endUsers.list(auth.environment.id, {
          ...(query.search === undefined ? {} : { search: query.search }),
          ...(query.planKey === undefined ? {} : { planKey: query.planKey }),
          ...(query.after === undefined ? {} : { after: query.after }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
        });
        return {
          data: await Promise.all(data.map((endUser) => present(auth.environment.id, endUser))),
          nextAfter,
        };
      }),
      route(contract.endUsers.get, async ({ auth, params }) => {
        const environmentId = auth.environment.id;
        const endUser = await endUsers.get(environmentId, params.id);
        const paused = await entitlements.pausedConnections(environmentId, endUser.id);
        const list = [];
        let after: string | undefined;
        do {
          const page = await connections.list(environmentId, {
            endUserId: endUser.id,
            limit: 200,
            ...(after ? { after } : {}),
          });
          list.push(...page.data);
          after = page.nextAfter ?? undefined;
        } while (after);
        return {
          ...(await present(environmentId, endUser)),
          connections: list.map((connection) => ({
            ...presentConnection(connection),
            paused: paused.has(connection.id),
            pausedReason: paused.get(connection.id) ?? null,
          })),
          usage: presentUsage(await entitlements.usage(environmentId, endUser.id)),
        };
      }),
      route(contract.endUsers.update, async ({ auth, params, body }) =>
        present(auth.environment.id, await endUsers.update(auth.environment.id, params.id, body)),
      ),
      route(contract.endUsers.delete, async ({ auth, params }) => {
        const { connectionsDeleted } = await endUsers.delete(auth.environment.id, params.id);
        return { id: params.id, deleted: true as const, connectionsDeleted };
      }),
      route(contract.endUsers.usage, async ({ auth, params, query }) => {
        await endUsers.get(auth.environment.id, params.id);
        return presentUsage(await entitlements.usage(auth.environment.id, params.id, query.period));
      }),
    ],
  };
}

export function presentEndUser(
  endUser: EndUserRecord,
  plan: { key: string; name: string } | null,
): ResponseOf<typeof contract.endUsers.update> {
  return {
    id: endUser.id,
    email: endUser.email,
    name: endUser.name,
    organization: endUser.organization,
    metadata: endUser.metadata,
    planKey: endUser.planKey,
    plan,
    createdAt: isoTime(endUser.createdAt),
    lastSeenAt: isoTime(endUser.lastSeenAt),
    updatedAt: isoTime(endUser.updatedAt),
  };
}

export function presentUsage(usage: UsageReport): ResponseOf<typeof contract.endUsers.usage> {
  return { ...usage, periodStart: isoTime(usage.periodStart), periodEnd: isoTime(usage.periodEnd) };
}
