/**
 * Whop's objects (https://docs.whop.com/api-reference) as the shared commerce records. A Whop
 * membership is a subscription: its plan is the price (`items[].priceId` is the `plan_…` id, what
 * a plan-from-subscription rule maps), its product the product, its user the customer. Whop's
 * amounts are decimals in the currency's major unit (`10.43`); records keep minor units.
 */
import type { PaymentRecord, ProductRecord, SubscriptionRecord } from '../../src/scripts/index.ts';

/** A membership as Whop lists it and sends it in `membership.*` webhooks (the fields we read). */
export interface WhopMembership {
  id: string;
  status: string;
  cancel_at_period_end: boolean;
  canceled_at: string | null;
  created_at: string;
  updated_at: string;
  currency: string | null;
  renewal_period_start: string | null;
  renewal_period_end: string | null;
  metadata: Record<string, unknown> | null;
  plan: { id: string };
  product: { id: string; title?: string };
  user: { id: string; email: string | null } | null;
  member: { id: string } | null;
}

export interface WhopProduct {
  id: string;
  title: string;
  headline: string | null;
  visibility: string;
  route: string;
  created_at: string;
  updated_at: string;
  metadata: Record<string, unknown> | null;
}

export interface WhopPlan {
  id: string;
  currency: string;
  plan_type: string;
  billing_period: number | null;
  initial_price: number;
  renewal_price: number;
  visibility: string;
  product: { id: string } | null;
}

export interface WhopPayment {
  id: string;
  status: string | null;
  substatus: string;
  currency: string;
  total: number | null;
  subtotal: number | null;
  refunded_amount: number | null;
  refunded_at: string | null;
  created_at: string;
  paid_at: string | null;
  updated_at: string;
  metadata: Record<string, unknown> | null;
  membership: { id: string } | null;
  product: { id: string; title?: string } | null;
  user: { id: string } | null;
  application_fee: { amount: number } | null;
}

/** Currencies without minor units among Whop's (amounts are already whole). */
const ZERO_DECIMAL = new Set(['jpy', 'krw', 'vnd', 'clp', 'isk', 'huf', 'twd', 'ugx', 'xof', 'xaf']);

/** A Whop decimal amount in `currency` as an integer of its minor unit. */
export function minorUnits(amount: number, currency: string): number {
  return ZERO_DECIMAL.has(currency.toLowerCase()) ? Math.round(amount) : Math.round(amount * 100);
}

/** Whop's membership statuses → the shared subscription statuses (Stripe's vocabulary). */
const MEMBERSHIP_STATUS: Readonly<Record<string, SubscriptionRecord['status']>> = {
  trialing: 'trialing',
  active: 'active',
  // Still valid until the period ends; `cancelAtPeriodEnd` says it will not renew.
  canceling: 'active',
  past_due: 'past_due',
  // Payment problems Whop has not resolved: access is held, as Stripe's `unpaid`.
  unresolved: 'unpaid',
  drafted: 'incomplete',
  canceled: 'canceled',
  // A fixed-length membership that ran out, or a one-time access that ended: no longer valid.
  expired: 'canceled',
  completed: 'canceled',
};

/** The `subscriptions` status of a Whop membership status; an unknown one reads as `incomplete`. */
export function subscriptionStatusOf(status: string): SubscriptionRecord['status'] {
  return MEMBERSHIP_STATUS[status] ?? 'incomplete';
}

/** The string key-values of a Whop `metadata` object (where hosts keep their own ids). */
export function stringMetadata(metadata: Record<string, unknown> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return out;
}

const iso = (value: string | null): string | null => (value === null ? null : new Date(value).toISOString());

