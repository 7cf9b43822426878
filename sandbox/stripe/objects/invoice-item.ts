/** Invoice items: amounts waiting for an invoice (or already on one). */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';

export interface InvoiceItemRecord {
  readonly id: string;
  /** Also the item's `date`. */
  readonly created: number;
  readonly seq: number;
  readonly customer: string;
  invoice: string | null;
  readonly currency: string;
  readonly quantity: number;
  /** Per unit, in the currency's smallest unit. */
  readonly unitAmount: number;
  readonly price: string | null;
  readonly product: string | null;
  description: string | null;
  metadata: Record<string, string>;
  readonly period: { start: number; end: number };
  readonly discountable: boolean;
  /** The subscription that created it, if any. */
  readonly subscription: string | null;
}

export function invoiceItemAmount(item: InvoiceItemRecord): number {
  return item.unitAmount * item.quantity;
}

export function invoiceItemJson(item: InvoiceItemRecord, _view: View): StripeJson<Stripe.InvoiceItem> {
  return {
    id: item.id,
    object: 'invoiceitem',
    amount: invoiceItemAmount(item),
    currency: item.currency,
    customer: item.customer,
    customer_account: null,
    date: item.created,
    description: item.description,
    discountable: item.discountable,
    discounts: [],
    invoice: item.invoice,
    livemode: false,
    metadata: { ...item.metadata },
    parent: item.subscription
      ? { type: 'subscription_details', subscription_details: { subscription: item.subscription } }
      : null,
    period: { ...item.period },
    pricing: {
      ...(item.price && item.product ? { price_details: { price: item.price, product: item.product } } : {}),
      type: 'price_details',
      unit_amount_decimal: String(item.unitAmount),
    },
    proration: false,
    quantity: item.quantity,
    quantity_decimal: String(item.quantity),
    tax_rates: [],
    test_clock: null,
  };
}
