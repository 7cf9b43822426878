/**
 * Contract with the official SDK: the Search API of customers and invoices (the query language's
 * exact, substring, numeric, metadata and negated clauses, AND / OR, paging by `next_page`), and
 * Stripe's `email_invalid` for a malformed customer email.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from './server.ts';
import { ManualClock, sdk } from './test-client.ts';

describe('contract: search', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  const clock = new ManualClock(Date.UTC(2026, 2, 1));

  before(async () => {
    sandbox = await startStripeSandbox({ clock, rateLimit: false });
    stripe = sdk(sandbox);
  });
  after(() => sandbox.close());

  it('finds customers by metadata, email, substring and negation, with AND and OR', async () => {
    const ana = await stripe.customers.create({
      email: 'ana@example.com',
      name: 'Ana Lima',
      metadata: { handle: "ana'live" },
    });
    const bo = await stripe.customers.create({
      email: 'bo@example.com',
      name: 'Bo Chen',
      metadata: { handle: 'bo' },
    });
    await stripe.customers.create({ email: 'cy@example.org', metadata: { handle: 'cy' } });

    const byHandle = await stripe.customers.search({ query: "metadata['handle']:'ana\\'live'" });
    assert.equal(byHandle.object, 'search_result');
    assert.deepEqual(
      byHandle.data.map((c) => c.id),
      [ana.id],
    );
    assert.equal(byHandle.has_more, false);
    assert.equal(byHandle.next_page, null);

    const either = await stripe.customers.search({
      query: `metadata["handle"]:"bo" OR email:"ANA@example.com"`,
    });
    assert.deepEqual(either.data.map((c) => c.id).sort(), [ana.id, bo.id].sort());
    const both = await stripe.customers.search({ query: `email~"example.com" AND -name:"Bo Chen"` });
    assert.deepEqual(
      both.data.map((c) => c.id),
      [ana.id],
    );

    await assert.rejects(stripe.customers.search({ query: 'email:ana@example.com' }), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.param, 'query');
      return true;
    });
    await assert.rejects(stripe.customers.search({ query: 'email:"a" AND name:"b" OR name:"c"' }), {
      type: 'StripeInvalidRequestError',
    });
  });

  it('pages invoice results by next_page and compares totals as numbers', async () => {
    const customer = await stripe.customers.create({ email: 'buyer@example.com' });
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      const invoice = await stripe.invoices.create({
        customer: customer.id,
        metadata: { rollupId: 'show-1', buyerId: `b${index}` },
      });
      await stripe.invoiceItems.create({
        customer: customer.id,
        invoice: invoice.id,
        amount: 1000 * (index + 1),
        currency: 'usd',
      });
      ids.push(invoice.id);
    }
    const first = await stripe.invoices.search({ query: "metadata['rollupId']:'show-1'", limit: 2 });
    assert.equal(first.data.length, 2);
    assert.equal(first.has_more, true);
    assert.ok(first.next_page);
    const seen = [...first.data.map((i) => i.id)];
    let page: string | null = first.next_page;
    while (page) {
      const next = await stripe.invoices.search({ query: "metadata['rollupId']:'show-1'", limit: 2, page });
      seen.push(...next.data.map((i) => i.id));
      page = next.next_page;
    }
    assert.deepEqual(seen, [...ids].reverse(), 'newest first, each once');
    const big = await stripe.invoices.search({ query: `total>=3000 AND status:"draft"` });
    assert.equal(big.data.length, 3);
    const auto = stripe.invoices.search({ query: `customer:"${customer.id}"`, limit: 2 });
    const all: string[] = [];
    for await (const invoice of auto) all.push(invoice.id);
    assert.equal(all.length, 5, 'the SDK auto-pages through next_page');
  });

  it('refuses a malformed customer email with email_invalid', async () => {
    await assert.rejects(stripe.customers.create({ email: 'not an email' }), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.code, 'email_invalid');
      assert.equal(error.param, 'email');
      return true;
    });
  });
});
