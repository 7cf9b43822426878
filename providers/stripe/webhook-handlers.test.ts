/**
 * Stripe's webhooks move records at once (webhooks/handlers/), driven by the Stripe emulator: a
 * connected account's invoices, checkout sessions, refunds and deauthorization, acted on with
 * the official SDK, reach the engine's intake through the platform's Connect endpoint, signed by
 * the emulator. The emulator's clock is the engine's (shifted together), so a delivery retried
 * ten minutes later still carries a fresh signature — which is how a `finalized` arrives after
 * `paid` here. A host endpoint receives `invoice.paid` signed the Standard Webhooks way. An
 * own-key connection (`stripe-api-key`, which runs Stripe's scripts) gets the same handlers
 * through the endpoint the engine registers for it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from '../../sandbox/stripe/server.ts';
import { sdk } from '../../sandbox/stripe/test-client.ts';
import { stripeSignatureHeader } from '../../sandbox/stripe/webhook-signature.ts';
import {
  type LibraryEngine,
  ShiftedClock,
  startLibraryEngine,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from '../../test/support/library-engine.ts';

interface EventBody {
  id: string;
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: event data is read loosely and asserted field by field
  data: Record<string, any>;
}

describe('Stripe webhook handlers against the emulator', () => {
  const clock = new ShiftedClock();
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let harness: LibraryEngine;
  let receiver: WebhookReceiver;
  let hostSecret: string;
  let endpointSecret: string;
  let accountId: string;
  let connectionId: string;
  let intake: string;
  const onAccount = () => ({ stripeAccount: accountId });

  before(async () => {
    sandbox = await startStripeSandbox({ clock, rateLimit: false, webhookDelivery: { automatic: false } });
    stripe = sdk(sandbox);
    receiver = await startWebhookReceiver();
    harness = await startLibraryEngine({ clock, config: { apiRateLimit: 1_000_000 } });
    const integration = await harness.call('POST', '/v1/integrations', {
      provider: 'stripe',
      clientId: sandbox.platform.clientId,
      clientSecret: sandbox.platform.secretKey,
      settings: { baseUrls: { '*': sandbox.url } },
    });
    assert.equal(integration.status, 201, integration.text);
    // The platform's Connect endpoint, registered at Stripe with the intake URL; its secret
    // becomes the integration's webhook secret.
    const url = await harness.call('GET', '/v1/integrations/stripe/webhook-url');
    intake = `${harness.baseUrl}${new URL(url.body.url).pathname}`;
    const connect = await stripe.webhookEndpoints.create({
      url: intake,
      enabled_events: ['*'],
      connect: true,
    });
    endpointSecret = String(connect.secret);
    const secret = await harness.call('PATCH', '/v1/integrations/stripe', { webhookSecret: endpointSecret });
    assert.equal(secret.status, 200, secret.text);
    ({ accountId } = sandbox.control.connectAccount({ email: 'seller@example.com' }));
    const environment = await harness.call('GET', '/v1/environment');
    // Library mode: the connection as the Connect OAuth callback stores it (`stripe_user_id`).
    const connection = await harness.engine.services.providers.connections.save(environment.body.id, {
      integrationId: integration.body.id,
      endUser: { id: 'seller-1', email: null, organization: null },
      credentials: { type: 'oauth2', accessToken: 'unused: calls use the platform key' },
      connectionConfig: {},
      metadata: { stripeAccountId: accountId },
    });
    connectionId = connection.id;
    // The new connection starts its syncs: let their first runs end before the tests make objects,
    // so every record change the tests see is a webhook handler's, never a listing's.
    for (const sync of ['customers', 'products', 'invoices', 'payments', 'subscriptions']) {
      await waitFor(`the first ${sync} run`, async () => {
        const runs = await harness.call(
          'GET',
          `/v1/sync-runs?connectionId=${connectionId}&sync=${sync}&limit=1`,
        );
        return ['succeeded', 'failed'].includes(runs.body.data?.[0]?.status) ? true : undefined;
      });
    }
    const endpoint = await harness.call('POST', '/v1/endpoints', {
      url: receiver.url,
      eventTypes: ['invoice.paid'],
    });
    assert.equal(endpoint.status, 201, endpoint.text);
    hostSecret = endpoint.body.secret;
  });

  after(async () => {
    await harness?.stop();
    await sandbox?.close();
    await receiver?.close();
  });

  /** Sends the emulator's due deliveries; every one must have been answered 200 unless `failing`. */
  async function deliver(): Promise<void> {
    const sent = await sandbox.control.deliverPending();
    for (const delivery of sent) {
      const last = delivery.attempts.at(-1);
      assert.equal(last?.status, 200, `${delivery.event.type} answered ${last?.status}`);
    }
  }

  async function settled(): Promise<void> {
    await waitFor('inbound events to be processed', async () => {
      const answer = await harness.call('GET', '/v1/inbound-events?status=received&limit=1');
      return answer.body.data.length === 0 ? true : undefined;
    });
  }

  async function events(type: string): Promise<EventBody[]> {
    const answer = await harness.call('GET', `/v1/events?type=${type}&limit=200`);
    assert.equal(answer.status, 200, answer.text);
    return answer.body.data as EventBody[];
  }

  async function record(model: string, id: string) {
    const answer = await harness.call(
      'GET',
      `/v1/records?connectionId=${connectionId}&model=${model}&limit=200`,
    );
    assert.equal(answer.status, 200, answer.text);
    return (answer.body.data as Array<{ id: string; data: Record<string, unknown> }>).find((r) => r.id === id)
      ?.data;
  }

  async function openInvoice(buyerId: string): Promise<{ invoice: Stripe.Invoice; customer: string }> {
    const customer = await stripe.customers.create({ email: `${buyerId}@example.com` }, onAccount());
    await stripe.invoiceItems.create(
      { customer: customer.id, amount: 4200, currency: 'usd', description: 'Blue mug' },
      onAccount(),
    );
    const invoice = await stripe.invoices.create(
      {
        customer: customer.id,
        collection_method: 'send_invoice',
        days_until_due: 7,
        pending_invoice_items_behavior: 'include',
        metadata: { buyerId, rollupId: 'show_2026_12_06' },
      },
      onAccount(),
    );
    return {
      invoice: await stripe.invoices.finalizeInvoice(invoice.id, {}, onAccount()),
      customer: customer.id,
    };
  }

  it('finalized, sent, paid: the record follows at once and each typed event carries the metadata', async () => {
    const { invoice } = await openInvoice('buyer_1');
    await deliver();
    await settled();
    assert.equal((await record('invoices', invoice.id))?.status, 'open');
    const [finalized] = (await events('invoice.finalized')).filter((e) => e.data.invoiceId === invoice.id);
    assert.equal(finalized?.data.connectionId, connectionId);
    assert.equal(finalized?.data.url, invoice.hosted_invoice_url);
    assert.deepEqual(finalized?.data.metadata, { buyerId: 'buyer_1', rollupId: 'show_2026_12_06' });

    await stripe.invoices.sendInvoice(invoice.id, {}, onAccount());
    await deliver();
    await settled();
    assert.equal((await events('invoice.sent')).filter((e) => e.data.invoiceId === invoice.id).length, 1);

    await stripe.invoices.pay(invoice.id, {}, onAccount());
    await deliver();
    await settled();
    const stored = await record('invoices', invoice.id);
    assert.equal(stored?.status, 'paid');
    assert.equal(stored?.amountPaid, 4200);
    assert.equal(stored?.hostedUrl, invoice.hosted_invoice_url);
    const [paid] = (await events('invoice.paid')).filter((e) => e.data.invoiceId === invoice.id);
    assert.equal(paid?.data.status, 'paid');
    assert.equal(paid?.data.amount, 4200);
    assert.deepEqual(paid?.data.metadata, { buyerId: 'buyer_1', rollupId: 'show_2026_12_06' });
    assert.match(paid?.data.paidAt, /^\d{4}-/);
    const changed = (await events('records.changed')).filter((e) => e.data.model === 'invoices');
    assert.ok(changed.every((e) => e.data.webhookHandler === 'invoices' && e.data.sync === null));

    // The host's endpoint gets it, signed the Standard Webhooks way.
    const delivery = await waitFor('invoice.paid at the host endpoint', () =>
      receiver.received.find((r) => JSON.parse(r.body).data?.invoiceId === invoice.id),
    );
    const verified = new Webhook(hostSecret).verify(delivery.body, delivery.headers) as EventBody;
    assert.equal(verified.type, 'invoice.paid');
    assert.equal(verified.data.metadata.buyerId, 'buyer_1');
  });

  it('a finalized delivered after paid leaves the invoice paid and emits nothing', async () => {
    // The intake refuses while its secret is wrong, so the emulator keeps the finalized pending.
    const wrong = await harness.call('PATCH', '/v1/integrations/stripe', { webhookSecret: 'whsec_wrong' });
    assert.equal(wrong.status, 200, wrong.text);
    const { invoice } = await openInvoice('buyer_2');
    const refused = await sandbox.control.deliverPending();
    assert.ok(refused.some((d) => d.event.type === 'invoice.finalized' && d.attempts.at(-1)?.status === 401));
    const fixed = await harness.call('PATCH', '/v1/integrations/stripe', { webhookSecret: endpointSecret });
    assert.equal(fixed.status, 200, fixed.text);

    await stripe.invoices.pay(invoice.id, {}, onAccount());
    const paidNow = (await sandbox.control.deliverPending()).filter((d) => d.attempts.length === 1);
    assert.ok(paidNow.some((d) => d.event.type === 'invoice.paid'));
    await settled();
    assert.equal((await record('invoices', invoice.id))?.status, 'paid');

    clock.offset += 600_000;
    const late = await sandbox.control.deliverPending();
    const finalized = late.find((d) => d.event.type === 'invoice.finalized');
    assert.deepEqual(
      finalized?.attempts.map((a) => a.status),
      [401, 200],
    );
    await settled();
    assert.equal((await record('invoices', invoice.id))?.status, 'paid');
    assert.equal(
      (await events('invoice.finalized')).filter((e) => e.data.invoiceId === invoice.id).length,
      0,
    );
    assert.equal((await events('invoice.paid')).filter((e) => e.data.invoiceId === invoice.id).length, 1);
  });

  it('subscription events move the record; a late one cannot bring a canceled subscription back', async () => {
    const customer = await stripe.customers.create({ email: 'subscriber@example.com' }, onAccount());
    const product = await stripe.products.create({ name: 'Seller Pro' }, onAccount());
    const price = await stripe.prices.create(
      { product: product.id, currency: 'usd', unit_amount: 2900, recurring: { interval: 'month' } },
      onAccount(),
    );
    const created = await stripe.subscriptions.create(
      { customer: customer.id, items: [{ price: price.id }], metadata: { sellerId: 'seller_9' } },
      onAccount(),
    );
    await deliver();
    await settled();
    const active = await record('subscriptions', created.id);
    assert.equal(active?.status, 'active');
    assert.deepEqual(active?.metadata, { sellerId: 'seller_9' });
    assert.equal((active?.items as Array<{ priceId: string }> | undefined)?.[0]?.priceId, price.id);

    await stripe.subscriptions.cancel(created.id, {}, onAccount());
    await deliver();
    await settled();
    assert.equal((await record('subscriptions', created.id))?.status, 'canceled');

    // An `updated` from before the cancellation, delivered after it (a new event id).
    const late = JSON.stringify({
      id: 'evt_late_subscription_1',
      object: 'event',
      type: 'customer.subscription.updated',
      created: created.created,
      account: accountId,
      data: { object: created },
    });
    const response = await fetch(intake, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripeSignatureHeader(late, endpointSecret, Math.floor(clock.now() / 1000)),
      },
      body: late,
    });
    assert.equal(response.status, 200);
    await settled();
    assert.equal((await record('subscriptions', created.id))?.status, 'canceled');
  });

  it('a redelivered event (same id, signed again) is a duplicate: no second event', async () => {
    const [paid] = await events('invoice.paid');
    const original = sandbox.control.webhookDeliveries.find(
      (d) =>
        d.event.type === 'invoice.paid' && (d.event.object as { id: string }).id === paid?.data.invoiceId,
    );
    assert.ok(original);
    // Stripe resends an event as it was: the same id (here read back from the events API).
    const body = JSON.stringify(await stripe.events.retrieve(original.event.id, {}, onAccount()));
    const response = await fetch(intake, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripeSignatureHeader(body, endpointSecret, Math.floor(clock.now() / 1000)),
      },
      body,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { received: true, duplicate: true });
    await settled();
    assert.equal(
      (await events('invoice.paid')).filter((e) => e.data.invoiceId === paid?.data.invoiceId).length,
      1,
    );
  });

  it('an object the handler cannot map is left to the raw event; the event is not failed', async () => {
    const body = JSON.stringify({
      id: 'evt_partial_1',
      object: 'event',
      type: 'invoice.paid',
      created: Math.floor(clock.now() / 1000),
      account: accountId,
      data: { object: { id: 'in_partial', object: 'invoice', status: 'paid' } },
    });
    const response = await fetch(intake, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripeSignatureHeader(body, endpointSecret, Math.floor(clock.now() / 1000)),
      },
      body,
    });
    assert.equal(response.status, 200);
    const { id } = (await response.json()) as { id: string };
    const processed = await waitFor('the event to be processed', async () => {
      const answer = await harness.call('GET', `/v1/inbound-events/${id}`);
      return answer.body.status === 'received' ? undefined : answer.body.status;
    });
    assert.equal(processed, 'processed');
    assert.equal(await record('invoices', 'in_partial'), undefined);
    assert.equal((await events('invoice.paid')).filter((e) => e.data.invoiceId === 'in_partial').length, 0);
    const raw = (await events('inbound.stripe.invoice.paid')).filter((e) => e.data.inboundEventId === id);
    assert.equal(raw.length, 1);
  });

  it('a declined payment, a voided and an uncollectible invoice', async () => {
    const declined = await openInvoice('buyer_3');
    sandbox.control.failPayments(declined.customer);
    await assert.rejects(stripe.invoices.pay(declined.invoice.id, {}, onAccount()), {
      code: 'card_declined',
    });
    const voided = await openInvoice('buyer_4');
    await stripe.invoices.voidInvoice(voided.invoice.id, {}, onAccount());
    const lost = await openInvoice('buyer_5');
    await stripe.invoices.markUncollectible(lost.invoice.id, {}, onAccount());
    await deliver();
    await settled();
    const failed = (await events('invoice.payment_failed')).find(
      (e) => e.data.invoiceId === declined.invoice.id,
    );
    assert.equal(failed?.data.status, 'open');
    assert.equal((await record('invoices', declined.invoice.id))?.status, 'open');
    assert.equal(
      (await events('invoice.voided')).find((e) => e.data.invoiceId === voided.invoice.id)?.data.status,
      'void',
    );
    assert.equal((await record('invoices', voided.invoice.id))?.status, 'void');
    assert.equal(
      (await events('invoice.uncollectible')).find((e) => e.data.invoiceId === lost.invoice.id)?.data.status,
      'uncollectible',
    );
    assert.equal((await record('invoices', lost.invoice.id))?.status, 'uncollectible');
  });

  it('a completed checkout with a platform fee, then its refund', async () => {
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        success_url: 'https://shop.example/thanks',
        line_items: [
          { quantity: 2, price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Tote' } } },
        ],
        payment_intent_data: { application_fee_amount: 250 },
        metadata: { orderId: 'order_9' },
      },
      onAccount(),
    );
    sandbox.control.completeCheckoutSession(session.id, { email: 'buyer6@example.com' });
    await deliver();
    await settled();
    const [completed] = (await events('checkout.completed')).filter((e) => e.data.checkoutId === session.id);
    assert.equal(completed?.data.amount, 5000);
    assert.equal(completed?.data.currency, 'usd');
    assert.equal(completed?.data.customerEmail, 'buyer6@example.com');
    assert.deepEqual(completed?.data.metadata, { orderId: 'order_9' });
    assert.match(completed?.data.paymentId, /^pi_/);

    const refund = await stripe.refunds.create(
      { payment_intent: completed?.data.paymentId, refund_application_fee: true },
      onAccount(),
    );
    await deliver();
    await settled();
    const chargeId = String(refund.charge);
    const [refunded] = (await events('payment.refunded')).filter((e) => e.data.paymentId === chargeId);
    assert.deepEqual(
      [refunded?.data.amount, refunded?.data.amountRefunded, refunded?.data.fullyRefunded],
      [5000, 5000, true],
    );
    const payment = await record('payments', chargeId);
    assert.equal(payment?.status, 'refunded');
    assert.equal(payment?.applicationFeeAmount, 250);
  });

  it('the account deauthorizes the platform: the connection is disconnected', async () => {
    assert.equal(sandbox.control.disconnectAccount(accountId), true);
    await deliver();
    await settled();
    const connection = await harness.call('GET', `/v1/connections/${connectionId}`);
    assert.equal(connection.body.status, 'disconnected');
    assert.equal(connection.body.lastError.code, 'access_revoked');
    const reauth = (await events('connection.reauth_required')).filter(
      (e) => e.data.connectionId === connectionId,
    );
    assert.equal(reauth.length, 1);
  });
});

