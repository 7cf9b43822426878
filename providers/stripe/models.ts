/**
 * Stripe's API objects as the shared commerce models (`customers`, `products`, `invoices`,
 * `payments`, `subscriptions`): pure mappings, used by the syncs and by the webhook handlers, each
 * keeping the object as received in `raw`.
 *
 * Inputs are typed with the official `stripe` SDK's types (imported as types only: erased from
 * the JavaScript, so the package needs no `stripe` at run time) in their wire form (`StripeWire`:
 * the SDK's `Decimal` fields are decimal strings in JSON). Facts from Stripe's API reference
 * (https://docs.stripe.com/api), API version 2026-10-28 and the older ones accounts may be pinned
 * to:
 * - timestamps are Unix seconds; amounts are integers in the currency's smallest unit; currencies
 *   are lower-case ISO 4217 codes; `metadata` is string key-values (null on some invoices);
 * - expandable fields (`customer`, `product`, `price`) are an id or the expanded object;
 * - since API version 2025-03-31 an invoice line names its price in `pricing.price_details` and
 *   its unit amount in `pricing.unit_amount_decimal`; before, in `price` (`price.unit_amount`).
 *   Likewise a subscription's current period moved from the subscription to each of its items,
 *   and charges no longer name their invoice (`invoice` is read when an older version sends it);
 * - a charge lists its refunds only when `refunds` is expanded (a list of up to 10; more are
 *   read from `GET /v1/refunds?charge=…`).
 *
 * Why a charge is the `payments` record, not a payment intent: a charge is the movement of money
 * every way of paying produces (payment intents, Checkout, invoices, the legacy Charges API), and
 * it carries what a payment record needs — amount, amount refunded and the refunds, the
 * application fee, the failure — while a payment intent is the intent to collect, which may have
 * no charge yet (nothing was paid) or several (declined tries before the one that succeeded).
 * `charge.refunded`, the webhook that moves a payment, carries a charge too. The payment intent's
 * id stays in `raw.payment_intent`.
 */
import type Stripe from 'stripe';
import {
  type CustomerRecord,
  type InvoiceRecord,
  type InvoiceStatus,
  invoiceStatus,
  PatchbayError,
  type PaymentRecord,
  type ProductRecord,
  type SubscriptionRecord,
  subscriptionStatus,
} from '../../src/scripts/index.ts';

/**
 * A Stripe object as it travels in JSON: the SDK's type with its `Decimal` fields (parsed by the
 * SDK into a class) as the decimal strings they are on the wire.
 */
export type StripeWire<T> = T extends Stripe.Decimal
  ? string
  : T extends string | number | boolean | bigint | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? StripeWire<U>[]
      : T extends object
        ? { [K in keyof T]: StripeWire<T[K]> }
        : T;

export type StripeCustomer = StripeWire<Stripe.Customer>;
export type StripeDeletedObject = { id: string; object: string; deleted: true };
export type StripeProduct = StripeWire<Stripe.Product>;
export type StripePrice = StripeWire<Stripe.Price>;
export type StripeInvoice = StripeWire<Stripe.Invoice>;
export type StripeInvoiceLine = StripeWire<Stripe.InvoiceLineItem>;
export type StripeCharge = StripeWire<Stripe.Charge>;
export type StripeRefund = StripeWire<Stripe.Refund>;
export type StripeSubscription = StripeWire<Stripe.Subscription>;
export type StripeSubscriptionItem = StripeWire<Stripe.SubscriptionItem>;

/** The page of a Stripe list answer (`{ object: 'list', data, has_more, url }`). */
export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** Whether a Stripe object is the `{ id, object, deleted: true }` stub a deletion leaves. */
export function isDeleted(value: unknown): value is StripeDeletedObject {
  return typeof value === 'object' && value !== null && (value as { deleted?: unknown }).deleted === true;
}

export function toCustomer(customer: StripeCustomer): CustomerRecord {
  return {
    id: customer.id,
    email: customer.email,
    name: customer.name ?? null,
    phone: customer.phone ?? null,
    currency: currencyOrNull(customer.currency),
    createdAt: instant(customer.created),
    metadata: metadataOf(customer.metadata),
    raw: asRaw(customer),
  };
}

