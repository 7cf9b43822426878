/**
 * `/v1/invoices`: create, retrieve, update, delete (drafts), list (by `customer`, `status`,
 * `subscription`, `collection_method`, `created`), the lines, and the actions finalize, send,
 * pay, void and mark_uncollectible.
 */
import { Collection } from '../collection.ts';
import { nowSeconds } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { previousAttributes, recordEvent } from '../events.ts';
import { arrayPage, listPage } from '../list.ts';
import { deletedInvoiceJson, type InvoiceRecord, invoiceJson, invoiceTotal } from '../objects/invoice.ts';
import { invoiceLineJson } from '../objects/invoice-line.ts';
import { payInvoice } from '../ops/invoice-payment.ts';
import {
  createInvoice,
  finalizeInvoice,
  markUncollectible,
  pendingItems,
  sendInvoice,
  voidInvoice,
} from '../ops/invoicing.ts';
import { applyMetadata } from '../params.ts';
import type { Call, RouteTable } from '../routes.ts';
import { type SearchSpec, searchPage } from '../search.ts';
import { readDueDate } from './invoice-params.ts';
import { find } from './lookup.ts';

const STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;
const METHODS = ['charge_automatically', 'send_invoice'] as const;
const EMPTY = new Collection<InvoiceRecord>();

/** The fields Stripe's invoice search supports (those the emulator keeps). */
const INVOICE_SEARCH: SearchSpec<InvoiceRecord> = {
  url: '/v1/invoices/search',
  fields: {
    created: (i) => i.created,
    currency: (i) => i.currency,
    customer: (i) => i.customer,
    number: (i) => i.number,
    status: (i) => i.status,
    subscription: (i) => i.subscription,
    total: (i) => invoiceTotal(i),
  },
  metadata: (i) => i.metadata,
};

function invoiceOf(call: Call): InvoiceRecord {
  return find(call.scope.account.invoices, call.path.id as string, 'invoice');
}

