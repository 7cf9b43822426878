/**
 * `GET /v1/subscription_items?subscription=…` (the `url` of a subscription's `items`) and
 * `GET /v1/subscription_items/:id`, so a client can page through items the way Stripe links them.
 */
import { noSuch } from '../errors.ts';
import { arrayPage } from '../list.ts';
import { subscriptionItemJson } from '../objects/subscription.ts';
import type { RouteTable } from '../routes.ts';
import { find } from './lookup.ts';

export function subscriptionItemRoutes(routes: RouteTable): void {
  routes.add('GET', '/v1/subscription_items', ({ scope, params }) => {
    const id = params.requiredString('subscription');
    const subscription = find(scope.account.subscriptions, id, 'subscription', 'subscription');
    return arrayPage(
      subscription.items,
      params,
      `/v1/subscription_items?subscription=${id}`,
      'subscription item',
      (item) => subscriptionItemJson(item, subscription, scope),
    );
  });

  routes.add('GET', '/v1/subscription_items/:id', ({ scope, params, path }) => {
    params.done();
    const id = path.id as string;
    for (const subscription of scope.account.subscriptions.values()) {
      const item = subscription.items.find((candidate) => candidate.id === id);
      if (item) return subscriptionItemJson(item, subscription, scope);
    }
    throw noSuch('subscription item', id);
  });
}
