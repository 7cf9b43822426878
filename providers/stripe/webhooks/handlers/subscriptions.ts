import {
  defineWebhookHandler,
  type SubscriptionRecord,
  subscriptionModel,
} from '../../../../src/scripts/index.ts';
import { type StripeSubscription, toSubscription } from '../../models.ts';
import { recordOf, stripeEvent } from './_event.ts';

/** Statuses a Stripe subscription never leaves (https://docs.stripe.com/billing/subscriptions/overview). */
const FINAL = new Set(['canceled', 'incomplete_expired']);

/**
 * `customer.subscription.*` webhooks move the `subscriptions` record at once, from the
 * subscription in the event — so what follows a subscription (a plan-from-subscription rule)
 * follows within seconds instead of at the next hourly sync. `customer.subscription.deleted`
 * carries the subscription as canceled: the record stays, with that status, as the sync keeps it.
 *
 * Stripe sends events late and out of order (https://docs.stripe.com/webhooks#event-ordering). A
 * canceled (or expired) subscription is never active again, so an event that would move a record
 * out of those statuses is older than what the record shows and changes nothing; other events
 * apply as they come (the next sync reads each subscription's newest state anyway). An event
 * embeds at most ten items (`items.has_more`): the stored ones, which the sync read in full, are
 * kept then.
 */
export default defineWebhookHandler({
  name: 'subscriptions',
  description: 'Subscription webhooks update the subscriptions record',
  events: [
    'customer.subscription.created',
    'customer.subscription.updated',
    'customer.subscription.deleted',
    'customer.subscription.paused',
    'customer.subscription.resumed',
    'customer.subscription.pending_update_applied',
    'customer.subscription.pending_update_expired',
  ],
  models: { subscriptions: subscriptionModel },
  async handle(ctx, event) {
    const parsed = stripeEvent<StripeSubscription>(event.payload, 'subscription', ctx.log);
    const subscription = parsed && recordOf(ctx.log, subscriptionModel, () => toSubscription(parsed.object));
    if (!parsed || !subscription) return;
    const stored = await ctx.records.get('subscriptions', parsed.object.id);
    if (stored && FINAL.has(stored.status) && !FINAL.has(subscription.status)) {
      ctx.log.info(
        { subscriptionId: parsed.object.id, stored: stored.status, reported: subscription.status },
        'stale subscription event: the record is already ended',
      );
      return;
    }
    const cut = (parsed.object.items as { has_more?: boolean } | undefined)?.has_more === true;
    const record: SubscriptionRecord = {
      ...subscription,
      items: cut && stored ? stored.items : subscription.items,
    };
    await ctx.records.save('subscriptions', [record]);
  },
});
