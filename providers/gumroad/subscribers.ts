/**
 * Gumroad subscribers (a buyer's membership of a product, GET /v2/products/:id/subscribers,
 * https://gumroad.com/api#subscribers) as records of the shared `subscriptions` model.
 *
 * Facts the mapping rests on: `status` is one of `alive`, `pending_cancellation` (the buyer
 * cancelled; access lasts to the end of the paid period), `pending_failure` (a renewal charge
 * failed and is being retried), `failed_payment` (ended after failed charges),
 * `fixed_subscription_period_ended` (a fixed number of charges ran out) and `cancelled`. Gumroad
 * gives no billing period dates and no currency on a subscriber, so those stay null; the
 * product is the plan (a membership tier is a product or a variant of one, which the
 * subscriber does not name), so `items` holds the product and `metadata` its name and recurrence
 * for plan rules to match.
 */
import { PatchbayError, type SubscriptionRecord, z } from '../../src/scripts/index.ts';

const instant = z.string().nullish();

/** A subscriber of the API (the fields the mapping reads; others are kept in `raw`). */
export const gumroadSubscriberJson = z.looseObject({
  id: z.string().min(1),
  product_id: z.string().min(1),
  product_name: z.string().nullish(),
  user_id: z.string().nullish(),
  email: z.string().nullish(),
  user_email: z.string().nullish(),
  created_at: instant,
  recurrence: z.string().nullish(),
  status: z.string(),
  user_requested_cancellation_at: instant,
  cancelled_at: instant,
  ended_at: instant,
  failed_at: instant,
  free_trial_ends_at: instant,
});

/** Gumroad's status as the shared model's, at `now` (a free trial still running is `trialing`). */
export function subscriptionStatusOf(
  status: string,
  freeTrialEndsAt: string | null | undefined,
  now: Date,
): SubscriptionRecord['status'] {
  switch (status) {
    case 'alive':
    case 'pending_cancellation':
      return freeTrialEndsAt && Date.parse(freeTrialEndsAt) > now.getTime() ? 'trialing' : 'active';
    case 'pending_failure':
      return 'past_due';
    case 'failed_payment':
      return 'unpaid';
    case 'cancelled':
    case 'fixed_subscription_period_ended':
      return 'canceled';
    default:
      throw new PatchbayError(
        'provider_response_invalid',
        `Gumroad subscriber status "${status}" is not known`,
        {
          details: { status },
        },
      );
  }
}

/** One subscriber of the API as a `subscriptions` record. */
export function toSubscription(json: unknown, now: Date): SubscriptionRecord {
  const s = gumroadSubscriberJson.parse(json);
  const metadata: Record<string, string> = { gumroadStatus: s.status };
  if (s.product_name) metadata.productName = s.product_name;
  if (s.recurrence) metadata.recurrence = s.recurrence;
  const email = s.email ?? s.user_email;
  if (email) metadata.email = email;
  return {
    id: s.id,
    status: subscriptionStatusOf(s.status, s.free_trial_ends_at, now),
    customerId: s.user_id ?? null,
    currency: null,
    items: [{ id: s.id, priceId: null, productId: s.product_id, quantity: 1 }],
    currentPeriodStart: null,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: s.status === 'pending_cancellation',
    canceledAt: iso(s.cancelled_at ?? s.user_requested_cancellation_at ?? s.ended_at ?? s.failed_at ?? null),
    createdAt: iso(s.created_at ?? null),
    metadata,
    raw: json as Record<string, unknown>,
  };
}

function iso(value: string | null): string | null {
  if (value === null) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
