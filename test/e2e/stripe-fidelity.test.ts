/**
 * Request fidelity of the Stripe actions: for each action, what it sends to Stripe (recorded by a
 * proxy in front of the emulator) is compared with what the official `stripe` SDK sends for the
 * same operations — method, path, the decoded form body or query, and the headers that matter:
 * Idempotency-Key, Stripe-Account, Stripe-Version, Content-Type. The SDK's POSTs reuse the
 * actions' keys, so the emulator also checks their parameters match (it replays the stored answer
 * for the same parameters and refuses others with idempotency_error).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { decodeForm } from '../../sandbox/stripe/form.ts';
import {
  type RecordedRequest,
  type RecordingProxy,
  startRecordingProxy,
} from '../support/recording-proxy.ts';
import { type StripeWorld, startStripeWorld } from '../support/stripe-world.ts';

function shapeOf(request: RecordedRequest) {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? null);
  };
  return {
    method: request.method,
    path: request.path,
    params: decodeForm(request.method === 'POST' ? request.body : request.query),
    idempotencyKey: header('idempotency-key'),
    stripeAccount: header('stripe-account'),
    stripeVersion: header('stripe-version'),
    contentType: request.method === 'POST' ? header('content-type') : null,
  };
}

describe('Stripe actions send what the official SDK sends', { timeout: 60_000 }, () => {
  let world: StripeWorld;
  let recorder: RecordingProxy;
  let sdk: Stripe;
  let on: { stripeAccount: string };
  /** The Idempotency-Key our actions derive: connection, the host's key, the step. */
  const keyOf = (hostKey: string, step: string) =>
    `patchbay:${world.connectionId}:${encodeURIComponent(`key:${hostKey}`)}:${step}`;

  before(async () => {
    world = await startStripeWorld({
      apiUrl: async (sandbox) => {
        recorder = await startRecordingProxy(sandbox.url);
        return recorder.url;
      },
    });
    sdk = new Stripe(world.stripe.platform.secretKey, {
      host: '127.0.0.1',
      port: recorder.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      telemetry: false,
    });
    on = { stripeAccount: world.accountId };
  });
  after(async () => {
    await world?.close();
    await recorder?.close();
  });

  /** Runs the action, then `viaSdk`; asserts both sent the same requests; answers the run. */
  async function compare(
    action: string,
    input: unknown,
    hostKey: string,
    viaSdk: (output: Record<string, unknown>) => Promise<unknown>,
  ) {
    recorder.clear();
    const run = await world.run(action, input, { idempotencyKey: hostKey });
    assert.equal(run.body.status, 'succeeded', run.text);
    const ours = recorder.requests.map(shapeOf);
    recorder.clear();
    await viaSdk(run.body.output);
    const theirs = recorder.requests.map(shapeOf);
    assert.ok(ours.length > 0);
    assert.deepEqual(ours, theirs);
    return run.body.output as Record<string, unknown>;
  }

  let customerId: string;
  let invoiceId: string;

  it('find-or-create-customer', async () => {
    const output = await compare(
      'find-or-create-customer',
      { email: 'ana@example.com', name: 'Ana Lima', key: { name: 'handle', value: "@ana's" } },
      'fid-customer',
      async () => {
        await sdk.customers.search({ query: "metadata['handle']:'@ana\\'s'", limit: 100 }, on);
        await sdk.customers.list({ email: 'ana@example.com', limit: 100 }, on);
        await sdk.customers.create(
          { email: 'ana@example.com', name: 'Ana Lima', metadata: { handle: "@ana's" } },
          { ...on, idempotencyKey: keyOf('fid-customer', 'customer') },
        );
      },
    );
    assert.equal(output.created, true);
    customerId = output.customerId as string;
  });

  it('create-invoice', async () => {
    const output = await compare(
      'create-invoice',
      {
        customerId,
        lines: [
          { title: 'Vintage mug', quantity: 2, unitAmount: 1500, currency: 'USD' },
          { title: 'Tote bag', quantity: 1, unitAmount: 2250, currency: 'usd' },
        ],
        memo: 'Thanks for the order',
        daysUntilDue: 5,
        metadata: { order: 'o-1' },
      },
      'fid-invoice',
      async (out) => {
        const key = (step: string) => ({ ...on, idempotencyKey: keyOf('fid-invoice', step) });
        const invoice = await sdk.invoices.create(
          {
            customer: customerId,
            currency: 'usd',
            collection_method: 'send_invoice',
            days_until_due: 5,
            description: 'Thanks for the order',
            metadata: { order: 'o-1' },
            auto_advance: false,
            pending_invoice_items_behavior: 'exclude',
          },
          key('invoice'),
        );
        assert.equal(invoice.id, out.invoiceId, 'the emulator replayed the action’s answer');
        for (const [index, [description, quantity, amount]] of [
          ['Vintage mug', 2, '1500'],
          ['Tote bag', 1, '2250'],
        ].entries()) {
          await sdk.invoiceItems.create(
            {
              customer: customerId,
              invoice: invoice.id,
              currency: 'usd',
              description: description as string,
              quantity: quantity as number,
              unit_amount_decimal: Stripe.Decimal.from(amount as string),
              metadata: { patchbay_line: String(index) },
            },
            key(`item:${index}`),
          );
        }
        await sdk.invoices.finalizeInvoice(invoice.id, { auto_advance: false }, key('finalize'));
      },
    );
    assert.equal(output.total, 5250);
    assert.equal(output.status, 'open');
    invoiceId = output.invoiceId as string;
  });

  it('get-invoice, send-invoice and void-invoice', async () => {
    await compare('get-invoice', { invoiceId }, 'fid-get', () => sdk.invoices.retrieve(invoiceId, {}, on));
    await compare('send-invoice', { invoiceId }, 'fid-send', () =>
      sdk.invoices.sendInvoice(invoiceId, {}, { ...on, idempotencyKey: keyOf('fid-send', 'send') }),
    );
    const voided = await compare('void-invoice', { invoiceId }, 'fid-void', () =>
      sdk.invoices.voidInvoice(invoiceId, {}, { ...on, idempotencyKey: keyOf('fid-void', 'void') }),
    );
    assert.equal(voided.status, 'void');
  });

  it('create-checkout-session, create-payment-link and refund-payment (platform fees)', async () => {
    const session = await compare(
      'create-checkout-session',
      {
        lines: [{ title: 'Workshop seat', unitAmount: 4999, currency: 'usd', quantity: 3 }],
        successUrl: 'https://host.example/thanks?session={CHECKOUT_SESSION_ID}',
        customerEmail: 'buyer@example.com',
        applicationFee: { percent: 7.5 },
        metadata: { merchantOrder: 'm-9' },
      },
      'fid-checkout',
      () =>
        sdk.checkout.sessions.create(
          {
            mode: 'payment',
            line_items: [
              {
                price_data: { currency: 'usd', unit_amount: 4999, product_data: { name: 'Workshop seat' } },
                quantity: 3,
              },
            ],
            success_url: 'https://host.example/thanks?session={CHECKOUT_SESSION_ID}',
            customer_email: 'buyer@example.com',
            metadata: { merchantOrder: 'm-9' },
            // 7.5 % of 14,997, rounded half up.
            payment_intent_data: { application_fee_amount: 1125, metadata: { merchantOrder: 'm-9' } },
          },
          { ...on, idempotencyKey: keyOf('fid-checkout', 'checkout-session') },
        ),
    );
    assert.equal(session.applicationFeeAmount, 1125);

    await compare(
      'create-payment-link',
      {
        lines: [{ title: 'E-book', unitAmount: 1200, currency: 'eur', quantity: 1 }],
        applicationFee: { percent: 5 },
        redirectUrl: 'https://host.example/done',
      },
      'fid-link',
      async (out) => {
        const price = await sdk.prices.create(
          { currency: 'eur', unit_amount: 1200, product_data: { name: 'E-book' } },
          { ...on, idempotencyKey: keyOf('fid-link', 'price:0') },
        );
        const link = await sdk.paymentLinks.create(
          {
            line_items: [{ price: price.id, quantity: 1 }],
            application_fee_percent: 5,
            after_completion: { type: 'redirect', redirect: { url: 'https://host.example/done' } },
          },
          { ...on, idempotencyKey: keyOf('fid-link', 'payment-link') },
        );
        assert.equal(link.id, out.paymentLinkId);
      },
    );

    const paid = world.stripe.control.completeCheckoutSession(session.sessionId as string);
    const paymentIntent = paid.payment_intent as string;
    await compare(
      'refund-payment',
      {
        paymentIntentId: paymentIntent,
        amount: 4999,
        refundApplicationFee: true,
        reason: 'requested_by_customer',
      },
      'fid-refund',
      () =>
        sdk.refunds.create(
          {
            payment_intent: paymentIntent,
            amount: 4999,
            reason: 'requested_by_customer',
            refund_application_fee: true,
          },
          { ...on, idempotencyKey: keyOf('fid-refund', 'refund') },
        ),
    );
  });

  it('create-invoices-from-rollup', async () => {
    const buyer = {
      buyerId: 'b-1',
      handle: '@bo',
      email: 'bo@example.com',
      items: [{ title: 'Lot 7', quantity: 1, unitAmount: 800, currency: 'usd' }],
    };
    const rollupKey = (step: string) => ({
      ...on,
      idempotencyKey: `patchbay:${world.connectionId}:rollup:live-3:b-1:${step}`,
    });
    await compare(
      'create-invoices-from-rollup',
      { rollupId: 'live-3', buyers: [buyer], options: { daysUntilDue: 2 } },
      'fid-rollup',
      async (out) => {
        const runId = (await world.engine.call('GET', `/v1/action-runs?action=create-invoices-from-rollup`))
          .body.data[0].id as string;
        await sdk.invoices.search({ query: "metadata['rollupId']:'live-3'", limit: 100 }, on);
        await sdk.customers.search({ query: "metadata['handle']:'@bo'", limit: 100 }, on);
        await sdk.customers.list({ email: 'bo@example.com', limit: 100 }, on);
        const customer = await sdk.customers.create(
          { email: 'bo@example.com', metadata: { buyerId: 'b-1', handle: '@bo' } },
          { ...on, idempotencyKey: `patchbay:${world.connectionId}:customer:%40bo:bo%40example.com::create` },
        );
        const invoice = await sdk.invoices.create(
          {
            customer: customer.id,
            currency: 'usd',
            collection_method: 'send_invoice',
            days_until_due: 2,
            metadata: { rollupId: 'live-3', buyerId: 'b-1', handle: '@bo', patchbayRunId: runId },
            auto_advance: false,
            pending_invoice_items_behavior: 'exclude',
          },
          rollupKey('invoice'),
        );
        await sdk.invoiceItems.create(
          {
            customer: customer.id,
            invoice: invoice.id,
            currency: 'usd',
            description: 'Lot 7',
            quantity: 1,
            unit_amount_decimal: Stripe.Decimal.from('800'),
            metadata: { patchbay_line: '0' },
          },
          rollupKey('item:0'),
        );
        await sdk.invoices.finalizeInvoice(invoice.id, { auto_advance: false }, rollupKey('finalize'));
        assert.equal(invoice.id, (out.buyers as Array<{ invoiceId: string }>)[0]!.invoiceId);
      },
    );
  });
});