/** A product with its prices (listed apart: `GET /v1/prices?product=…`, or every price at once). */
export function toProduct(product: StripeProduct, prices?: readonly StripePrice[]): ProductRecord {
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    active: product.active,
    url: product.url ?? null,
    prices: listOr(prices, []).map(toPrice),
    createdAt: instant(product.created),
    updatedAt: instant(product.updated),
    metadata: metadataOf(product.metadata),
    raw: asRaw(product),
  };
}

export function toPrice(price: StripePrice): ProductRecord['prices'][number] {
  const recurring = price.recurring;
  return {
    id: price.id,
    currency: price.currency,
    unitAmount: price.unit_amount,
    active: price.active,
    recurring: recurring
      ? {
          interval: known(INTERVALS, recurring.interval, 'price interval'),
          intervalCount: recurring.interval_count,
        }
      : null,
  };
}

/** The product id a price belongs to (its `product` is an id or, when expanded, the product). */
export function priceProductId(price: StripePrice): string {
  return idOf(price.product) as string;
}

/**
 * An invoice. `lines` defaults to the lines embedded in the invoice, which Stripe cuts at 10
 * (`lines.has_more`); pass every line, read from `GET /v1/invoices/:id/lines`, when it is cut.
 */
export function toInvoice(invoice: StripeInvoice, lines?: readonly StripeInvoiceLine[]): InvoiceRecord {
  const transitions = invoice.status_transitions;
  return {
    id: invoice.id,
    number: invoice.number,
    // Null only for preview invoices, which are never saved: a draft in all but name.
    status: invoiceStatusOf(invoice.status),
    customerId: idOf(invoice.customer),
    customerEmail: invoice.customer_email,
    currency: invoice.currency,
    subtotal: invoice.subtotal,
    total: invoice.total,
    amountDue: invoice.amount_due,
    amountPaid: invoice.amount_paid,
    amountRemaining: invoice.amount_remaining,
    hostedUrl: invoice.hosted_invoice_url ?? null,
    pdfUrl: invoice.invoice_pdf ?? null,
    collection: COLLECTION_METHODS.has(invoice.collection_method)
      ? (invoice.collection_method as NonNullable<InvoiceRecord['collection']>)
      : null,
    dueAt: instant(invoice.due_date),
    createdAt: instant(invoice.created),
    finalizedAt: instant(transitions?.finalized_at),
    paidAt: instant(transitions?.paid_at),
    voidedAt: instant(transitions?.voided_at),
    lines: listOr(lines, invoice.lines?.data ?? []).map(toInvoiceLine),
    metadata: metadataOf(invoice.metadata),
    raw: asRaw(invoice),
  };
}

export function toInvoiceLine(line: StripeInvoiceLine): InvoiceRecord['lines'][number] {
  // Older API versions: the line's `price` object (absent from the current types).
  const legacyPrice = (line as { price?: { id?: string; product?: unknown; unit_amount?: number | null } })
    .price;
  const details = line.pricing?.price_details;
  const quantity = line.quantity ?? null;
  return {
    id: line.id,
    description: line.description,
    quantity,
    unitAmount:
      wholeNumber(line.pricing?.unit_amount_decimal) ??
      legacyPrice?.unit_amount ??
      (quantity !== null && quantity > 0 && line.amount % quantity === 0 ? line.amount / quantity : null),
    amount: line.amount,
    currency: line.currency,
    productId: idOf(details?.product) ?? idOf(legacyPrice?.product as string | { id: string } | undefined),
    priceId: idOf(details?.price) ?? legacyPrice?.id ?? null,
  };
}

/**
 * A charge as a payment (see the module's comment for why a charge). `refunds` defaults to the
 * charge's expanded `refunds` list; pass them when they were read apart (more than 10).
 */
export function toPayment(charge: StripeCharge, refunds?: readonly StripeRefund[]): PaymentRecord {
  const listed = listOr(refunds, charge.refunds?.data ?? []);
  // Older API versions name the invoice a charge paid.
  const invoice = (charge as { invoice?: string | { id: string } | null }).invoice;
  return {
    id: charge.id,
    status: paymentStatusOf(charge),
    amount: charge.amount,
    amountRefunded: charge.amount_refunded,
    currency: charge.currency,
    customerId: idOf(charge.customer),
    invoiceId: idOf(invoice),
    description: charge.description,
    applicationFeeAmount: charge.application_fee_amount,
    refunds: listed.map((refund) => ({
      id: refund.id,
      amount: refund.amount,
      status: refund.status ?? 'pending',
      createdAt: instant(refund.created),
    })),
    createdAt: instant(charge.created),
    metadata: metadataOf(charge.metadata),
    raw: asRaw(charge),
  };
}

