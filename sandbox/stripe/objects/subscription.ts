/** Subscriptions and their items (billing periods live on the items in current API versions). */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';
import { embeddedList } from '../list.ts';
import type { CollectionMethod } from './invoice.ts';
import { type PriceRecord, planJson, priceJson } from './price.ts';

export type SubscriptionStatus =
  | 'active'
  | 'canceled'
  | 'incomplete'
  | 'incomplete_expired'
  | 'past_due'
  | 'paused'
  | 'trialing'
  | 'unpaid';

export interface SubscriptionItemRecord {
  readonly id: string;
  readonly created: number;
  price: string;
  quantity: number;
  metadata: Record<string, string>;
  periodStart: number;
  periodEnd: number;
}

export interface SubscriptionRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  readonly customer: string;
  readonly currency: string;
  status: SubscriptionStatus;
  collectionMethod: CollectionMethod;
  daysUntilDue: number | null;
  description: string | null;
  metadata: Record<string, string>;
  readonly items: SubscriptionItemRecord[];
  readonly billingCycleAnchor: number;
  readonly startDate: number;
  cancelAtPeriodEnd: boolean;
  canceledAt: number | null;
  endedAt: number | null;
  readonly trialStart: number | null;
  readonly trialEnd: number | null;
  latestInvoice: string | null;
  applicationFeePercent: number | null;
  cancellation: { comment: string | null; feedback: string | null; reason: 'cancellation_requested' | null };
}

export function subscriptionItemJson(
  item: SubscriptionItemRecord,
  subscription: SubscriptionRecord,
  view: View,
): StripeJson<Stripe.SubscriptionItem> {
  const price = view.account.prices.get(item.price) as PriceRecord;
  return {
    id: item.id,
    object: 'subscription_item',
    billing_thresholds: null,
    created: item.created,
    current_period_end: item.periodEnd,
    current_period_start: item.periodStart,
    current_trial: null,
    discounts: [],
    metadata: { ...item.metadata },
    plan: planJson(price),
    price: priceJson(price, view),
    quantity: item.quantity,
    subscription: subscription.id,
    tax_rates: [],
  };
}

export function subscriptionJson(
  subscription: SubscriptionRecord,
  view: View,
): StripeJson<Stripe.Subscription> {
  const items = subscription.items.map((item) => subscriptionItemJson(item, subscription, view));
  const cancellation = subscription.cancellation;
  return {
    id: subscription.id,
    object: 'subscription',
    application: null,
    application_fee_percent: subscription.applicationFeePercent,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: subscription.billingCycleAnchor,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: subscription.cancelAtPeriodEnd ? (subscription.items[0]?.periodEnd ?? null) : null,
    cancel_at_period_end: subscription.cancelAtPeriodEnd,
    canceled_at: subscription.canceledAt,
    cancellation_details: {
      comment: cancellation.comment,
      feedback: cancellation.feedback,
      feedback_option: null,
      reason: cancellation.reason,
    },
    collection_method: subscription.collectionMethod,
    created: subscription.created,
    currency: subscription.currency,
    customer: subscription.customer,
    customer_account: null,
    days_until_due: subscription.daysUntilDue,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: subscription.description,
    discounts: [],
    ended_at: subscription.endedAt,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    items: embeddedList(items, `/v1/subscription_items?subscription=${subscription.id}`),
    latest_invoice: subscription.latestInvoice,
    livemode: false,
    managed_payments: null,
    metadata: { ...subscription.metadata },
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: subscription.startDate,
    status: subscription.status,
    test_clock: null,
    transfer_data: null,
    trial_end: subscription.trialEnd,
    trial_settings: {
      end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' },
    },
    trial_start: subscription.trialStart,
  };
}
