/**
 * An account with 10,000 customers and 20,000 invoices: seeding is a bulk insert, and list
 * answers read the kept order and indexes (by email, by customer), so paging through all of it
 * with the SDK returns every object once, newest first, with exact counts per filter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from './server.ts';
import { ManualClock, sdk } from './test-client.ts';

const NOW = Date.UTC(2026, 7, 1);
const CUSTOMERS = 10_000;
const INVOICES = 20_000;

describe('scale: 10,000 customers and 20,000 invoices in one account', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let customerIds: string[];
  let invoiceIds: string[];
  let accountId: string;

  before(async () => {
    sandbox = await startStripeSandbox({ clock: new ManualClock(NOW), rateLimit: false });
    stripe = sdk(sandbox);
    accountId = sandbox.control.connectAccount().accountId;
    // One customer a minute over the last week (and then some), one invoice every 30 s after that.
    customerIds = sandbox.control.seedCustomers(CUSTOMERS, {
      account: accountId,
      from: NOW - CUSTOMERS * 60_000,
      to: NOW - 60_000,
    });
    invoiceIds = sandbox.control.seedInvoices(INVOICES, {
      account: accountId,
      from: NOW - INVOICES * 30_000,
      to: NOW,
    });
  });
  after(() => sandbox.close());

  it('pages through every customer, newest first, each once', async () => {
    const seen: string[] = [];
    let previous = Number.POSITIVE_INFINITY;
    for await (const customer of stripe.customers.list({ limit: 100 }, { stripeAccount: accountId })) {
      assert.ok(customer.created <= previous);
      previous = customer.created;
      seen.push(customer.id);
    }
    assert.equal(seen.length, CUSTOMERS);
    assert.deepEqual(seen, [...customerIds].reverse());
  });

  it('finds a customer by email and its invoices by customer', async () => {
    const found = await stripe.customers.list(
      { email: 'customer5000@example.com' },
      { stripeAccount: accountId },
    );
    assert.deepEqual(
      found.data.map((customer) => customer.id),
      [customerIds[4999]],
    );
    // Invoices go to the customers in turn, so each has exactly two.
    const invoices = await stripe.invoices.list(
      { customer: customerIds[4999] as string },
      { stripeAccount: accountId },
    );
    assert.deepEqual(
      invoices.data.map((invoice) => invoice.id),
      [invoiceIds[14_999], invoiceIds[4999]],
    );
  });

  it('counts invoices exactly by status and by created window', async () => {
    const count = async (params: Stripe.InvoiceListParams) => {
      let n = 0;
      for await (const _ of stripe.invoices.list({ limit: 100, ...params }, { stripeAccount: accountId }))
        n++;
      return n;
    };
    // The seeded statuses cycle through eight: paid four times, the others once each.
    assert.equal(await count({ status: 'draft' }), INVOICES / 8);
    assert.equal(await count({ status: 'paid' }), INVOICES / 2);
    // The last hour holds the last 120 invoices (one every 30 s, the newest at NOW).
    assert.equal(await count({ created: { gt: (NOW - 3_600_000) / 1000 } }), 120);
    const page = await stripe.invoices.list({ limit: 3, status: 'void' }, { stripeAccount: accountId });
    assert.equal(page.has_more, true);
    assert.ok(page.data.every((invoice) => invoice.status === 'void' && invoice.number !== null));
  });

  it('keeps the seeded data in its account only', async () => {
    assert.equal((await stripe.customers.list()).data.length, 0);
    assert.equal((await stripe.invoices.list()).data.length, 0);
  });
});
