/**
 * Paying an invoice (`POST /v1/invoices/:id/pay`, and a subscription's first invoice): a draft is
 * finalized first; then a payment intent and charge on the customer's card (the default test
 * card, a given `payment_method`, or a decline the test armed), or a payment out of band. A
 * declined card records `invoice.payment_failed`, counts the attempt, and throws Stripe's 402.
 */
import type { PlatformAccount } from '../accounts.ts';
import type { Scope } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { recordEvent } from '../events.ts';
import type { CustomerRecord } from '../objects/customer.ts';
import { type InvoiceRecord, invoiceJson, invoiceTotal } from '../objects/invoice.ts';
import { finalizeInvoice, markPaid } from './invoicing.ts';
import { confirmPaymentIntent, createPaymentIntent } from './payments.ts';

export interface PayOptions {
  paidOutOfBand?: boolean | undefined;
  paymentMethod?: string | undefined;
  platform: PlatformAccount | undefined;
  /** A subscription's `application_fee_percent`, taken from the payment on a connected account. */
  applicationFeePercent?: number | null;
}

/** Pays an invoice; a declined card records the failure and throws Stripe's 402. */
export function payInvoice(scope: Scope, invoice: InvoiceRecord, options: PayOptions): void {
  if (invoice.status === 'draft') finalizeInvoice(scope, invoice);
  if (invoice.status === 'paid') throw invalidRequest('Invoice is already paid');
  if (invoice.status === 'void')
    throw invalidRequest('This invoice has been voided and can no longer be paid.');
  if (options.paidOutOfBand) {
    invoice.paidOutOfBand = true;
    markPaid(scope, invoice, null);
    return;
  }
  const customer = scope.account.customers.get(invoice.customer) as CustomerRecord;
  const amount = invoiceTotal(invoice) - invoice.amountPaid;
  const percent = options.platform ? (options.applicationFeePercent ?? null) : null;
  const intent = createPaymentIntent(scope, {
    amount,
    currency: invoice.currency,
    customer: invoice.customer,
    description: `Payment for Invoice ${invoice.number}`,
    metadata: {},
    applicationFeeAmount: percent === null ? null : Math.round((amount * percent) / 100),
    paymentMethod: options.paymentMethod ?? null,
    receiptEmail: null,
  });
  invoice.attemptCount++;
  invoice.attempted = true;
  const outcome = confirmPaymentIntent(scope, intent, {
    platform: options.platform,
    payer: { email: customer.email, name: customer.name },
  });
  if (outcome.declined) {
    recordEvent(scope, 'invoice.payment_failed', invoiceJson(invoice, scope));
    throw outcome.declined;
  }
  markPaid(scope, invoice, intent.id);
}
