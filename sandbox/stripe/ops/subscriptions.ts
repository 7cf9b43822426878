/**
 * Starting and ending subscriptions. A new subscription bills its first period at once: an
 * invoice (`subscription_create`) with one line per item, finalized, and — when collected
 * automatically — paid with the customer's card; it is `active` once paid, `incomplete` when the
 * card declined (or with `payment_behavior=default_incomplete`), and `active` with an open invoice
 * for `send_invoice`. A trial bills a zero invoice and is `trialing`. Periods do not renew by
 * themselves in the emulator.
 */
import type { PlatformAccount } from '../accounts.ts';
import { nowSeconds, type Scope } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { newId } from '../ids.ts';
import type { CustomerRecord } from '../objects/customer.ts';
import { invoiceJson } from '../objects/invoice.ts';
import type { Interval, PriceRecord } from '../objects/price.ts';
import type { ProductRecord } from '../objects/product.ts';
import {
  type SubscriptionItemRecord,
  type SubscriptionRecord,
  subscriptionJson,
} from '../objects/subscription.ts';
import { payInvoice } from './invoice-payment.ts';
import { draftInvoice, finalizeInvoice, storeInvoice } from './invoicing.ts';

export interface SubscriptionRequest {
  customer: CustomerRecord;
  items: { price: PriceRecord; quantity: number; metadata: Record<string, string> }[];
  collectionMethod: SubscriptionRecord['collectionMethod'];
  daysUntilDue: number | null;
  description: string | null;
  metadata: Record<string, string>;
  trialPeriodDays: number | null;
  paymentBehavior: 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete';
  applicationFeePercent: number | null;
  paymentMethod: string | undefined;
  platform: PlatformAccount | undefined;
}

const DAY = 24 * 60 * 60;

/**
 * `from` (seconds) plus `count` intervals. Months and years follow the calendar, and a day the
 * target month lacks becomes its last day, as Stripe bills an anchor of January 31st on
 * February 28th.
 */
export function addInterval(from: number, interval: Interval, count: number): number {
  if (interval === 'day') return from + count * DAY;
  if (interval === 'week') return from + count * 7 * DAY;
  const date = new Date(from * 1000);
  const months = interval === 'month' ? count : count * 12;
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  target.setUTCHours(date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds());
  return Math.floor(target.getTime() / 1000);
}

export function createSubscription(scope: Scope, request: SubscriptionRequest): SubscriptionRecord {
  const first = request.items[0]?.price;
  if (!first?.recurring)
    throw invalidRequest('Missing required param: items.', { code: 'parameter_missing', param: 'items' });
  const { interval, intervalCount } = first.recurring;
  for (const [index, { price }] of request.items.entries()) {
    if (price.currency !== first.currency || price.recurring?.interval !== interval) {
      throw invalidRequest(
        'All prices on a subscription must have the same `currency` and `recurring.interval`.',
        {
          param: `items[${index}][price]`,
        },
      );
    }
  }
  const now = nowSeconds(scope);
  const trialEnd = request.trialPeriodDays ? now + request.trialPeriodDays * DAY : null;
  const periodEnd = trialEnd ?? addInterval(now, interval, intervalCount);
  const items: SubscriptionItemRecord[] = request.items.map((item) => ({
    id: newId('si').slice(0, 17),
    created: now,
    price: item.price.id,
    quantity: item.quantity,
    metadata: item.metadata,
    periodStart: now,
    periodEnd,
  }));
  const subscription: SubscriptionRecord = {
    id: newId('sub'),
    created: now,
    seq: scope.account.nextSeq(),
    customer: request.customer.id,
    currency: first.currency,
    status: 'incomplete',
    collectionMethod: request.collectionMethod,
    daysUntilDue: request.daysUntilDue,
    description: request.description,
    metadata: request.metadata,
    items,
    billingCycleAnchor: periodEnd === trialEnd ? periodEnd : now,
    startDate: now,
    cancelAtPeriodEnd: false,
    canceledAt: null,
    endedAt: null,
    trialStart: trialEnd ? now : null,
    trialEnd,
    latestInvoice: null,
    applicationFeePercent: request.applicationFeePercent,
    cancellation: { comment: null, feedback: null, reason: null },
  };
  scope.account.subscriptions.add(subscription);
  subscription.status = billFirstPeriod(scope, subscription, request, trialEnd !== null);
  recordEvent(scope, 'customer.subscription.created', subscriptionJson(subscription, scope));
  return subscription;
}

function billFirstPeriod(
  scope: Scope,
  subscription: SubscriptionRecord,
  request: SubscriptionRequest,
  trial: boolean,
): SubscriptionRecord['status'] {
  const invoice = draftInvoice(scope, {
    customer: request.customer,
    currency: subscription.currency,
    collectionMethod: subscription.collectionMethod,
    dueDate: subscription.daysUntilDue === null ? null : nowSeconds(scope) + subscription.daysUntilDue * DAY,
    autoAdvance: true,
    description: null,
    footer: null,
    metadata: {},
    subscription: subscription.id,
    billingReason: 'subscription_create',
  });
  for (const [index, item] of subscription.items.entries()) {
    const price = (request.items[index] as { price: PriceRecord }).price;
    const product = scope.account.products.get(price.product) as ProductRecord | undefined;
    invoice.lines.push({
      id: newId('il'),
      currency: price.currency,
      quantity: item.quantity,
      unitAmount: trial ? 0 : price.unitAmount,
      description: `${trial ? 'Trial period for ' : `${item.quantity} × `}${product?.name ?? price.id}`,
      price: price.id,
      product: price.product,
      source: { subscriptionItem: item.id },
      subscription: subscription.id,
      period: { start: item.periodStart, end: item.periodEnd },
      metadata: {},
    });
  }
  storeInvoice(scope, invoice);
  subscription.latestInvoice = invoice.id;
  recordEvent(scope, 'invoice.created', invoiceJson(invoice, scope));
  finalizeInvoice(scope, invoice);
  if (trial) return 'trialing';
  if (subscription.collectionMethod === 'send_invoice') return 'active';
  if (request.paymentBehavior === 'default_incomplete') return 'incomplete';
  try {
    payInvoice(scope, invoice, {
      paymentMethod: request.paymentMethod,
      platform: request.platform,
      applicationFeePercent: request.applicationFeePercent,
    });
    return 'active';
  } catch (error) {
    if (request.paymentBehavior === 'error_if_incomplete') {
      subscription.status = 'incomplete_expired';
      throw error;
    }
    return 'incomplete';
  }
}

/** Cancels at once (`DELETE /v1/subscriptions/:id`). */
export function cancelSubscription(
  scope: Scope,
  subscription: SubscriptionRecord,
  details: { comment?: string | undefined; feedback?: string | undefined },
): void {
  if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
    throw invalidRequest(`This subscription (${subscription.id}) is already canceled.`);
  }
  const now = nowSeconds(scope);
  subscription.status = 'canceled';
  subscription.canceledAt = now;
  subscription.endedAt = now;
  subscription.cancellation = {
    comment: details.comment ?? null,
    feedback: details.feedback ?? null,
    reason: 'cancellation_requested',
  };
  recordEvent(scope, 'customer.subscription.deleted', subscriptionJson(subscription, scope));
}
