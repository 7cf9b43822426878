/**
 * Issue 16's platform-fee flow against the Stripe emulator, through the engine: a checkout
 * session on the connected account with the platform's fee → the buyer pays → the payment and the
 * platform's application fee show it; a refund with `refund_application_fee` gives the fee back.
 * A payment link with a percentage fee takes that share of what the buyer pays.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StripeWorld, startStripeWorld } from '../support/stripe-world.ts';

describe('Stripe: the platform fee on a connected account', { timeout: 60_000 }, () => {
  let world: StripeWorld;
  before(async () => {
    world = await startStripeWorld();
  });
  after(() => world?.close());

  it('checkout with an application fee, paid, then refunded with the fee', async () => {
    const created = await world.run('create-checkout-session', {
      lines: [{ title: 'Coaching call', unitAmount: 12_000, currency: 'usd', quantity: 1 }],
      successUrl: 'https://merchant.example/thanks',
      applicationFee: { amount: 600 },
    });
    assert.equal(created.body.status, 'succeeded', created.text);
    const session = created.body.output;
    assert.match(session.sessionId, /^cs_test_/);
    assert.ok(session.url.startsWith(world.stripe.url), session.url);
    assert.deepEqual([session.amountTotal, session.applicationFeeAmount], [12_000, 600]);

    const paid = world.stripe.control.completeCheckoutSession(session.sessionId, {
      email: 'buyer@example.com',
    });
    assert.equal(paid.payment_status, 'paid');
    const on = { stripeAccount: world.accountId };
    const intent = await world.sdk.paymentIntents.retrieve(paid.payment_intent as string, {}, on);
    assert.equal(intent.application_fee_amount, 600);
    const charge = await world.sdk.charges.retrieve(intent.latest_charge as string, {}, on);
    assert.equal(charge.application_fee_amount, 600);
    // The fee lives in the platform's account, naming the connected one.
    const fees = await world.sdk.applicationFees.list({ limit: 10 });
    assert.equal(fees.data.length, 1);
    const fee = fees.data[0]!;
    assert.equal(fee.amount, 600);
    assert.equal(typeof fee.account === 'string' ? fee.account : fee.account.id, world.accountId);
    assert.equal(fee.amount_refunded, 0);

    const refund = await world.run('refund-payment', {
      paymentIntentId: intent.id,
      refundApplicationFee: true,
    });
    assert.equal(refund.body.status, 'succeeded', refund.text);
    assert.deepEqual(
      [refund.body.output.amount, refund.body.output.paymentIntentId, refund.body.output.chargeId],
      [12_000, intent.id, charge.id],
    );
    const refundedFee = await world.sdk.applicationFees.retrieve(fee.id);
    assert.equal(refundedFee.amount_refunded, 600, 'the platform gave its whole fee back');
    assert.equal(refundedFee.refunded, true);
    const refundedCharge = await world.sdk.charges.retrieve(charge.id, {}, on);
    assert.equal(refundedCharge.amount_refunded, 12_000);

    // Refunding again is Stripe's refusal, with its code, as the run's error.
    const again = await world.run('refund-payment', { paymentIntentId: intent.id });
    assert.equal(again.body.status, 'failed');
    assert.equal(again.body.error.code, 'provider_error');
    assert.equal(again.body.error.details.code, 'charge_already_refunded');
    assert.equal(again.body.error.details.status, 400);
  });

  it('payment link with a percentage fee', async () => {
    const created = await world.run('create-payment-link', {
      lines: [{ title: 'Template pack', unitAmount: 2_500, currency: 'usd', quantity: 2 }],
      applicationFee: { percent: 10 },
    });
    assert.equal(created.body.status, 'succeeded', created.text);
    const link = created.body.output;
    assert.equal(link.applicationFeePercent, 10);
    const session = world.stripe.control.completePaymentLink(link.paymentLinkId);
    const intent = await world.sdk.paymentIntents.retrieve(
      session.payment_intent as string,
      {},
      {
        stripeAccount: world.accountId,
      },
    );
    assert.equal(intent.amount, 5_000);
    assert.equal(intent.application_fee_amount, 500);
  });

  it('a percentage fee on lines priced by Price id is refused before anything is sent', async () => {
    const requests = world.stripe.stats.requests;
    const refused = await world.run('create-checkout-session', {
      lines: [{ priceId: 'price_1', quantity: 1 }],
      successUrl: 'https://merchant.example/thanks',
      applicationFee: { percent: 10 },
    });
    assert.equal(refused.status, 200);
    assert.equal(refused.body.status, 'failed');
    assert.equal(refused.body.error.code, 'action_input_invalid');
    assert.equal(world.stripe.stats.requests, requests, 'nothing reached Stripe');
  });
});
