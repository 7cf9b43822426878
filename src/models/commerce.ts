/**
 * The commerce models every payments and store provider syncs into: `customers`, `products`,
 * `invoices`, `payments` and `subscriptions`. A host reads a Stripe invoice and a Square invoice
 * the same way; what only one provider has stays in `raw`, the provider's object as it was
 * received (so nothing a host may need is lost by normalizing).
 *
 * Conventions: amounts are integers in the currency's minor unit (cents); currencies are
 * lower-case ISO 4217; instants are ISO 8601 strings in UTC; `metadata` holds the provider
 * object's string key-values (where hosts keep their own ids); ids are the provider's.
 */
import { z } from 'zod';

const currency = z.string().regex(/^[a-z]{3}$/, 'a lower-case ISO 4217 code');
const instant = z.iso.datetime({ offset: true });
const metadata = z.record(z.string(), z.string());
/**
 * The provider's own object, as received. Checked to be an object and kept as it is, not copied:
 * `z.record` would rebuild it key by key (about 30 µs for a Stripe invoice, a tenth of a sync's
 * CPU per record), and a record's depth is still bounded when it is stored (src/syncs/records).
 */
const raw = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    { message: "the provider's object, as received" },
  )
  .meta({ type: 'object', additionalProperties: {}, description: "The provider's object, as received." });

/** A customer (a buyer) of the connected account. */
export const customerModel = z.object({
  id: z.string().min(1),
  email: z.string().nullable(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  /** The customer's default currency, when the provider fixes one. */
  currency: currency.nullable(),
  createdAt: instant.nullable(),
  metadata,
  raw,
});

/** A price of a product: one-time or recurring. */
export const priceModel = z.object({
  id: z.string().min(1),
  currency,
  /** Null for prices the buyer chooses or that are computed in tiers. */
  unitAmount: z.number().int().nullable(),
  active: z.boolean(),
  /** Null for one-time prices. */
  recurring: z
    .object({
      interval: z.enum(['day', 'week', 'month', 'year']),
      intervalCount: z.number().int().positive(),
    })
    .nullable(),
});

/** A product (or a store's item), with its prices. */
export const productModel = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().nullable(),
  active: z.boolean(),
  /** The product's public page, when it has one. */
  url: z.string().nullable(),
  prices: z.array(priceModel),
  createdAt: instant.nullable(),
  updatedAt: instant.nullable(),
  metadata,
  raw,
});

/**
 * Where an invoice stands. `draft` → `open` (finalized) → `paid` | `void` | `uncollectible`;
 * an uncollectible invoice may still be paid. See `invoiceStatusMayMove`.
 */
export const invoiceStatus = z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']);
export type InvoiceStatus = z.output<typeof invoiceStatus>;

/** One line of an invoice. */
export const invoiceLineModel = z.object({
  id: z.string().min(1),
  description: z.string().nullable(),
  quantity: z.number().int().nullable(),
  /** Minor units per item, when the line has a unit price. */
  unitAmount: z.number().int().nullable(),
  /** The line's total in minor units. */
  amount: z.number().int(),
  currency,
  productId: z.string().nullable(),
  priceId: z.string().nullable(),
});

/** An invoice of the connected account. */
export const invoiceModel = z.object({
  id: z.string().min(1),
  /** The human number (`INV-0001`); null until the invoice is finalized. */
  number: z.string().nullable(),
  status: invoiceStatus,
  customerId: z.string().nullable(),
  customerEmail: z.string().nullable(),
  currency,
  subtotal: z.number().int(),
  total: z.number().int(),
  amountDue: z.number().int(),
  amountPaid: z.number().int(),
  amountRemaining: z.number().int(),
  /** The page where the buyer pays; null until finalized. */
  hostedUrl: z.string().nullable(),
  pdfUrl: z.string().nullable(),
  /** How it is collected: the provider charges a saved method, or the buyer pays the hosted page. */
  collection: z.enum(['charge_automatically', 'send_invoice']).nullable(),
  dueAt: instant.nullable(),
  createdAt: instant.nullable(),
  finalizedAt: instant.nullable(),
  paidAt: instant.nullable(),
  voidedAt: instant.nullable(),
  lines: z.array(invoiceLineModel),
  metadata,
  raw,
});

/** Where a payment stands. */
export const paymentStatus = z.enum([
  'pending',
  'requires_action',
  'succeeded',
  'failed',
  'canceled',
  'refunded',
  'partially_refunded',
]);

/** A refund of a payment. */
export const refundModel = z.object({
  id: z.string().min(1),
  amount: z.number().int(),
  status: z.string(),
  createdAt: instant.nullable(),
});

/** A payment (a charge or a payment intent) of the connected account. */
export const paymentModel = z.object({
  id: z.string().min(1),
  status: paymentStatus,
  amount: z.number().int(),
  amountRefunded: z.number().int(),
  currency,
  customerId: z.string().nullable(),
  invoiceId: z.string().nullable(),
  description: z.string().nullable(),
  /** The platform's fee on this payment (Stripe Connect application fees), in minor units. */
  applicationFeeAmount: z.number().int().nullable(),
  refunds: z.array(refundModel),
  createdAt: instant.nullable(),
  metadata,
  raw,
});

/** Where a subscription stands (Stripe's vocabulary, which other providers map onto). */
export const subscriptionStatus = z.enum([
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'paused',
]);

/** A subscription of a customer. */
export const subscriptionModel = z.object({
  id: z.string().min(1),
  status: subscriptionStatus,
  customerId: z.string().nullable(),
  currency: currency.nullable(),
  items: z.array(
    z.object({
      id: z.string().min(1),
      priceId: z.string().nullable(),
      productId: z.string().nullable(),
      quantity: z.number().int().nullable(),
    }),
  ),
  currentPeriodStart: instant.nullable(),
  currentPeriodEnd: instant.nullable(),
  cancelAtPeriodEnd: z.boolean(),
  canceledAt: instant.nullable(),
  createdAt: instant.nullable(),
  metadata,
  raw,
});

/** The five commerce models, by their record model names. */
export const commerceModels = {
  customers: customerModel,
  products: productModel,
  invoices: invoiceModel,
  payments: paymentModel,
  subscriptions: subscriptionModel,
} as const;

export type CustomerRecord = z.input<typeof customerModel>;
export type ProductRecord = z.input<typeof productModel>;
export type InvoiceRecord = z.input<typeof invoiceModel>;
export type PaymentRecord = z.input<typeof paymentModel>;
export type SubscriptionRecord = z.input<typeof subscriptionModel>;

const INVOICE_STAGE: Record<InvoiceStatus, number> = {
  draft: 0,
  open: 1,
  uncollectible: 2,
  paid: 3,
  void: 3,
};

/**
 * Whether an invoice known as `from` may be moved to `to` by a later report (a webhook, a sync
 * page). Reports arrive late and out of order, so a status never moves backwards: a late
 * `finalized` leaves a paid invoice paid. `paid` and `void` are final; an uncollectible invoice
 * may still be paid or voided.
 */
export function invoiceStatusMayMove(from: InvoiceStatus, to: InvoiceStatus): boolean {
  if (from === to) return true;
  return INVOICE_STAGE[to] > INVOICE_STAGE[from];
}
