/**
 * Gumroad memberships into the shared `subscriptions` model: GET /v2/products lists the
 * products, and each membership product's GET /v2/products/:id/subscribers (`paginated=true`,
 * pages of 100 with `page_key`) its subscribers. Gumroad has no updated-since filter on
 * subscribers, so every run lists them all; what keeps them fresh between runs are the
 * membership pings (cancellation, subscription updated/ended/restarted, and a sale, which may
 * start one), each of which starts a run.
 */
import { defineSync, subscriptionModel } from '../../../src/scripts/index.ts';
import { gumroadList, gumroadProductJson } from '../models.ts';
import { toSubscription } from '../subscribers.ts';

export default defineSync({
  name: 'subscribers',
  description: 'Memberships of the Gumroad account, as subscriptions: status, product, buyer.',
  models: { subscriptions: subscriptionModel },
  frequency: '1h',
  webhookEvents: [
    'sale',
    'cancellation',
    'subscription_updated',
    'subscription_ended',
    'subscription_restarted',
  ],
  async exec(ctx) {
    const products = gumroadList(
      await ctx.proxy.getJson<unknown>('/products', { signal: ctx.signal }),
      'products',
    );
    const memberships = products
      .map((product) => gumroadProductJson.parse(product))
      .filter((product) => product.is_tiered_membership === true || Boolean(product.subscription_duration));
    for (const product of memberships) {
      for await (const page of ctx.paginate({
        method: 'GET',
        path: `/products/${encodeURIComponent(product.id)}/subscribers`,
        query: { paginated: 'true' },
        pagination: { resultsPath: 'subscribers' },
        signal: ctx.signal,
      })) {
        const now = new Date();
        await ctx.records.save(
          'subscriptions',
          gumroadList(page.body, 'subscribers').map((subscriber) => toSubscription(subscriber, now)),
        );
      }
    }
  },
});
