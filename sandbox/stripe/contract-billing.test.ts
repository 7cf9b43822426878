/**
 * Contract with the official SDK, part 2: the catalog (products, prices) and billing — invoice
 * items, invoices through every transition, their hosted page and PDF, declined payments as the
 * SDK's card errors, and subscriptions from creation to cancellation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from './server.ts';
import { ManualClock, sdk } from './test-client.ts';

const T0 = Date.UTC(2026, 3, 1);
const DAY = 24 * 60 * 60;

describe('contract: products and prices', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  before(async () => {
    sandbox = await startStripeSandbox({ clock: new ManualClock(T0), rateLimit: false });
    stripe = sdk(sandbox);
  });
  after(() => sandbox.close());

  it('creates, updates and lists products and their prices', async () => {
    const product = await stripe.products.create({
      name: 'Widget',
      description: 'A widget',
      metadata: { sku: 'W-1' },
      default_price_data: { currency: 'eur', unit_amount: 1200 },
    });
    assert.match(product.id, /^prod_/);
    assert.match(String(product.default_price), /^price_/);
    const updated = await stripe.products.update(product.id, { name: 'Widget 2', active: false });
    assert.equal(updated.name, 'Widget 2');
    assert.equal(updated.active, false);
    assert.deepEqual(
      (await stripe.products.list({ active: false })).data.map((p) => p.id),
      [product.id],
    );

    const monthly = await stripe.prices.create({
      product: product.id,
      currency: 'EUR',
      unit_amount: 900,
      recurring: { interval: 'month' },
      lookup_key: 'widget-monthly',
    });
    assert.equal(monthly.currency, 'eur');
    assert.equal(monthly.type, 'recurring');
    assert.deepEqual(monthly.recurring, {
      interval: 'month',
      interval_count: 1,
      meter: null,
      trial_period_days: null,
      usage_type: 'licensed',
    });
    // The SDK turns the decimal string the emulator sends into its Decimal class.
    assert.equal(monthly.unit_amount_decimal?.toString(), '900');
    const inline = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 500,
      product_data: { name: 'Gadget' },
    });
    assert.notEqual(inline.product, product.id);

    const ofProduct = await stripe.prices.list({ product: product.id });
    assert.deepEqual(new Set(ofProduct.data.map((p) => p.id)), new Set([monthly.id, product.default_price]));
    assert.deepEqual(
      (await stripe.prices.list({ lookup_keys: ['widget-monthly'] })).data.map((p) => p.id),
      [monthly.id],
    );
    assert.deepEqual(
      (await stripe.prices.list({ type: 'one_time', product: product.id })).data.map((p) => p.id),
      [product.default_price],
    );
    const expanded = await stripe.prices.retrieve(monthly.id, { expand: ['product'] });
    assert.equal((expanded.product as Stripe.Product).name, 'Widget 2');
    await assert.rejects(stripe.prices.create({ currency: 'usd', unit_amount: 5, product: 'prod_missing' }), {
      code: 'resource_missing',
      param: 'product',
      statusCode: 400,
    });
  });

  it('deletes a product without prices, recording product.deleted, and refuses one with prices', async () => {
    const bare = await stripe.products.create({ name: 'Draft product' });
    const deleted = await stripe.products.del(bare.id);
    assert.deepEqual([deleted.id, deleted.object, deleted.deleted], [bare.id, 'product', true]);
    await assert.rejects(stripe.products.retrieve(bare.id), { code: 'resource_missing', statusCode: 404 });
    const [event] = (await stripe.events.list({ type: 'product.deleted', limit: 1 })).data;
    assert.equal((event?.data.object as Stripe.Product | undefined)?.id, bare.id);

    const priced = await stripe.products.create({
      name: 'Priced',
      default_price_data: { currency: 'usd', unit_amount: 100 },
    });
    await assert.rejects(stripe.products.del(priced.id), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
  });
});

describe('contract: invoices', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  const clock = new ManualClock(T0);
  let customer: Stripe.Customer;
  let price: Stripe.Price;

  before(async () => {
    sandbox = await startStripeSandbox({ clock, rateLimit: false });
    stripe = sdk(sandbox);
    customer = await stripe.customers.create({ email: 'buyer@example.com', name: 'Buyer' });
    const product = await stripe.products.create({ name: 'Consulting' });
    price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 2500 });
  });
  after(() => sandbox.close());

  it('bills a send_invoice invoice from draft to paid', async () => {
    const draft = await stripe.invoices.create({
      customer: customer.id,
      collection_method: 'send_invoice',
      days_until_due: 14,
      auto_advance: false,
      description: 'March work',
      metadata: { rollup: 'r-1' },
    });
    assert.match(draft.id, /^in_/);
    assert.equal(draft.status, 'draft');
    assert.equal(draft.due_date, T0 / 1000 + 14 * DAY);
    assert.equal(draft.number, null);
    assert.equal(draft.hosted_invoice_url, null);

    const byPrice = await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      pricing: { price: price.id },
      quantity: 2,
    });
    assert.match(byPrice.id, /^ii_/);
    assert.equal(byPrice.amount, 5000);
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 1234,
      currency: 'usd',
      description: 'Travel',
    });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      price_data: { currency: 'usd', product: String(price.product), unit_amount: 100 },
      quantity: 3,
    });
    const withLines = await stripe.invoices.retrieve(draft.id, { expand: ['lines'] });
    assert.equal(withLines.total, 5000 + 1234 + 300);
    assert.equal(withLines.lines.data.length, 3);
    const [first] = withLines.lines.data;
    assert.match(String(first?.id), /^il_/);
    assert.equal(first?.parent?.invoice_item_details?.invoice_item, byPrice.id);
    assert.equal(first?.pricing?.price_details?.price, price.id);

    const open = await stripe.invoices.finalizeInvoice(draft.id);
    assert.equal(open.status, 'open');
    assert.match(String(open.number), /^[A-Z0-9]{8}-0001$/);
    assert.equal(open.status_transitions.finalized_at, T0 / 1000);
    assert.equal(open.customer_email, 'buyer@example.com');
    const page = await fetch(String(open.hosted_invoice_url));
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(`Invoice ${open.number}`));
    const pdf = await fetch(String(open.invoice_pdf));
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
      '%PDF-',
    );

    assert.equal((await stripe.invoices.sendInvoice(draft.id)).status, 'open');
    clock.advance(60_000);
    const paid = await stripe.invoices.pay(draft.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.amount_paid, 6534);
    assert.equal(paid.amount_remaining, 0);
    assert.equal(paid.status_transitions.paid_at, T0 / 1000 + 60);
    const payments =
      (await stripe.invoices.retrieve(draft.id, { expand: ['payments'] })).payments?.data ?? [];
    const intentId = String(payments[0]?.payment.payment_intent);
    const listed = await stripe.invoicePayments.list({ invoice: draft.id });
    assert.deepEqual(
      listed.data.map((payment) => payment.id),
      payments.map((payment) => payment.id),
    );
    assert.equal((await stripe.invoicePayments.retrieve(String(payments[0]?.id))).amount_paid, 6534);
    const intent = await stripe.paymentIntents.retrieve(intentId);
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.amount, 6534);
    const [charge] = (await stripe.charges.list({ payment_intent: intentId })).data;
    assert.equal(charge?.paid, true);
    assert.equal(charge?.payment_method_details?.card?.last4, '4242');

    const types = (await stripe.events.list({ limit: 100 })).data.map((event) => event.type);
    for (const type of [
      'invoice.created',
      'invoice.finalized',
      'invoice.sent',
      'invoice.paid',
      'invoiceitem.created',
    ]) {
      assert.ok(types.includes(type as Stripe.Event.Type), type);
    }
    await assert.rejects(stripe.invoices.pay(draft.id), { message: 'Invoice is already paid' });
    await assert.rejects(stripe.invoices.finalizeInvoice(draft.id), { statusCode: 400 });
  });

  it('voids, marks uncollectible and deletes drafts', async () => {
    const make = async () => {
      const invoice = await stripe.invoices.create({
        customer: customer.id,
        collection_method: 'send_invoice',
        days_until_due: 7,
      });
      await stripe.invoiceItems.create({
        customer: customer.id,
        invoice: invoice.id,
        amount: 700,
        currency: 'usd',
      });
      return invoice;
    };
    const toVoid = await make();
    await assert.rejects(stripe.invoices.voidInvoice(toVoid.id), { statusCode: 400 });
    await stripe.invoices.finalizeInvoice(toVoid.id);
    const voided = await stripe.invoices.voidInvoice(toVoid.id);
    assert.equal(voided.status, 'void');
    assert.equal(voided.amount_remaining, 0);

    const lost = await make();
    await stripe.invoices.finalizeInvoice(lost.id);
    assert.equal((await stripe.invoices.markUncollectible(lost.id)).status, 'uncollectible');
    assert.equal((await stripe.invoices.pay(lost.id, { paid_out_of_band: true })).status, 'paid');

    const draft = await make();
    const deleted = await stripe.invoices.del(draft.id);
    assert.equal(deleted.deleted, true);
    await assert.rejects(stripe.invoices.retrieve(draft.id), { code: 'resource_missing' });

    const statuses = async (status: Stripe.InvoiceListParams.Status) =>
      (await stripe.invoices.list({ customer: customer.id, status })).data.map((invoice) => invoice.id);
    assert.deepEqual(await statuses('void'), [toVoid.id]);
    assert.ok((await statuses('paid')).includes(lost.id));
  });

  it('declines the payments of a customer the test made fail, as a StripeCardError', async () => {
    const payer = await stripe.customers.create({ email: 'broke@example.com' });
    const invoice = await stripe.invoices.create({
      customer: payer.id,
      collection_method: 'charge_automatically',
    });
    await stripe.invoiceItems.create({
      customer: payer.id,
      invoice: invoice.id,
      amount: 4200,
      currency: 'usd',
    });
    sandbox.control.failPayments(payer.id);
    const declined = await stripe.invoices.pay(invoice.id).catch((error: unknown) => error);
    assert.ok(declined instanceof Stripe.errors.StripeCardError);
    assert.equal(declined.statusCode, 402);
    assert.equal(declined.code, 'card_declined');
    assert.equal(declined.decline_code, 'generic_decline');
    assert.match(String(declined.charge), /^ch_/);
    const after = await stripe.invoices.retrieve(invoice.id);
    assert.equal(after.status, 'open');
    assert.equal(after.attempt_count, 1);
    const failed = await stripe.events.list({ type: 'invoice.payment_failed' });
    assert.equal((failed.data[0]?.data.object as Stripe.Invoice | undefined)?.id, invoice.id);
    sandbox.control.succeedPayments(payer.id);
    assert.equal((await stripe.invoices.pay(invoice.id)).status, 'paid');
  });

  it('takes pending items when asked, pages lines, and checks collection parameters', async () => {
    const payer = await stripe.customers.create({ email: 'lines@example.com' });
    for (let i = 0; i < 12; i++) {
      await stripe.invoiceItems.create({
        customer: payer.id,
        amount: 100 + i,
        currency: 'usd',
        description: `Line ${i}`,
      });
    }
    const excluded = await stripe.invoices.create({
      customer: payer.id,
      collection_method: 'send_invoice',
      days_until_due: 1,
    });
    assert.equal(excluded.lines.data.length, 0);
    const invoice = await stripe.invoices.create({
      customer: payer.id,
      collection_method: 'send_invoice',
      days_until_due: 1,
      pending_invoice_items_behavior: 'include',
    });
    assert.equal(invoice.lines.data.length, 10);
    assert.equal(invoice.lines.has_more, true);
    assert.equal(invoice.lines.url, `/v1/invoices/${invoice.id}/lines`);
    const lines = await stripe.invoices
      .listLineItems(invoice.id, { limit: 5 })
      .autoPagingToArray({ limit: 100 });
    assert.deepEqual(
      lines.map((line) => line.description),
      Array.from({ length: 12 }, (_, i) => `Line ${i}`),
    );
    await assert.rejects(stripe.invoices.create({ customer: payer.id, collection_method: 'send_invoice' }), {
      code: 'parameter_missing',
      param: 'days_until_due',
    });
    await assert.rejects(stripe.invoices.create({ customer: payer.id, days_until_due: 3 }), {
      param: 'days_until_due',
    });
    const automatic = await stripe.invoices.create({ customer: payer.id });
    await assert.rejects(stripe.invoices.sendInvoice(automatic.id), { message: /send_invoice/ });
    const listed = await stripe.invoices.list({ customer: payer.id, expand: ['data.customer'] });
    assert.equal((listed.data[0]?.customer as Stripe.Customer | undefined)?.email, 'lines@example.com');
    assert.equal(listed.data.length, 3);
  });
});

describe('contract: subscriptions', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let customer: Stripe.Customer;
  let monthly: Stripe.Price;

  before(async () => {
    sandbox = await startStripeSandbox({ clock: new ManualClock(Date.UTC(2026, 0, 31)), rateLimit: false });
    stripe = sdk(sandbox);
    customer = await stripe.customers.create({ email: 'sub@example.com' });
    const product = await stripe.products.create({ name: 'Pro plan' });
    monthly = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2000,
      recurring: { interval: 'month' },
    });
  });
  after(() => sandbox.close());

  it('starts active with its first invoice paid, updates and cancels', async () => {
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id, quantity: 2 }],
      metadata: { seats: '2' },
    });
    assert.match(subscription.id, /^sub_/);
    assert.equal(subscription.status, 'active');
    const [item] = subscription.items.data;
    assert.equal(item?.price.id, monthly.id);
    assert.equal(item?.quantity, 2);
    // A month after January 31st is the last day of February, as Stripe bills it.
    assert.equal(item?.current_period_end, Date.UTC(2026, 1, 28) / 1000);
    const invoice = await stripe.invoices.retrieve(String(subscription.latest_invoice));
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.total, 4000);
    assert.equal(invoice.billing_reason, 'subscription_create');
    assert.equal(invoice.parent?.subscription_details?.subscription, subscription.id);
    assert.equal(invoice.lines.data[0]?.parent?.subscription_item_details?.subscription_item, item?.id);

    const updated = await stripe.subscriptions.update(subscription.id, {
      metadata: { seats: '3' },
      cancel_at_period_end: true,
    });
    assert.equal(updated.cancel_at_period_end, true);
    const [updateEvent] = (await stripe.events.list({ type: 'customer.subscription.updated' })).data;
    assert.deepEqual(updateEvent?.data.previous_attributes, {
      cancel_at: null,
      cancel_at_period_end: false,
      metadata: { seats: '2' },
    });

    const canceled = await stripe.subscriptions.cancel(subscription.id, {
      cancellation_details: { comment: 'moving' },
    });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.cancellation_details?.comment, 'moving');
    const [deleted] = (await stripe.events.list({ type: 'customer.subscription.deleted' })).data;
    assert.equal((deleted?.data.object as Stripe.Subscription | undefined)?.id, subscription.id);
    assert.deepEqual(
      (await stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id),
      [],
    );
    assert.deepEqual(
      (await stripe.subscriptions.list({ status: 'canceled' })).data.map((s) => s.id),
      [subscription.id],
    );
  });

  it('changes items by id, adds and deletes them, and refuses an unknown item without changing any', async () => {
    const addOn = await stripe.prices.create({
      product: String(monthly.product),
      currency: 'usd',
      unit_amount: 500,
      recurring: { interval: 'month' },
    });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
    });
    const [first] = subscription.items.data;
    const byUrl = await stripe.subscriptionItems.list({ subscription: subscription.id });
    assert.deepEqual(
      byUrl.data.map((item) => item.id),
      [first?.id],
    );
    assert.equal(byUrl.url, subscription.items.url);
    assert.equal((await stripe.subscriptionItems.retrieve(String(first?.id))).subscription, subscription.id);
    const grown = await stripe.subscriptions.update(subscription.id, {
      items: [
        { id: first?.id as string, quantity: 5 },
        { price: addOn.id, quantity: 2 },
      ],
      proration_behavior: 'none',
    });
    assert.deepEqual(
      grown.items.data.map((item) => [item.price.id, item.quantity]),
      [
        [monthly.id, 5],
        [addOn.id, 2],
      ],
    );
    await assert.rejects(
      stripe.subscriptions.update(subscription.id, {
        items: [
          { id: first?.id as string, quantity: 9 },
          { id: 'si_missing', deleted: true },
        ],
      }),
      { code: 'resource_missing', param: 'items[1][id]' },
    );
    assert.equal((await stripe.subscriptions.retrieve(subscription.id)).items.data[0]?.quantity, 5);
    const shrunk = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: first?.id as string, deleted: true }],
    });
    assert.deepEqual(
      shrunk.items.data.map((item) => item.price.id),
      [addOn.id],
    );
    await stripe.subscriptions.cancel(subscription.id);
  });

  it('bills send_invoice with an open invoice, trials for free, and stays incomplete when declined', async () => {
    const invoiced = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      collection_method: 'send_invoice',
      days_until_due: 10,
    });
    assert.equal(invoiced.status, 'active');
    assert.equal((await stripe.invoices.retrieve(String(invoiced.latest_invoice))).status, 'open');

    const trial = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      trial_period_days: 14,
    });
    assert.equal(trial.status, 'trialing');
    assert.equal((await stripe.invoices.retrieve(String(trial.latest_invoice))).total, 0);

    const broke = await stripe.customers.create({ email: 'declined@example.com' });
    sandbox.control.failPayments(broke.id);
    const incomplete = await stripe.subscriptions.create({
      customer: broke.id,
      items: [{ price: monthly.id }],
    });
    assert.equal(incomplete.status, 'incomplete');

    const active = await stripe.subscriptions.list({ status: 'active' });
    assert.deepEqual(
      active.data.map((s) => s.id),
      [invoiced.id],
    );
    await assert.rejects(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: monthly.id }],
        days_until_due: 3,
      }),
      { param: 'days_until_due' },
    );
    const oneTime = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 100,
      product: String(monthly.product),
    });
    await assert.rejects(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: oneTime.id }] }),
      {
        param: 'items[0][price]',
      },
    );
  });
});
