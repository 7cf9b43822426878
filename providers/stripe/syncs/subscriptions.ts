/**
 * Stripe subscriptions, every status: the list leaves out canceled ones unless asked for
 * `status=all`. Listed by `created`, then the `customer.subscription.*` events apply each
 * subscription as it became; `customer.subscription.deleted` means canceled, so the record stays,
 * with its `canceled` status (see ../incremental.ts). A subscription embeds its first 10 items;
 * the rest are read from `GET /v1/subscription_items`.
 */
import { defineSync, subscriptionModel } from '../../../src/scripts/index.ts';
import { allOf, runStripeSync, stripeCheckpoint } from '../incremental.ts';
import {
  type StripeList,
  type StripeSubscription,
  type StripeSubscriptionItem,
  toSubscription,
} from '../models.ts';

export default defineSync({
  name: 'subscriptions',
  description: 'Subscriptions of the Stripe account, canceled ones included.',
  models: { subscriptions: subscriptionModel },
  frequency: '1h',
  checkpoint: stripeCheckpoint,
  exec: (ctx) =>
    runStripeSync<'subscriptions', StripeSubscription>(ctx, {
      model: 'subscriptions',
      path: '/v1/subscriptions',
      query: { status: 'all' },
      events: { type: 'customer.subscription.*' },
      async toRecords(ctx, subscriptions) {
        const records = [];
        for (const subscription of subscriptions) {
          const embedded = subscription.items as StripeList<StripeSubscriptionItem> | undefined;
          const items = embedded?.has_more
            ? await allOf(ctx, embedded, '/v1/subscription_items', { subscription: subscription.id })
            : undefined;
          records.push(toSubscription(subscription, items));
        }
        return records;
      },
      effectOf(event) {
        const object = event.data.object;
        if (object.object !== 'subscription') return null;
        return { id: object.id, kind: 'save', object };
      },
    }),
});
