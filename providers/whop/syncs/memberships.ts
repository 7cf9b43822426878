/**
 * The company's memberships, every status, from `GET /memberships?company_id=…` (cursor pages),
 * as `subscriptions` records. Whop's membership list has no updated-since filter, so each run
 * reads them all (one request per page); between runs the `memberships` webhook handler applies
 * each `membership.*` event at once. Memberships are not deleted at Whop (they end as canceled,
 * expired or completed), so nothing is removed here.
 */
import { defineSync, subscriptionModel } from '../../../src/scripts/index.ts';
import { companyOf } from '../api.ts';
import { toSubscription, type WhopMembership } from '../models.ts';

export default defineSync({
  name: 'memberships',
  description:
    'Memberships of the Whop company (plan, product, user, status, renewal dates) as subscriptions.',
  models: { subscriptions: subscriptionModel },
  frequency: '1h',
  async exec(ctx) {
    const query = { company_id: companyOf(ctx) };
    for await (const page of ctx.paginate<WhopMembership>({ method: 'GET', path: '/memberships', query })) {
      await ctx.records.save('subscriptions', page.items.map(toSubscription));
    }
  },
});