describe('Stripe webhook handlers for own-key connections (stripe-api-key)', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let harness: LibraryEngine;

  before(async () => {
    sandbox = await startStripeSandbox({ rateLimit: false });
    stripe = sdk(sandbox);
    harness = await startLibraryEngine({ config: { apiRateLimit: 1_000_000 } });
  });

  after(async () => {
    await harness?.stop();
    await sandbox?.close();
  });

  it('the variant runs Stripe’s handlers: a paid invoice moves the record and emits invoice.paid', async () => {
    const integration = await harness.call('POST', '/v1/integrations', {
      provider: 'stripe-api-key',
      settings: { baseUrls: { '*': sandbox.url } },
    });
    assert.equal(integration.status, 201, integration.text);
    const session = await harness.call('POST', '/v1/connect/sessions', { endUser: { id: 'merchant-9' } });
    const connected = await harness.call(
      'POST',
      '/connect/api/credentials',
      { integration: 'stripe-api-key', values: { secretKey: sandbox.platform.secretKey } },
      { authorization: `Bearer ${session.body.token}` },
    );
    assert.equal(connected.status, 200, connected.text);
    const connectionId = connected.body.connectionId as string;
    // The engine registers the connection's own endpoint at Stripe (webhooks/subscriptions.ts).
    await waitFor('the endpoint to be registered', async () => {
      const answer = await harness.call('GET', `/v1/connections/${connectionId}/webhook-subscriptions`);
      return answer.body.status === 'registered' ? true : undefined;
    });

    const customer = await stripe.customers.create({ email: 'own@example.com' });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 1500, currency: 'usd' });
    const draft = await stripe.invoices.create({
      customer: customer.id,
      collection_method: 'send_invoice',
      days_until_due: 7,
      pending_invoice_items_behavior: 'include',
      metadata: { buyerId: 'buyer_own' },
    });
    await stripe.invoices.finalizeInvoice(draft.id);
    await stripe.invoices.pay(draft.id);
    await sandbox.control.deliverPending();

    const paid = await waitFor('invoice.paid for the own-key connection', async () => {
      const answer = await harness.call('GET', '/v1/events?type=invoice.paid');
      return (answer.body.data as EventBody[]).find((e) => e.data.invoiceId === draft.id);
    });
    assert.equal(paid.data.connectionId, connectionId);
    assert.equal(paid.data.provider, 'stripe-api-key');
    assert.deepEqual(paid.data.metadata, { buyerId: 'buyer_own' });
    const records = await harness.call('GET', `/v1/records?connectionId=${connectionId}&model=invoices`);
    const stored = (records.body.data as Array<{ id: string; data: { status: string } }>).find(
      (r) => r.id === draft.id,
    );
    assert.equal(stored?.data.status, 'paid');
  });
});
