/**
 * Invoices. Totals are computed from the lines (no tax, discounts or credit balance in the
 * emulator), the hosted page and PDF URLs point at the emulator once the invoice is finalized,
 * and `lines` embeds the first ten lines as Stripe does.
 */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';
import { embeddedList } from '../list.ts';
import { type InvoiceLineRecord, invoiceLineJson, lineAmount } from './invoice-line.ts';

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
export type CollectionMethod = 'charge_automatically' | 'send_invoice';

/** One payment towards an invoice (`invoice.payments`, included on request). */
export interface InvoicePaymentRecord {
  readonly id: string;
  readonly created: number;
  readonly amount: number;
  readonly paymentIntent: string | null;
  status: 'open' | 'paid' | 'canceled';
  paidAt: number | null;
}

export interface InvoiceRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  readonly customer: string;
  readonly currency: string;
  status: InvoiceStatus;
  collectionMethod: CollectionMethod;
  autoAdvance: boolean;
  dueDate: number | null;
  description: string | null;
  footer: string | null;
  metadata: Record<string, string>;
  number: string | null;
  readonly lines: InvoiceLineRecord[];
  amountPaid: number;
  attemptCount: number;
  attempted: boolean;
  readonly billingReason: 'manual' | 'subscription_create' | 'subscription_cycle';
  readonly subscription: string | null;
  /** Customer details as copied at creation and again at finalization. */
  customerEmail: string | null;
  customerName: string | null;
  customerAddress: Stripe.Address | null;
  customerPhone: string | null;
  finalizedAt: number | null;
  paidAt: number | null;
  voidedAt: number | null;
  markedUncollectibleAt: number | null;
  paidOutOfBand: boolean;
  readonly payments: InvoicePaymentRecord[];
  lastFinalizationError: null;
}

export function invoiceTotal(invoice: InvoiceRecord): number {
  let total = 0;
  for (const line of invoice.lines) total += lineAmount(line);
  return total;
}

/** The hosted invoice page and its PDF, served by the emulator. */
export function invoiceUrls(invoice: InvoiceRecord, view: View): { hosted: string; pdf: string } {
  const base = `${view.origin}/invoice/${view.account.id}/${invoice.id}`;
  return { hosted: `${view.origin}/i/${view.account.id}/${invoice.id}`, pdf: `${base}/pdf` };
}

export function invoiceJson(invoice: InvoiceRecord, view: View): StripeJson<Stripe.Invoice> {
  const total = invoiceTotal(invoice);
  const finalized = invoice.status !== 'draft';
  const urls = finalized ? invoiceUrls(invoice, view) : undefined;
  const remaining = invoice.status === 'void' ? 0 : total - invoice.amountPaid;
  const lines = invoice.lines.map((line) => invoiceLineJson(line, invoice.id));
  return {
    id: invoice.id,
    object: 'invoice',
    account_country: view.account.info.country,
    account_name: view.account.info.name,
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: invoice.amountPaid,
    amount_remaining: Math.max(0, remaining),
    amount_shipping: 0,
    application: null,
    attempt_count: invoice.attemptCount,
    attempted: invoice.attempted,
    auto_advance: invoice.autoAdvance,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: invoice.billingReason,
    collection_method: invoice.collectionMethod,
    created: invoice.created,
    currency: invoice.currency,
    custom_fields: null,
    customer: invoice.customer,
    customer_account: null,
    customer_address: invoice.customerAddress,
    customer_email: invoice.customerEmail,
    customer_name: invoice.customerName,
    customer_phone: invoice.customerPhone,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: invoice.description,
    discounts: [],
    due_date: invoice.dueDate,
    effective_at: invoice.finalizedAt,
    ending_balance: finalized ? 0 : null,
    footer: invoice.footer,
    from_invoice: null,
    hosted_invoice_url: urls?.hosted ?? null,
    invoice_pdf: urls?.pdf ?? null,
    issuer: { type: 'self' },
    last_finalization_error: invoice.lastFinalizationError,
    latest_revision: null,
    lines: embeddedList(lines, `/v1/invoices/${invoice.id}/lines`),
    livemode: false,
    metadata: { ...invoice.metadata },
    next_payment_attempt: null,
    number: invoice.number,
    on_behalf_of: null,
    parent: invoice.subscription
      ? {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: { metadata: {}, subscription: invoice.subscription },
        }
      : null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: invoice.created,
    period_start: invoice.created,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: invoice.status,
    status_transitions: {
      finalized_at: invoice.finalizedAt,
      marked_uncollectible_at: invoice.markedUncollectibleAt,
      paid_at: invoice.paidAt,
      voided_at: invoice.voidedAt,
    },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: invoice.created,
  };
}

export function invoicePaymentJson(
  payment: InvoicePaymentRecord,
  invoice: InvoiceRecord,
): StripeJson<Stripe.InvoicePayment> {
  return {
    id: payment.id,
    object: 'invoice_payment',
    amount_paid: payment.status === 'paid' ? payment.amount : null,
    amount_requested: payment.amount,
    created: payment.created,
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: true,
    livemode: false,
    payment: payment.paymentIntent
      ? { type: 'payment_intent', payment_intent: payment.paymentIntent }
      : { type: 'payment_record' },
    status: payment.status,
    status_transitions: { canceled_at: null, paid_at: payment.paidAt },
  };
}

/** A deleted draft. */
export function deletedInvoiceJson(id: string): StripeJson<Stripe.DeletedInvoice> {
  return { id, object: 'invoice', deleted: true };
}