/** The `subscriptions` record of a membership. */
export function toSubscription(membership: WhopMembership): SubscriptionRecord {
  return {
    id: membership.id,
    status: subscriptionStatusOf(membership.status),
    customerId: membership.user?.id ?? null,
    currency: membership.currency === null ? null : membership.currency.toLowerCase(),
    items: [
      {
        // One plan per membership: the item is the membership's plan.
        id: `${membership.id}:${membership.plan.id}`,
        priceId: membership.plan.id,
        productId: membership.product.id,
        quantity: 1,
      },
    ],
    currentPeriodStart: iso(membership.renewal_period_start),
    currentPeriodEnd: iso(membership.renewal_period_end),
    cancelAtPeriodEnd: membership.cancel_at_period_end,
    canceledAt: iso(membership.canceled_at),
    createdAt: iso(membership.created_at),
    metadata: stringMetadata(membership.metadata),
    raw: membership as unknown as Record<string, unknown>,
  };
}

/** Recurring interval of a plan's billing period in days (Whop gives days: 7, 30, 365…). */
function recurringOf(plan: WhopPlan): ProductRecord['prices'][number]['recurring'] {
  const days = plan.billing_period;
  if (plan.plan_type !== 'renewal' || days === null || days <= 0) return null;
  if (days === 7 || days === 14) return { interval: 'week', intervalCount: days / 7 };
  if (days >= 28 && days <= 31) return { interval: 'month', intervalCount: 1 };
  if (days === 90 || days === 180) return { interval: 'month', intervalCount: days / 30 };
  if (days === 365 || days === 366) return { interval: 'year', intervalCount: 1 };
  return { interval: 'day', intervalCount: days };
}

/** The `products` record of a product with its plans as prices. */
export function toProduct(product: WhopProduct, plans: readonly WhopPlan[]): ProductRecord {
  return {
    id: product.id,
    name: product.title,
    description: product.headline,
    active: product.visibility !== 'archived',
    url: null,
    prices: plans.map((plan) => {
      const currency = plan.currency.toLowerCase();
      const recurring = recurringOf(plan);
      return {
        id: plan.id,
        currency,
        unitAmount: minorUnits(recurring ? plan.renewal_price : plan.initial_price, currency),
        active: plan.visibility !== 'archived',
        recurring,
      };
    }),
    createdAt: iso(product.created_at),
    updatedAt: iso(product.updated_at),
    metadata: stringMetadata(product.metadata),
    raw: { ...product, plans } as unknown as Record<string, unknown>,
  };
}

/** Whop's friendly payment substatus → the shared payment status. */
const PAYMENT_STATUS: Readonly<Record<string, PaymentRecord['status']>> = {
  succeeded: 'succeeded',
  pending: 'pending',
  failed: 'failed',
  past_due: 'failed',
  uncollectible: 'failed',
  price_too_low: 'failed',
  canceled: 'canceled',
  refunded: 'refunded',
  auto_refunded: 'refunded',
  partially_refunded: 'partially_refunded',
};

/** The `payments` record of a payment. */
export function toPayment(payment: WhopPayment): PaymentRecord {
  const currency = payment.currency.toLowerCase();
  const amount = minorUnits(payment.total ?? payment.subtotal ?? 0, currency);
  const refunded = minorUnits(payment.refunded_amount ?? 0, currency);
  const status =
    PAYMENT_STATUS[payment.substatus] ??
    (payment.status === 'paid' ? 'succeeded' : payment.status === 'void' ? 'canceled' : 'pending');
  return {
    id: payment.id,
    status,
    amount,
    amountRefunded: refunded,
    currency,
    customerId: payment.user?.id ?? null,
    invoiceId: null,
    description: payment.product?.title ?? null,
    applicationFeeAmount:
      payment.application_fee === null ? null : minorUnits(payment.application_fee.amount, currency),
    refunds:
      refunded > 0
        ? [
            {
              id: `${payment.id}:refund`,
              amount: refunded,
              status: 'succeeded',
              createdAt: iso(payment.refunded_at),
            },
          ]
        : [],
    createdAt: iso(payment.created_at),
    metadata: stringMetadata(payment.metadata),
    raw: payment as unknown as Record<string, unknown>,
  };
}
