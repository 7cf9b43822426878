import { isoTimeOrNull } from '../../values/instant.ts';
import type {
  WebhookSubscriptionsService,
  WebhookSubscriptionsView,
} from '../../webhook-subscriptions/index.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** `/v1/connections/:id/webhook-subscriptions`: what the engine registered at the provider, and a check on demand. */
export function webhookSubscriptionRoutes(
  service: Pick<WebhookSubscriptionsService, 'get' | 'requestCheck'>,
): RouteModule {
  return {
    name: 'webhook-subscriptions',
    routes: [
      route(contract.inbound.webhookSubscriptions, async ({ auth, params }) =>
        present(await service.get(auth.environment.id, params.id)),
      ),
      route(contract.inbound.checkWebhookSubscriptions, async ({ auth, params }) =>
        present(await service.requestCheck(auth.environment.id, params.id)),
      ),
    ],
  };
}

function present(view: WebhookSubscriptionsView): ResponseOf<typeof contract.inbound.webhookSubscriptions> {
  return {
    connectionId: view.connectionId,
    provider: view.provider,
    managed: view.managed,
    status: view.status,
    topics: view.topics,
    subscriptions: view.subscriptions.map((s) => ({ id: s.id, topics: s.topics })),
    hasSecret: view.hasSecret,
    error: view.error,
    failures: view.failures,
    registeredAt: isoTimeOrNull(view.registeredAt),
    checkedAt: isoTimeOrNull(view.checkedAt),
    removedAt: isoTimeOrNull(view.removedAt),
  };
}