export function invoiceRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/invoices', ({ scope, params }) => {
    const customerId = params.requiredString('customer');
    const customer = find(scope.account.customers, customerId, 'customer', 'customer');
    const collectionMethod = params.enumeration('collection_method', METHODS) ?? 'charge_automatically';
    const dueDate = readDueDate(params, collectionMethod, nowSeconds(scope));
    const currency =
      params.string('currency')?.toLowerCase() ?? customer.currency ?? scope.account.info.defaultCurrency;
    const behavior = params.enumeration('pending_invoice_items_behavior', ['exclude', 'include'] as const);
    const fields = {
      customer,
      currency,
      collectionMethod,
      dueDate,
      autoAdvance: params.boolean('auto_advance') ?? false,
      description: params.string('description') ?? null,
      footer: params.string('footer') ?? null,
      metadata: applyMetadata({}, params.metadata()),
    };
    params.done();
    // Since API version 2022-08-01 pending items stay out unless asked for.
    const items = behavior === 'include' ? pendingItems(scope, customer.id, currency) : [];
    return invoiceJson(createInvoice(scope, fields, items), scope);
  });

  routes.add('GET', '/v1/invoices/:id', (call) => {
    call.params.done();
    return invoiceJson(invoiceOf(call), call.scope);
  });

  routes.add('POST', '/v1/invoices/:id', (call) => {
    const { scope, params } = call;
    const invoice = invoiceOf(call);
    const description = params.nullableString('description');
    const footer = params.nullableString('footer');
    const autoAdvance = params.boolean('auto_advance');
    const metadata = params.metadata();
    const draftOnly = ['collection_method', 'days_until_due', 'due_date'].find((key) => params.has(key));
    if (draftOnly !== undefined && invoice.status !== 'draft') {
      throw invalidRequest(`You can only update ${draftOnly} on draft invoices.`, {
        code: 'invoice_not_editable',
        param: draftOnly,
      });
    }
    const collectionMethod = params.enumeration('collection_method', METHODS) ?? invoice.collectionMethod;
    const dueDate =
      draftOnly !== undefined ? readDueDate(params, collectionMethod, invoice.created) : invoice.dueDate;
    params.done();
    const before = invoiceJson(invoice, scope);
    if (description !== undefined) invoice.description = description;
    if (footer !== undefined) invoice.footer = footer;
    if (autoAdvance !== undefined) invoice.autoAdvance = autoAdvance;
    invoice.collectionMethod = collectionMethod;
    invoice.dueDate = dueDate;
    invoice.metadata = applyMetadata(invoice.metadata, metadata);
    const after = invoiceJson(invoice, scope);
    const previous = previousAttributes(before, after);
    if (previous) recordEvent(scope, 'invoice.updated', after, previous);
    return after;
  });

  routes.add('DELETE', '/v1/invoices/:id', (call) => {
    const { scope, params } = call;
    params.done();
    const invoice = invoiceOf(call);
    if (invoice.status !== 'draft') throw invalidRequest('You can only delete draft invoices.');
    const last = invoiceJson(invoice, scope);
    scope.account.invoices.remove(invoice);
    scope.account.invoicesByCustomer.remove(invoice.customer, invoice);
    for (const line of invoice.lines) {
      const item =
        'invoiceItem' in line.source ? scope.account.invoiceItems.get(line.source.invoiceItem) : undefined;
      if (item) item.invoice = null;
    }
    recordEvent(scope, 'invoice.deleted', last);
    return deletedInvoiceJson(invoice.id);
  });

  routes.add('GET', '/v1/invoices/search', ({ scope, params }) =>
    searchPage(scope.account.invoices.values(), params, INVOICE_SEARCH, (i) => invoiceJson(i, scope)),
  );

  routes.add('GET', '/v1/invoices', ({ scope, params }) => {
    const customer = params.string('customer');
    const status = params.enumeration('status', STATUSES);
    const subscription = params.string('subscription');
    const method = params.enumeration('collection_method', METHODS);
    const dueDate = params.range('due_date');
    const filter = (invoice: InvoiceRecord) =>
      (status === undefined || invoice.status === status) &&
      (subscription === undefined || invoice.subscription === subscription) &&
      (method === undefined || invoice.collectionMethod === method) &&
      (dueDate === undefined || inRange(invoice.dueDate, dueDate));
    const collection =
      customer === undefined
        ? scope.account.invoices
        : (scope.account.invoicesByCustomer.get(customer) ?? EMPTY);
    return listPage(collection, params, { url: '/v1/invoices', noun: 'invoice', filter }, (i) =>
      invoiceJson(i, scope),
    );
  });

  routes.add('GET', '/v1/invoices/:id/lines', (call) => {
    const invoice = invoiceOf(call);
    return arrayPage(
      invoice.lines,
      call.params,
      `/v1/invoices/${invoice.id}/lines`,
      'invoice line item',
      (line) => invoiceLineJson(line, invoice.id),
    );
  });

  routes.add('POST', '/v1/invoices/:id/finalize', (call) => {
    const invoice = invoiceOf(call);
    const autoAdvance = call.params.boolean('auto_advance');
    call.params.done();
    finalizeInvoice(call.scope, invoice, autoAdvance);
    return invoiceJson(invoice, call.scope);
  });

  routes.add('POST', '/v1/invoices/:id/send', (call) => {
    const invoice = invoiceOf(call);
    call.params.done();
    sendInvoice(call.scope, invoice);
    return invoiceJson(invoice, call.scope);
  });

  routes.add('POST', '/v1/invoices/:id/pay', (call) => {
    const invoice = invoiceOf(call);
    const paidOutOfBand = call.params.boolean('paid_out_of_band');
    const paymentMethod = call.params.string('payment_method');
    call.params.boolean('off_session');
    call.params.done();
    payInvoice(call.scope, invoice, { paidOutOfBand, paymentMethod, platform: call.platform });
    return invoiceJson(invoice, call.scope);
  });

  routes.add('POST', '/v1/invoices/:id/void', (call) => {
    const invoice = invoiceOf(call);
    call.params.done();
    voidInvoice(call.scope, invoice);
    return invoiceJson(invoice, call.scope);
  });

  routes.add('POST', '/v1/invoices/:id/mark_uncollectible', (call) => {
    const invoice = invoiceOf(call);
    call.params.done();
    markUncollectible(call.scope, invoice);
    return invoiceJson(invoice, call.scope);
  });
}

function inRange(
  value: number | null,
  range: { gt?: number; gte?: number; lt?: number; lte?: number },
): boolean {
  if (value === null) return false;
  return (
    (range.gt === undefined || value > range.gt) &&
    (range.gte === undefined || value >= range.gte) &&
    (range.lt === undefined || value < range.lt) &&
    (range.lte === undefined || value <= range.lte)
  );
}
