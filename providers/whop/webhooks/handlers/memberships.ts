import { defineWebhookHandler, subscriptionModel, z } from '../../../../src/scripts/index.ts';
import { WHOP_MEMBERSHIP_EVENTS } from '../../events.ts';
import { toSubscription, type WhopMembership } from '../../models.ts';

/** The part of a Whop v1 membership event the handler relies on; `data` is read as Whop's membership. */
const envelope = z.object({
  type: z.string(),
  data: z.looseObject({
    id: z.string().min(1),
    status: z.string().min(1),
    updated_at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'an instant'),
    cancel_at_period_end: z.boolean(),
    plan: z.looseObject({ id: z.string().min(1) }),
    product: z.looseObject({ id: z.string().min(1) }),
  }),
});

/**
 * A membership activated, deactivated or set to (not) cancel at period end updates its
 * `subscriptions` record at once and emits `subscription.changed` (with the status it had, so a
 * host can tell an upgrade from a cancellation). Events arrive late and twice: one older than the
 * stored record (by Whop's `updated_at`) changes nothing, and a repeat that changes nothing emits
 * nothing. A body that is not Whop's shape is left to the raw `inbound.whop.<type>` event.
 */
export default defineWebhookHandler({
  name: 'memberships',
  description: 'Whop membership events update subscriptions records and emit subscription.changed',
  events: WHOP_MEMBERSHIP_EVENTS,
  models: { subscriptions: subscriptionModel },
  async handle(ctx, event) {
    const parsed = envelope.safeParse(event.payload);
    if (!parsed.success) {
      ctx.log.warn({ type: event.type }, 'not a Whop membership event: left to the raw event');
      return;
    }
    const membership = parsed.data.data as unknown as WhopMembership;
    const record = toSubscription(membership);
    const stored = await ctx.records.get('subscriptions', membership.id);
    const storedAt = Date.parse(
      String((stored?.raw as { updated_at?: unknown } | undefined)?.updated_at ?? ''),
    );
    if (stored && storedAt > Date.parse(membership.updated_at)) return;
    const unchanged =
      stored !== null &&
      stored.status === record.status &&
      stored.cancelAtPeriodEnd === record.cancelAtPeriodEnd &&
      stored.currentPeriodEnd === record.currentPeriodEnd &&
      stored.items[0]?.priceId === membership.plan.id;
    await ctx.records.save('subscriptions', [record]);
    if (unchanged) return;
    ctx.events.emit('subscription.changed', {
      subscriptionId: record.id,
      status: record.status,
      previousStatus: stored?.status ?? null,
      customerId: record.customerId,
      priceIds: [membership.plan.id],
      productIds: [membership.product.id],
      cancelAtPeriodEnd: record.cancelAtPeriodEnd,
      currentPeriodEnd: record.currentPeriodEnd,
      canceledAt: record.canceledAt,
      providerType: parsed.data.type,
      metadata: record.metadata,
    });
  },
});
