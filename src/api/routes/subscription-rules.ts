import {
  ruleInputOf,
  type SubscriptionRule,
  type SubscriptionRulesService,
} from '../../plans/subscription-rules.ts';
import { isoTime } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** `/v1/subscription-rules`: how billing integrations' subscriptions set end users' plans. */
export function subscriptionRuleRoutes(rules: SubscriptionRulesService): RouteModule {
  return {
    name: 'subscription-rules',
    routes: [
      route(contract.subscriptionRules.list, async ({ auth }) => ({
        data: (await rules.list(auth.environment.id)).map(presentRule),
      })),
      route(contract.subscriptionRules.create, async ({ auth, body }) =>
        presentRule(await rules.create(auth.environment.id, body, auth.keyId)),
      ),
      route(contract.subscriptionRules.get, async ({ auth, params }) =>
        presentRule(await rules.get(auth.environment.id, params.key)),
      ),
      route(contract.subscriptionRules.put, async ({ auth, params, body, reply }) => {
        const { rule, created } = await rules.put(
          auth.environment.id,
          { ...body, key: params.key },
          auth.keyId,
        );
        if (created) reply.code(201);
        return presentRule(rule);
      }),
      route(contract.subscriptionRules.delete, async ({ auth, params }) => {
        await rules.delete(auth.environment.id, params.key, auth.keyId);
        return { key: params.key, deleted: true as const };
      }),
    ],
  };
}

/** A rule as the API shows it. */
export function presentRule(rule: SubscriptionRule): ResponseOf<typeof contract.subscriptionRules.get> {
  return {
    ...ruleInputOf(rule),
    model: rule.model,
    activeStatuses: rule.activeStatuses,
    statusPath: rule.statusPath,
    fallbackPlanKey: rule.fallbackPlanKey,
    source: rule.source,
    version: rule.version,
    createdAt: isoTime(rule.createdAt),
    updatedAt: isoTime(rule.updatedAt),
  };
}
