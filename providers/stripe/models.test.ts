// The Stripe mappers against objects as the emulator sends them on the wire (made with the
// official SDK, read back as raw JSON), and against the shapes of older API versions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from '../../sandbox/index.ts';
import {
  customerModel,
  invoiceModel,
  paymentModel,
  productModel,
  subscriptionModel,
} from '../../src/scripts/index.ts';
import {
  type StripeCharge,
  type StripeCustomer,
  type StripeInvoice,
  type StripeInvoiceLine,
  type StripePrice,
  type StripeProduct,
  type StripeSubscription,
  toCustomer,
  toInvoice,
  toInvoiceLine,
  toPayment,
  toProduct,
  toSubscription,
} from './models.ts';

describe('stripe models', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  /** The object as Stripe's JSON carries it (not as the SDK parses it). */
  async function wire<T>(path: string, key = sandbox.platform.secretKey): Promise<T> {
    const res = await fetch(`${sandbox.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200, path);
    return (await res.json()) as T;
  }

  before(async () => {
    sandbox = await startStripeSandbox({ rateLimit: false });
    stripe = new Stripe(sandbox.platform.secretKey, {
      host: '127.0.0.1',
      port: sandbox.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
  });
  after(() => sandbox.close());

  it('maps a customer, keeping the raw object', async () => {
    const created = await stripe.customers.create({
      email: 'ada@example.com',
      name: 'Ada',
      phone: '+15555550100',
      metadata: { handle: '@ada' },
    });
    const customer = await wire<StripeCustomer>(`/v1/customers/${created.id}`);
    const record = customerModel.parse(toCustomer(customer));
    assert.equal(record.id, created.id);
    assert.equal(record.email, 'ada@example.com');
    assert.equal(record.name, 'Ada');
    assert.equal(record.phone, '+15555550100');
    assert.equal(record.createdAt, new Date(created.created * 1000).toISOString());
    assert.deepEqual(record.metadata, { handle: '@ada' });
    assert.deepEqual(record.raw, customer);
  });

  it('maps a product with its one-time and recurring prices', async () => {
    const product = await stripe.products.create({
      name: 'Mug',
      description: 'Blue',
      metadata: { sku: 'M1' },
    });
    await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1200 });
    await stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 500,
      recurring: { interval: 'month', interval_count: 3 },
    });
    const wireProduct = await wire<StripeProduct>(`/v1/products/${product.id}`);
    const prices = (await wire<{ data: StripePrice[] }>(`/v1/prices?product=${product.id}`)).data;
    const record = productModel.parse(toProduct(wireProduct, prices));
    assert.equal(record.name, 'Mug');
    assert.equal(record.description, 'Blue');
    assert.equal(record.active, true);
    assert.deepEqual(record.metadata, { sku: 'M1' });
    assert.deepEqual(
      record.prices.map((price) => [price.currency, price.unitAmount, price.recurring]).sort(),
      [
        ['eur', 500, { interval: 'month', intervalCount: 3 }],
        ['usd', 1200, null],
      ],
    );
    assert.equal(record.updatedAt, new Date(wireProduct.updated * 1000).toISOString());
  });

  it('maps a paid invoice: amounts, URLs, lines, transitions, collection method', async () => {
    const customer = await stripe.customers.create({ email: 'bo@example.com' });
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      collection_method: 'send_invoice',
      days_until_due: 7,
      metadata: { rollup: 'show-1', buyer: 'b-9' },
    });
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 700,
      product_data: { name: 'Hat' },
    });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: invoice.id,
      pricing: { price: price.id },
      quantity: 3,
    });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: invoice.id,
      amount: 250,
      currency: 'usd',
      description: 'Shipping',
    });
    await stripe.invoices.finalizeInvoice(invoice.id);
    await stripe.invoices.pay(invoice.id, { paid_out_of_band: true });

    const paid = await wire<StripeInvoice>(`/v1/invoices/${invoice.id}`);
    const record = invoiceModel.parse(toInvoice(paid));
    // As a map callback from JavaScript (the index comes second) each invoice keeps its lines.
    const asCallback = toInvoice as unknown as (invoice: StripeInvoice, index: number) => unknown;
    assert.deepEqual([paid].map(asCallback), [toInvoice(paid)]);
    assert.equal(record.status, 'paid');
    assert.equal(record.customerId, customer.id);
    assert.equal(record.customerEmail, 'bo@example.com');
    assert.equal(record.total, 2350);
    assert.equal(record.amountPaid, 2350);
    assert.equal(record.amountRemaining, 0);
    assert.equal(record.collection, 'send_invoice');
    assert.match(String(record.number), /\S/);
    assert.equal(record.hostedUrl, paid.hosted_invoice_url);
    assert.equal(record.pdfUrl, paid.invoice_pdf);
    assert.ok(record.hostedUrl);
    assert.equal(
      record.finalizedAt,
      new Date(Number(paid.status_transitions.finalized_at) * 1000).toISOString(),
    );
    assert.equal(record.paidAt, new Date(Number(paid.status_transitions.paid_at) * 1000).toISOString());
    assert.equal(record.voidedAt, null);
    assert.ok(record.dueAt);
    assert.deepEqual(record.metadata, { rollup: 'show-1', buyer: 'b-9' });
    const hat = record.lines.find((line) => line.priceId === price.id);
    assert.deepEqual(
      {
        quantity: hat?.quantity,
        unitAmount: hat?.unitAmount,
        amount: hat?.amount,
        productId: hat?.productId,
      },
      { quantity: 3, unitAmount: 700, amount: 2100, productId: price.product },
    );
    const shipping = record.lines.find((line) => line.description === 'Shipping');
    assert.deepEqual([shipping?.amount, shipping?.unitAmount, shipping?.priceId], [250, 250, null]);
  });

  it('maps a voided invoice and takes lines read apart over the embedded ones', async () => {
    const customer = await stripe.customers.create({});
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      collection_method: 'send_invoice',
      days_until_due: 1,
    });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: invoice.id,
      amount: 900,
      currency: 'usd',
    });
    await stripe.invoices.finalizeInvoice(invoice.id);
    await stripe.invoices.voidInvoice(invoice.id);
    const voided = await wire<StripeInvoice>(`/v1/invoices/${invoice.id}`);
    const lines = (await wire<{ data: StripeInvoiceLine[] }>(`/v1/invoices/${invoice.id}/lines`)).data;
    const record = invoiceModel.parse(toInvoice({ ...voided, lines: { ...voided.lines, data: [] } }, lines));
    assert.equal(record.status, 'void');
    assert.ok(record.voidedAt);
    assert.equal(record.paidAt, null);
    assert.equal(record.lines.length, 1);
    assert.equal(record.lines[0]?.amount, 900);
  });

  it('maps a connected account charge with its application fee and refunds', async () => {
    const { accountId } = sandbox.control.connectAccount({ email: 'seller@example.com' });
    const intent = await stripe.paymentIntents.create(
      {
        amount: 5000,
        currency: 'usd',
        confirm: true,
        payment_method: 'pm_card_visa',
        application_fee_amount: 500,
        metadata: { order: 'o-1' },
      },
      { stripeAccount: accountId },
    );
    await stripe.refunds.create({ payment_intent: intent.id, amount: 2000 }, { stripeAccount: accountId });
    const charge = (await (
      await fetch(`${sandbox.url}/v1/charges/${intent.latest_charge}?expand[]=refunds`, {
        headers: { authorization: `Bearer ${sandbox.platform.secretKey}`, 'stripe-account': accountId },
      })
    ).json()) as StripeCharge;
    const record = paymentModel.parse(toPayment(charge));
    assert.equal(record.id, intent.latest_charge);
    assert.equal(record.status, 'partially_refunded');
    assert.equal(record.amount, 5000);
    assert.equal(record.amountRefunded, 2000);
    assert.equal(record.applicationFeeAmount, 500);
    assert.equal(record.refunds.length, 1);
    assert.deepEqual([record.refunds[0]?.amount, record.refunds[0]?.status], [2000, 'succeeded']);
    assert.deepEqual(record.metadata, { order: 'o-1' });
    assert.equal(record.raw.payment_intent, intent.id);

    const full = paymentModel.parse(toPayment({ ...charge, amount_refunded: 5000, refunded: true }, []));
    assert.equal(full.status, 'refunded');
    assert.deepEqual(full.refunds, []);
    assert.equal(paymentModel.parse(toPayment({ ...charge, status: 'failed' })).status, 'failed');
  });

  it('maps a subscription with its items and the current period from its items', async () => {
    const customer = await stripe.customers.create({ email: 'sub@example.com' });
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 900,
      recurring: { interval: 'month' },
      product_data: { name: 'Club' },
    });
    const created = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 2 }],
      metadata: { tier: 'gold' },
    });
    const subscription = await wire<StripeSubscription>(`/v1/subscriptions/${created.id}`);
    const record = subscriptionModel.parse(toSubscription(subscription));
    assert.equal(record.status, 'active');
    assert.equal(record.customerId, customer.id);
    assert.equal(record.currency, 'usd');
    assert.deepEqual(
      record.items.map((item) => [item.priceId, item.productId, item.quantity]),
      [[price.id, price.product, 2]],
    );
    const item = subscription.items.data[0];
    assert.equal(
      record.currentPeriodStart,
      new Date(Number(item?.current_period_start) * 1000).toISOString(),
    );
    assert.equal(record.currentPeriodEnd, new Date(Number(item?.current_period_end) * 1000).toISOString());
    assert.equal(record.cancelAtPeriodEnd, false);
    assert.deepEqual(record.metadata, { tier: 'gold' });
  });

  it('reads the fields older API versions put elsewhere', () => {
    const line = toInvoiceLine({
      id: 'il_1',
      amount: 1500,
      currency: 'usd',
      description: null,
      quantity: 3,
      price: { id: 'price_1', product: 'prod_1', unit_amount: 500 },
    } as unknown as StripeInvoiceLine);
    assert.deepEqual([line.priceId, line.productId, line.unitAmount], ['price_1', 'prod_1', 500]);

    const subscription = toSubscription({
      id: 'sub_1',
      status: 'past_due',
      customer: { id: 'cus_1' },
      currency: 'usd',
      items: { data: [] },
      current_period_start: 1_700_000_000,
      current_period_end: 1_702_592_000,
      cancel_at_period_end: true,
      canceled_at: null,
      created: 1_700_000_000,
      metadata: {},
    } as unknown as StripeSubscription);
    assert.equal(subscription.customerId, 'cus_1');
    assert.equal(subscription.currentPeriodEnd, '2023-12-14T22:13:20.000Z');

    const charge = toPayment({
      id: 'ch_1',
      status: 'succeeded',
      amount: 100,
      amount_refunded: 0,
      refunded: false,
      currency: 'usd',
      customer: null,
      invoice: 'in_1',
      description: null,
      application_fee_amount: null,
      created: 1_700_000_000,
      metadata: {},
    } as unknown as StripeCharge);
    assert.equal(charge.invoiceId, 'in_1');
    assert.equal(charge.status, 'succeeded');
  });

  it('refuses a subscription status the shared model does not know', () => {
    assert.throws(
      () =>
        toSubscription({
          id: 'sub_2',
          status: 'frozen',
          items: { data: [] },
        } as unknown as StripeSubscription),
      { code: 'provider_response_invalid' },
    );
  });
});
