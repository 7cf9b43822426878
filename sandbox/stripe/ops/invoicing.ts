/**
 * The life of an invoice, as Stripe's status transitions describe it: a draft collects lines;
 * finalizing gives it a number, its hosted page and PDF (and pays a zero total at once); an open
 * invoice can be sent, paid (invoice-payment.ts), voided or marked uncollectible; sending a draft
 * finalizes it first. Each transition
 * records the event Stripe documents for it.
 */
import { nowSeconds, type Scope } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { newId } from '../ids.ts';
import type { CustomerRecord } from '../objects/customer.ts';
import { type InvoiceRecord, invoiceJson, invoiceTotal } from '../objects/invoice.ts';
import type { InvoiceItemRecord } from '../objects/invoice-item.ts';
import type { InvoiceLineRecord } from '../objects/invoice-line.ts';

export interface InvoiceFields {
  customer: CustomerRecord;
  currency: string;
  collectionMethod: InvoiceRecord['collectionMethod'];
  dueDate: number | null;
  autoAdvance: boolean;
  description: string | null;
  footer: string | null;
  metadata: Record<string, string>;
  subscription?: string | null;
  billingReason?: InvoiceRecord['billingReason'];
}

/** A new draft invoice (not yet recorded; `createInvoice` records it). */
export function draftInvoice(
  scope: Scope,
  fields: InvoiceFields,
  created = nowSeconds(scope),
): InvoiceRecord {
  const { customer } = fields;
  customer.currency ??= fields.currency;
  return {
    id: newId('in'),
    created,
    seq: scope.account.nextSeq(),
    customer: customer.id,
    currency: fields.currency,
    status: 'draft',
    collectionMethod: fields.collectionMethod,
    autoAdvance: fields.autoAdvance,
    dueDate: fields.dueDate,
    description: fields.description,
    footer: fields.footer,
    metadata: fields.metadata,
    number: null,
    lines: [],
    amountPaid: 0,
    attemptCount: 0,
    attempted: false,
    billingReason: fields.billingReason ?? 'manual',
    subscription: fields.subscription ?? null,
    customerEmail: customer.email,
    customerName: customer.name,
    customerAddress: customer.address,
    customerPhone: customer.phone,
    finalizedAt: null,
    paidAt: null,
    voidedAt: null,
    markedUncollectibleAt: null,
    paidOutOfBand: false,
    payments: [],
    lastFinalizationError: null,
  };
}

/** Stores a draft in its account and its customer's index, without an event. */
export function storeInvoice(scope: Scope, invoice: InvoiceRecord): void {
  scope.account.invoices.add(invoice);
  scope.account.invoicesByCustomer.add(invoice.customer, invoice);
}

export function createInvoice(
  scope: Scope,
  fields: InvoiceFields,
  pendingItems: InvoiceItemRecord[],
): InvoiceRecord {
  const invoice = draftInvoice(scope, fields);
  for (const item of pendingItems) attachItem(invoice, item);
  storeInvoice(scope, invoice);
  recordEvent(scope, 'invoice.created', invoiceJson(invoice, scope));
  return invoice;
}

/** Puts an invoice item on a draft as a line. */
export function attachItem(invoice: InvoiceRecord, item: InvoiceItemRecord): InvoiceLineRecord {
  item.invoice = invoice.id;
  const line: InvoiceLineRecord = {
    id: newId('il'),
    currency: item.currency,
    quantity: item.quantity,
    unitAmount: item.unitAmount,
    description: item.description,
    price: item.price,
    product: item.product,
    source: { invoiceItem: item.id },
    subscription: item.subscription,
    period: { ...item.period },
    metadata: { ...item.metadata },
  };
  invoice.lines.push(line);
  return line;
}

/** The next number of the customer's invoices: `<prefix>-0001`. */
export function nextInvoiceNumber(customer: CustomerRecord): string {
  return `${customer.invoicePrefix}-${String(customer.nextInvoiceSequence++).padStart(4, '0')}`;
}

export function finalizeInvoice(scope: Scope, invoice: InvoiceRecord, autoAdvance?: boolean): void {
  if (invoice.status !== 'draft') {
    throw invalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.");
  }
  const customer = scope.account.customers.get(invoice.customer) as CustomerRecord;
  invoice.status = 'open';
  invoice.number = nextInvoiceNumber(customer);
  invoice.finalizedAt = nowSeconds(scope);
  invoice.customerEmail = customer.email;
  invoice.customerName = customer.name;
  invoice.customerAddress = customer.address;
  invoice.customerPhone = customer.phone;
  if (autoAdvance !== undefined) invoice.autoAdvance = autoAdvance;
  recordEvent(scope, 'invoice.finalized', invoiceJson(invoice, scope));
  if (invoiceTotal(invoice) === 0) markPaid(scope, invoice, null);
}

/** Marks an open invoice paid in full (by `paymentIntent`, or out of band when null). */
export function markPaid(scope: Scope, invoice: InvoiceRecord, paymentIntent: string | null): void {
  const now = nowSeconds(scope);
  const amount = invoiceTotal(invoice) - invoice.amountPaid;
  invoice.status = 'paid';
  invoice.amountPaid += amount;
  invoice.paidAt = now;
  // A zero total is settled without any payment.
  if (amount > 0) {
    invoice.payments.push({
      id: newId('inpay'),
      created: now,
      amount,
      paymentIntent,
      status: 'paid',
      paidAt: now,
    });
  }
  const json = invoiceJson(invoice, scope);
  recordEvent(scope, 'invoice.paid', json);
  recordEvent(scope, 'invoice.payment_succeeded', json);
}

export function sendInvoice(scope: Scope, invoice: InvoiceRecord): void {
  if (invoice.collectionMethod !== 'send_invoice') {
    throw invalidRequest("You can only manually send an invoice if its collection method is 'send_invoice'.");
  }
  if (invoice.status === 'void') throw invalidRequest('You cannot send a voided invoice.');
  if (invoice.status === 'draft') finalizeInvoice(scope, invoice);
  // Test mode sends no e-mail, only the event.
  recordEvent(scope, 'invoice.sent', invoiceJson(invoice, scope));
}

export function voidInvoice(scope: Scope, invoice: InvoiceRecord): void {
  if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
    throw invalidRequest(
      `You can only void an invoice that is open or uncollectible, not one that is ${invoice.status}.`,
    );
  }
  invoice.status = 'void';
  invoice.voidedAt = nowSeconds(scope);
  recordEvent(scope, 'invoice.voided', invoiceJson(invoice, scope));
}

export function markUncollectible(scope: Scope, invoice: InvoiceRecord): void {
  if (invoice.status !== 'open') {
    throw invalidRequest(
      `You can only mark an open invoice as uncollectible, not one that is ${invoice.status}.`,
    );
  }
  invoice.status = 'uncollectible';
  invoice.markedUncollectibleAt = nowSeconds(scope);
  recordEvent(scope, 'invoice.marked_uncollectible', invoiceJson(invoice, scope));
}

/** Invoice items of a customer that wait for an invoice. */
export function pendingItems(scope: Scope, customer: string, currency: string): InvoiceItemRecord[] {
  return scope.account.invoiceItems
    .values()
    .filter((item) => item.customer === customer && item.invoice === null && item.currency === currency);
}
