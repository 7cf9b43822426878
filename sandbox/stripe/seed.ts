/**
 * Bulk data for scale tests and demos: customers and invoices that already existed, added
 * straight to an account's collections (no events, no webhooks), dated evenly over a span of the
 * past so `created` filters and pagination have something to cut. Seeded invoices have one line
 * each (from an invoice item) and cycle through the statuses given; paid ones were paid out of
 * band, so no charges are implied.
 */
import { type Scope, type StripeCore, scopeOf } from './context.ts';
import { newId } from './ids.ts';
import type { CustomerRecord } from './objects/customer.ts';
import type { InvoiceStatus } from './objects/invoice.ts';
import type { InvoiceItemRecord } from './objects/invoice-item.ts';
import { attachItem, draftInvoice, nextInvoiceNumber, storeInvoice } from './ops/invoicing.ts';
import { insertCustomer } from './resources/customers.ts';
import type { AccountState } from './state.ts';

export interface SeedSpan {
  /** Creation time of the first seeded object, epoch ms (default: `count` seconds before now). */
  from?: number;
  /** Creation time of the last, epoch ms (default: now). */
  to?: number;
}

export interface SeedInvoiceOptions extends SeedSpan {
  /** Customers to bill, in turn (default every customer of the account). */
  customers?: readonly string[];
  /** Statuses to cycle through (default paid, open, paid, void, paid, draft, paid, uncollectible). */
  statuses?: readonly InvoiceStatus[];
  /** The amount of the `index`-th invoice in the smallest currency unit (default 1000 + 100 × (index mod 50)). */
  amount?: (index: number) => number;
  currency?: string;
}

const DEFAULT_STATUSES: readonly InvoiceStatus[] = [
  'paid',
  'open',
  'paid',
  'void',
  'paid',
  'draft',
  'paid',
  'uncollectible',
];
const DAY = 24 * 60 * 60;

function times(core: StripeCore, count: number, span: SeedSpan): (index: number) => number {
  const to = Math.floor((span.to ?? core.clock.now()) / 1000);
  const from = Math.floor((span.from ?? core.clock.now() - count * 1000) / 1000);
  return (index) => (count <= 1 ? to : from + Math.floor(((to - from) * index) / (count - 1)));
}

export function seedCustomers(
  core: StripeCore,
  account: AccountState,
  count: number,
  span: SeedSpan = {},
): string[] {
  const at = times(core, count, span);
  const start = account.customers.size;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = start + i + 1;
    const customer = insertCustomer(
      account,
      { email: `customer${n}@example.com`, name: `Customer ${n}`, metadata: { seeded: 'true' } },
      at(i),
    );
    ids.push(customer.id);
  }
  return ids;
}

export function seedInvoices(
  core: StripeCore,
  account: AccountState,
  count: number,
  options: SeedInvoiceOptions = {},
): string[] {
  const customerIds = options.customers ?? account.customers.values().map((customer) => customer.id);
  if (customerIds.length === 0) throw new Error('seedInvoices needs customers: seed some first');
  const statuses = options.statuses ?? DEFAULT_STATUSES;
  const amount = options.amount ?? ((index: number) => 1000 + 100 * (index % 50));
  const currency = options.currency ?? account.info.defaultCurrency;
  const at = times(core, count, options);
  const scope = scopeOf(core, account);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const customerId = customerIds[i % customerIds.length] as string;
    const customer = account.customers.get(customerId);
    if (!customer) throw new Error(`no customer ${customerId} in ${account.id}`);
    const created = at(i);
    const invoice = draftInvoice(
      scope,
      {
        customer,
        currency,
        collectionMethod: 'send_invoice',
        dueDate: created + 30 * DAY,
        autoAdvance: false,
        description: null,
        footer: null,
        metadata: { seeded: 'true' },
      },
      created,
    );
    attachItem(invoice, seedItem(scope, customer, currency, amount(i), created));
    settle(invoice, customer, statuses[i % statuses.length] as InvoiceStatus, created);
    storeInvoice(scope, invoice);
    ids.push(invoice.id);
  }
  return ids;
}

function seedItem(scope: Scope, customer: CustomerRecord, currency: string, amount: number, created: number) {
  const item: InvoiceItemRecord = {
    id: newId('ii'),
    created,
    seq: scope.account.nextSeq(),
    customer: customer.id,
    invoice: null,
    currency,
    quantity: 1,
    unitAmount: amount,
    price: null,
    product: null,
    description: 'Seeded service',
    metadata: {},
    period: { start: created, end: created },
    discountable: true,
    subscription: null,
  };
  scope.account.invoiceItems.add(item);
  return item;
}

function settle(
  invoice: ReturnType<typeof draftInvoice>,
  customer: CustomerRecord,
  status: InvoiceStatus,
  at: number,
) {
  if (status === 'draft') return;
  invoice.status = status;
  invoice.number = nextInvoiceNumber(customer);
  invoice.finalizedAt = at;
  if (status === 'paid') {
    const amount = invoice.lines.reduce((sum, line) => sum + line.unitAmount * line.quantity, 0);
    invoice.amountPaid = amount;
    invoice.paidAt = at;
    invoice.paidOutOfBand = true;
    invoice.payments.push({
      id: newId('inpay'),
      created: at,
      amount,
      paymentIntent: null,
      status: 'paid',
      paidAt: at,
    });
  }
  if (status === 'void') invoice.voidedAt = at;
  if (status === 'uncollectible') invoice.markedUncollectibleAt = at;
}
