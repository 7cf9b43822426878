/**
 * `/v1/invoiceitems`: create (on a customer's next invoice, or on a draft with `invoice`; priced
 * by `amount` + `currency`, `pricing[price]` or `price_data`), retrieve, list (by `customer`,
 * `invoice`, `pending`).
 */
import { nowSeconds, type Scope } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import { previousAttributes, recordEvent } from '../events.ts';
import { newId } from '../ids.ts';
import { listPage } from '../list.ts';
import { invoiceJson } from '../objects/invoice.ts';
import { type InvoiceItemRecord, invoiceItemJson } from '../objects/invoice-item.ts';
import { attachItem } from '../ops/invoicing.ts';
import { applyMetadata, type Params } from '../params.ts';
import type { RouteTable } from '../routes.ts';
import { find } from './lookup.ts';
import { createPrice, readCurrency, readUnitAmount } from './prices.ts';

interface Pricing {
  currency: string;
  unitAmount: number;
  quantity: number;
  price: string | null;
  product: string | null;
}

/** How the item is priced: exactly one of `amount`, `pricing[price]`, `price_data`, `unit_amount_decimal`. */
function readPricing(scope: Scope, params: Params, fallbackCurrency: string | undefined): Pricing {
  const quantity = params.nonNegative('quantity', 1) ?? 1;
  const amount = params.integer('amount');
  const pricing = params.object('pricing');
  const priceId = pricing?.string('price') ?? params.string('price');
  const data = params.object('price_data');
  const decimal = params.has('unit_amount_decimal') ? readUnitAmount(params) : undefined;
  const given = [amount, priceId, data, decimal].filter((value) => value !== undefined).length;
  if (given > 1) {
    throw invalidRequest(
      'You may only specify one of these parameters: amount, price_data, pricing, unit_amount_decimal.',
      {
        code: 'parameters_exclusive',
      },
    );
  }
  if (priceId !== undefined) {
    const price = find(scope.account.prices, priceId, 'price', 'pricing[price]');
    return {
      currency: price.currency,
      unitAmount: price.unitAmount,
      quantity,
      price: price.id,
      product: price.product,
    };
  }
  if (data) {
    const currency = readCurrency(data);
    const product = find(
      scope.account.products,
      data.requiredString('product'),
      'product',
      data.name('product'),
    ).id;
    const price = createPrice(scope, { currency, unitAmount: readUnitAmount(data), product, active: false });
    return { currency, unitAmount: price.unitAmount, quantity, price: price.id, product };
  }
  const currency = params.has('currency') ? readCurrency(params) : fallbackCurrency;
  if (currency === undefined) throw parameterMissing('currency');
  if (amount !== undefined) {
    if (quantity !== 1)
      throw invalidRequest('You cannot pass `quantity` with `amount`.', { param: 'quantity' });
    return { currency, unitAmount: amount, quantity: 1, price: null, product: null };
  }
  if (decimal !== undefined) return { currency, unitAmount: decimal, quantity, price: null, product: null };
  throw parameterMissing('amount');
}

export function invoiceItemRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/invoiceitems', ({ scope, params }) => {
    const invoiceId = params.string('invoice');
    const invoice =
      invoiceId === undefined ? undefined : find(scope.account.invoices, invoiceId, 'invoice', 'invoice');
    const customerId = params.string('customer') ?? invoice?.customer;
    if (customerId === undefined) throw parameterMissing('customer');
    const customer = find(scope.account.customers, customerId, 'customer', 'customer');
    if (invoice && invoice.customer !== customer.id) {
      throw invalidRequest(`The invoice ${invoice.id} belongs to another customer.`, { param: 'invoice' });
    }
    if (invoice && invoice.status !== 'draft') {
      throw invalidRequest(`The invoice ${invoice.id} is not a draft and cannot take new items.`, {
        code: 'invoice_not_editable',
        param: 'invoice',
      });
    }
    const pricing = readPricing(scope, params, invoice?.currency ?? customer.currency ?? undefined);
    if (invoice && invoice.currency !== pricing.currency) {
      throw invalidRequest(
        `The currency of the item (${pricing.currency}) must match the invoice's (${invoice.currency}).`,
        {
          param: 'currency',
        },
      );
    }
    const period = params.object('period');
    const now = nowSeconds(scope);
    const start = period?.requiredInteger('start') ?? now;
    const end = period?.requiredInteger('end') ?? now;
    const description = params.string('description') ?? null;
    const discountable = params.boolean('discountable') ?? pricing.unitAmount >= 0;
    const metadata = applyMetadata({}, params.metadata());
    params.done();
    const item: InvoiceItemRecord = {
      id: newId('ii'),
      created: now,
      seq: scope.account.nextSeq(),
      customer: customer.id,
      invoice: null,
      currency: pricing.currency,
      quantity: pricing.quantity,
      unitAmount: pricing.unitAmount,
      price: pricing.price,
      product: pricing.product,
      description,
      metadata,
      period: { start, end },
      discountable,
      subscription: null,
    };
    scope.account.invoiceItems.add(item);
    customer.currency ??= item.currency;
    const before = invoice && invoiceJson(invoice, scope);
    if (invoice) attachItem(invoice, item);
    recordEvent(scope, 'invoiceitem.created', invoiceItemJson(item, scope));
    if (invoice && before) {
      const after = invoiceJson(invoice, scope);
      recordEvent(scope, 'invoice.updated', after, previousAttributes(before, after));
    }
    return invoiceItemJson(item, scope);
  });

  routes.add('GET', '/v1/invoiceitems/:id', ({ scope, params, path }) => {
    params.done();
    return invoiceItemJson(find(scope.account.invoiceItems, path.id as string, 'invoiceitem'), scope);
  });

  routes.add('GET', '/v1/invoiceitems', ({ scope, params }) => {
    const customer = params.string('customer');
    const invoice = params.string('invoice');
    const pending = params.boolean('pending');
    const filter = (item: InvoiceItemRecord) =>
      (customer === undefined || item.customer === customer) &&
      (invoice === undefined || item.invoice === invoice) &&
      (pending === undefined || (item.invoice === null) === pending);
    return listPage(
      scope.account.invoiceItems,
      params,
      { url: '/v1/invoiceitems', noun: 'invoiceitem', filter },
      (i) => invoiceItemJson(i, scope),
    );
  });
}
