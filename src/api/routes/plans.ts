import { inputOf, type PlansService } from '../../plans/plans.ts';
import type { Plan } from '../../plans/types.ts';
import { isoTime } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** `/v1/plans`: the environment's plans and their versions. */
export function planRoutes(plans: PlansService): RouteModule {
  return {
    name: 'plans',
    routes: [
      route(contract.plans.list, async ({ auth }) => ({
        data: (await plans.list(auth.environment.id)).map(presentPlan),
      })),
      route(contract.plans.create, async ({ auth, body }) =>
        presentPlan(await plans.create(auth.environment.id, body, auth.keyId)),
      ),
      route(contract.plans.get, async ({ auth, params }) =>
        presentPlan(await plans.get(auth.environment.id, params.key)),
      ),
      route(contract.plans.put, async ({ auth, params, body, reply }) => {
        const { plan } = await plans.put(auth.environment.id, { ...body, key: params.key }, auth.keyId);
        if (plan.version === 1 && plan.createdAt === plan.updatedAt) reply.code(201);
        return presentPlan(plan);
      }),
      route(contract.plans.delete, async ({ auth, params }) => {
        await plans.delete(auth.environment.id, params.key, auth.keyId);
        return { key: params.key, deleted: true as const };
      }),
      route(contract.plans.versions, async ({ auth, params }) => ({
        data: (await plans.versions(auth.environment.id, params.key)).map((version) => ({
          ...version,
          plan: version.plan as Record<string, unknown>,
          createdAt: isoTime(version.createdAt),
        })),
      })),
    ],
  };
}

/** A plan as the API shows it. */
export function presentPlan(plan: Plan): ResponseOf<typeof contract.plans.get> {
  const {
    key: _key,
    name: _name,
    rank: _rank,
    default: _default,
    description: _description,
    ...rules
  } = inputOf(plan);
  return {
    ...rules,
    key: plan.key,
    name: plan.name,
    description: plan.description,
    rank: plan.rank,
    default: plan.isDefault,
    source: plan.source,
    version: plan.version,
    createdAt: isoTime(plan.createdAt),
    updatedAt: isoTime(plan.updatedAt),
  };
}