/**
 * A subscription. `items` defaults to the items embedded in it (a list Stripe may cut,
 * `items.has_more`); pass every item, read from `GET /v1/subscription_items`, when it is cut.
 */
export function toSubscription(
  subscription: StripeSubscription,
  listed?: readonly StripeSubscriptionItem[],
): SubscriptionRecord {
  const items = listOr(listed, subscription.items?.data ?? []);
  // Older API versions keep the current period on the subscription, newer ones on each item.
  const legacy = subscription as { current_period_start?: number; current_period_end?: number };
  const starts = items.map((item) => item.current_period_start).filter(isNumber);
  const ends = items.map((item) => item.current_period_end).filter(isNumber);
  return {
    id: subscription.id,
    status: known(SUBSCRIPTION_STATUSES, subscription.status, 'subscription status'),
    customerId: idOf(subscription.customer),
    currency: currencyOrNull(subscription.currency),
    items: items.map((item) => ({
      id: item.id,
      priceId: item.price?.id ?? null,
      productId: idOf(item.price?.product),
      quantity: item.quantity ?? null,
    })),
    currentPeriodStart: instant(legacy.current_period_start ?? minOf(starts)),
    currentPeriodEnd: instant(legacy.current_period_end ?? maxOf(ends)),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    canceledAt: instant(subscription.canceled_at),
    createdAt: instant(subscription.created),
    metadata: metadataOf(subscription.metadata),
    raw: asRaw(subscription),
  };
}

// Stripe's statuses are the shared models' own vocabulary (src/models/commerce.ts).
const INVOICE_STATUSES = new Set<string>(invoiceStatus.options);
const COLLECTION_METHODS = new Set<string>(['charge_automatically', 'send_invoice']);
const INTERVALS = ['day', 'week', 'month', 'year'] as const;
const SUBSCRIPTION_STATUSES = subscriptionStatus.options;

/**
 * A value of one of Stripe's open enums that the shared model names. A value Stripe added since
 * is refused with `provider_response_invalid` naming it, rather than stored as a wrong one.
 */
function known<const T extends string>(values: readonly T[], value: string, what: string): T {
  if ((values as readonly string[]).includes(value)) return value as T;
  throw new PatchbayError('provider_response_invalid', `Stripe sent an unknown ${what} "${value}"`);
}

function invoiceStatusOf(status: string | null): InvoiceStatus {
  if (status !== null && INVOICE_STATUSES.has(status)) return status as InvoiceStatus;
  return 'draft';
}

function paymentStatusOf(charge: StripeCharge): PaymentRecord['status'] {
  if (charge.status === 'failed') return 'failed';
  if (charge.status === 'pending') return 'pending';
  if (charge.amount_refunded > 0) {
    return charge.refunded || charge.amount_refunded >= charge.amount ? 'refunded' : 'partially_refunded';
  }
  return 'succeeded';
}

/**
 * The list given, else the object's own: only an array counts, so that `objects.map(toInvoice)`
 * (which passes the index second) maps each object with its embedded list.
 */
function listOr<T>(given: readonly T[] | undefined, own: readonly T[]): readonly T[] {
  return Array.isArray(given) ? given : own;
}

/** An expandable field's id: the id itself, or the expanded object's. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

function instant(seconds: number | null | undefined): string | null {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null;
}

function currencyOrNull(currency: string | null | undefined): string | null {
  return typeof currency === 'string' && currency !== '' ? currency : null;
}

function metadataOf(metadata: Record<string, string> | null | undefined): Record<string, string> {
  return metadata ? { ...metadata } : {};
}

function wholeNumber(decimal: string | null | undefined): number | null {
  if (typeof decimal !== 'string' || !/^-?\d+(\.0+)?$/.test(decimal)) return null;
  return Number.parseInt(decimal, 10);
}

function isNumber(value: number | undefined): value is number {
  return typeof value === 'number';
}

function minOf(values: number[]): number | undefined {
  return values.length === 0 ? undefined : Math.min(...values);
}

function maxOf(values: number[]): number | undefined {
  return values.length === 0 ? undefined : Math.max(...values);
}

/** The object as received, kept beside the normalized fields (a JSON object: nothing to copy). */
function asRaw(value: object): Record<string, unknown> {
  return value as Record<string, unknown>;
}
