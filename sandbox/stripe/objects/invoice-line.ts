/** Lines of an invoice (`il_…`): from invoice items or from subscription items. */
import type Stripe from 'stripe';
import type { StripeJson } from '../json.ts';

export interface InvoiceLineRecord {
  readonly id: string;
  readonly currency: string;
  readonly quantity: number;
  readonly unitAmount: number;
  readonly description: string | null;
  readonly price: string | null;
  readonly product: string | null;
  /** Where the line comes from: an invoice item, or a subscription item billed for its period. */
  readonly source: { invoiceItem: string } | { subscriptionItem: string };
  readonly subscription: string | null;
  readonly period: { start: number; end: number };
  readonly metadata: Record<string, string>;
}

export function lineAmount(line: InvoiceLineRecord): number {
  return line.unitAmount * line.quantity;
}

export function invoiceLineJson(
  line: InvoiceLineRecord,
  invoiceId: string,
): StripeJson<Stripe.InvoiceLineItem> {
  const amount = lineAmount(line);
  return {
    id: line.id,
    object: 'line_item',
    amount,
    currency: line.currency,
    description: line.description,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: { ...line.metadata },
    parent:
      'subscriptionItem' in line.source
        ? {
            type: 'subscription_item_details',
            invoice_item_details: null,
            subscription_item_details: {
              invoice_item: null,
              proration: false,
              proration_details: { credited_items: null },
              subscription: line.subscription,
              subscription_item: line.source.subscriptionItem,
            },
          }
        : {
            type: 'invoice_item_details',
            invoice_item_details: {
              invoice_item: line.source.invoiceItem,
              proration: false,
              proration_details: { credited_items: null },
              subscription: line.subscription,
            },
            subscription_item_details: null,
          },
    period: { ...line.period },
    pretax_credit_amounts: [],
    pricing: {
      ...(line.price && line.product ? { price_details: { price: line.price, product: line.product } } : {}),
      type: 'price_details',
      unit_amount_decimal: String(line.unitAmount),
    },
    quantity: line.quantity,
    quantity_decimal: String(line.quantity),
    subscription: line.subscription,
    subtotal: amount,
    taxes: [],
  };
}
