/**
 * Contract with the official SDK, part 3: payments — payment intents with Stripe's test cards,
 * charges, refunds that also refund the platform's application fee, application fees, checkout
 * sessions completed by a buyer, and payment links — on the platform and on connected accounts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from './server.ts';
import { sdk } from './test-client.ts';

describe('contract: payment intents, charges, refunds', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  before(async () => {
    sandbox = await startStripeSandbox({ rateLimit: false });
    stripe = sdk(sandbox);
  });
  after(() => sandbox.close());

  it('confirms with a test card, lists, and declines with pm_card_chargeDeclined', async () => {
    const customer = await stripe.customers.create({ email: 'pay@example.com' });
    const intent = await stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      customer: customer.id,
      metadata: { order: '42' },
    });
    assert.match(intent.id, /^pi_/);
    assert.equal(intent.status, 'requires_payment_method');
    assert.match(String(intent.client_secret), new RegExp(`^${intent.id}_secret_`));
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    assert.equal(confirmed.status, 'succeeded');
    assert.equal(confirmed.amount_received, 2000);
    const charge = await stripe.charges.retrieve(String(confirmed.latest_charge));
    assert.match(charge.id, /^ch_/);
    assert.equal(charge.payment_intent, intent.id);
    assert.deepEqual(charge.metadata, { order: '42' });
    assert.deepEqual(
      (await stripe.paymentIntents.list({ customer: customer.id })).data.map((pi) => pi.id),
      [intent.id],
    );
    assert.deepEqual(
      (await stripe.charges.list({ customer: customer.id })).data.map((c) => c.id),
      [charge.id],
    );

    const declined = await stripe.paymentIntents
      .create({ amount: 500, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true })
      .catch((error: unknown) => error);
    assert.ok(declined instanceof Stripe.errors.StripeCardError);
    assert.equal(declined.decline_code, 'generic_decline');
    assert.equal(declined.payment_intent?.status, 'requires_payment_method');
    assert.equal(declined.payment_intent?.last_payment_error?.code, 'card_declined');
    await assert.rejects(stripe.paymentIntents.create({ amount: 10, currency: 'usd' }), {
      code: 'amount_too_small',
    });
  });

  it('refunds in parts, records charge.refunded with what changed, and refuses too much', async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      confirm: true,
      payment_method: 'pm_card_visa',
    });
    const part = await stripe.refunds.create({
      payment_intent: intent.id,
      amount: 1000,
      reason: 'requested_by_customer',
    });
    assert.match(part.id, /^re_/);
    assert.equal(part.status, 'succeeded');
    assert.equal(part.amount, 1000);
    const [event] = (await stripe.events.list({ type: 'charge.refunded', limit: 1 })).data;
    assert.deepEqual(event?.data.previous_attributes, { amount_refunded: 0 });
    await assert.rejects(stripe.refunds.create({ charge: String(intent.latest_charge), amount: 2500 }), {
      code: 'amount_too_large',
      param: 'amount',
    });
    const rest = await stripe.refunds.create({ charge: String(intent.latest_charge) });
    assert.equal(rest.amount, 2000);
    const charge = await stripe.charges.retrieve(String(intent.latest_charge), { expand: ['refunds'] });
    assert.equal(charge.refunded, true);
    assert.deepEqual(
      charge.refunds?.data.map((refund) => refund.id),
      [rest.id, part.id],
    );
    assert.deepEqual(
      (await stripe.refunds.list({ payment_intent: intent.id })).data.map((refund) => refund.id),
      [rest.id, part.id],
    );
    await assert.rejects(stripe.refunds.create({ charge: charge.id }), { code: 'charge_already_refunded' });
  });
});

describe('contract: Connect payments with application fees', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let accountId: string;
  let price: Stripe.Price;

  before(async () => {
    sandbox = await startStripeSandbox({ rateLimit: false });
    stripe = sdk(sandbox);
    accountId = sandbox.control.connectAccount({ name: 'Seller' }).accountId;
    const product = await stripe.products.create({ name: 'Ticket' }, { stripeAccount: accountId });
    price = await stripe.prices.create(
      { product: product.id, currency: 'usd', unit_amount: 5000 },
      { stripeAccount: accountId },
    );
  });
  after(() => sandbox.close());

  it('collects the fee of a direct charge on the platform, and refunds it with refund_application_fee', async () => {
    const intent = await stripe.paymentIntents.create(
      {
        amount: 10_000,
        currency: 'usd',
        application_fee_amount: 1000,
        confirm: true,
        payment_method: 'pm_card_visa',
      },
      { stripeAccount: accountId },
    );
    const charge = await stripe.charges.retrieve(
      String(intent.latest_charge),
      {},
      { stripeAccount: accountId },
    );
    assert.match(String(charge.application_fee), /^fee_/);
    assert.equal(charge.application_fee_amount, 1000);
    const fees = await stripe.applicationFees.list({ charge: charge.id });
    assert.equal(fees.data.length, 1);
    const [fee] = fees.data;
    assert.equal(fee?.account, accountId);
    assert.equal(fee?.application, sandbox.platform.clientId);
    assert.equal(fee?.amount, 1000);

    await stripe.refunds.create(
      { charge: charge.id, amount: 2500, refund_application_fee: true },
      { stripeAccount: accountId },
    );
    const partly = await stripe.applicationFees.retrieve(String(fee?.id));
    assert.equal(partly.amount_refunded, 250);
    assert.equal(partly.refunded, false);
    await stripe.refunds.create(
      { charge: charge.id, refund_application_fee: true },
      { stripeAccount: accountId },
    );
    const whole = await stripe.applicationFees.retrieve(String(fee?.id));
    assert.equal(whole.amount_refunded, 1000);
    assert.equal(whole.refunded, true);
    const refunds = await stripe.applicationFees.listRefunds(String(fee?.id));
    assert.deepEqual(
      refunds.data.map((refund) => refund.amount),
      [750, 250],
    );
    const types = (await stripe.events.list()).data.map((event) => event.type);
    assert.deepEqual(types.slice(0, 3), [
      'application_fee.refunded',
      'application_fee.refunded',
      'application_fee.created',
    ]);

    await assert.rejects(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', application_fee_amount: 100 }),
      {
        param: 'application_fee_amount',
        message: /direct payment/,
      },
    );
  });

  it('creates a checkout session with price_data and a fee, and a buyer completes it', async () => {
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [
          { price: price.id, quantity: 2 },
          {
            price_data: { currency: 'usd', unit_amount: 750, product_data: { name: 'Parking' } },
            quantity: 1,
          },
        ],
        payment_intent_data: { application_fee_amount: 1075, metadata: { rollup: 'r-9' } },
        success_url: 'https://seller.example/thanks?session={CHECKOUT_SESSION_ID}',
        customer_creation: 'always',
        client_reference_id: 'order-9',
      },
      { stripeAccount: accountId },
    );
    assert.match(session.id, /^cs_test_/);
    assert.equal(session.status, 'open');
    assert.equal(session.payment_status, 'unpaid');
    assert.equal(session.amount_total, 10_750);
    assert.equal(session.payment_intent, null);
    const items = await stripe.checkout.sessions.listLineItems(session.id, {}, { stripeAccount: accountId });
    assert.deepEqual(
      items.data.map((item) => [item.description, item.amount_total]),
      [
        ['Ticket', 10_000],
        ['Parking', 750],
      ],
    );

    const completed = sandbox.control.completeCheckoutSession(session.id, {
      email: 'fan@example.com',
      name: 'Fan',
    });
    assert.equal(completed.status, 'complete');
    const paid = await stripe.checkout.sessions.retrieve(
      session.id,
      { expand: ['payment_intent'] },
      { stripeAccount: accountId },
    );
    assert.equal(paid.payment_status, 'paid');
    assert.equal(paid.customer_details?.email, 'fan@example.com');
    assert.match(String(paid.customer), /^cus_/);
    const intent = paid.payment_intent as Stripe.PaymentIntent;
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.application_fee_amount, 1075);
    assert.deepEqual(intent.metadata, { rollup: 'r-9' });
    const [event] = (
      await stripe.events.list({ type: 'checkout.session.completed' }, { stripeAccount: accountId })
    ).data;
    assert.equal(event?.account, accountId);
    assert.equal((event?.data.object as Stripe.Checkout.Session | undefined)?.id, session.id);
    const fee = (await stripe.applicationFees.list({ limit: 1 })).data[0];
    assert.equal(fee?.amount, 1075);
    assert.equal(fee?.account, accountId);
    assert.throws(() => sandbox.control.completeCheckoutSession(session.id), /can no longer be paid/);
  });

  it('lets a buyer pay on the hosted page, and expires sessions', async () => {
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: 'https://seller.example/ok/{CHECKOUT_SESSION_ID}',
      },
      { stripeAccount: accountId },
    );
    const page = await fetch(String(session.url));
    assert.equal(page.status, 200);
    const pay = await fetch(String(session.url), { method: 'POST', redirect: 'manual' });
    assert.equal(pay.status, 303);
    assert.equal(pay.headers.get('location'), `https://seller.example/ok/${session.id}`);
    const other = await stripe.checkout.sessions.create(
      { mode: 'payment', line_items: [{ price: price.id, quantity: 1 }] },
      { stripeAccount: accountId },
    );
    const expired = await stripe.checkout.sessions.expire(other.id, {}, { stripeAccount: accountId });
    assert.equal(expired.status, 'expired');
    assert.equal(expired.url, null);
    const open = await stripe.checkout.sessions.list({ status: 'complete' }, { stripeAccount: accountId });
    assert.ok(open.data.some((s) => s.id === session.id));
    await assert.rejects(
      stripe.checkout.sessions.create(
        { mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }] },
        { stripeAccount: accountId },
      ),
      { param: 'mode' },
    );
  });

  it('creates payment links with a fee, and each buyer pays through a new session', async () => {
    const link = await stripe.paymentLinks.create(
      {
        line_items: [{ price: price.id, quantity: 1 }],
        application_fee_amount: 300,
        after_completion: { type: 'redirect', redirect: { url: 'https://seller.example/done' } },
        metadata: { campaign: 'spring' },
      },
      { stripeAccount: accountId },
    );
    assert.match(link.id, /^plink_/);
    assert.equal(link.application_fee_amount, 300);
    assert.equal(link.after_completion.redirect?.url, 'https://seller.example/done');
    const percent = await stripe.paymentLinks.create(
      { line_items: [{ price: price.id, quantity: 2 }], application_fee_percent: 12.5 },
      { stripeAccount: accountId },
    );
    assert.equal(percent.application_fee_percent, 12.5);

    const session = sandbox.control.completePaymentLink(link.id);
    assert.equal(session.payment_link, link.id);
    const [fee] = (await stripe.applicationFees.list({ limit: 1 })).data;
    assert.equal(fee?.amount, 300);
    sandbox.control.completePaymentLink(percent.id);
    assert.equal((await stripe.applicationFees.list({ limit: 1 })).data[0]?.amount, 1250);

    const visit = await fetch(link.url, { redirect: 'manual' });
    assert.equal(visit.status, 303);
    assert.match(String(visit.headers.get('location')), /\/c\/pay\//);
    const items = await stripe.paymentLinks.listLineItems(link.id, {}, { stripeAccount: accountId });
    assert.equal(items.data[0]?.price?.id, price.id);
    const inactive = await stripe.paymentLinks.update(
      link.id,
      { active: false },
      { stripeAccount: accountId },
    );
    assert.equal(inactive.active, false);
    assert.deepEqual(
      (await stripe.paymentLinks.list({ active: true }, { stripeAccount: accountId })).data.map((l) => l.id),
      [percent.id],
    );
    assert.equal((await fetch(link.url)).status, 404);
    await assert.rejects(
      stripe.paymentLinks.create({ line_items: [{ price: 'price_missing', quantity: 1 }] }),
      {
        code: 'resource_missing',
        param: 'line_items[0][price]',
      },
    );
  });
});
