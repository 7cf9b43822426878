/** Prices, and the legacy plan object subscription items still carry. */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';

export type Interval = 'day' | 'week' | 'month' | 'year';

export interface PriceRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  readonly product: string;
  readonly currency: string;
  readonly unitAmount: number;
  readonly recurring: { interval: Interval; intervalCount: number } | null;
  active: boolean;
  nickname: string | null;
  lookupKey: string | null;
  metadata: Record<string, string>;
  readonly taxBehavior: 'exclusive' | 'inclusive' | 'unspecified';
}

export function priceJson(price: PriceRecord, _view: View): StripeJson<Stripe.Price> {
  return {
    id: price.id,
    object: 'price',
    active: price.active,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: price.lookupKey,
    metadata: { ...price.metadata },
    nickname: price.nickname,
    product: price.product,
    recurring: price.recurring && {
      interval: price.recurring.interval,
      interval_count: price.recurring.intervalCount,
      meter: null,
      trial_period_days: null,
      usage_type: 'licensed',
    },
    tax_behavior: price.taxBehavior,
    tiers_mode: null,
    transform_quantity: null,
    type: price.recurring ? 'recurring' : 'one_time',
    unit_amount: price.unitAmount,
    unit_amount_decimal: String(price.unitAmount),
  };
}

/** The plan a recurring price stands for (subscription items still return one). */
export function planJson(price: PriceRecord): StripeJson<Stripe.Plan> {
  const recurring = price.recurring ?? { interval: 'month', intervalCount: 1 };
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unitAmount,
    amount_decimal: String(price.unitAmount),
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: recurring.interval,
    interval_count: recurring.intervalCount,
    livemode: false,
    metadata: { ...price.metadata },
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}
