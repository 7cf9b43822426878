/**
 * Contract with the official SDK, part 5: webhook endpoints, the events API, and deliveries that
 * `stripe.webhooks.constructEvent` accepts — to the account's own endpoints and, for connected
 * accounts, to the platform's Connect endpoints — retried by the emulator clock until they
 * succeed or the schedule runs out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from './server.ts';
import { ManualClock, type Received, type Receiver, sdk, startReceiver } from './test-client.ts';

const T0 = Date.UTC(2026, 5, 1);

function verify(stripe: Stripe, delivery: Received | undefined, secret: string, now: number): Stripe.Event {
  assert.ok(delivery, 'a delivery was received');
  return stripe.webhooks.constructEvent(
    delivery.body,
    String(delivery.headers['stripe-signature']),
    secret,
    300,
    undefined,
    now,
  );
}

describe('contract: webhook endpoints and deliveries', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let receiver: Receiver;
  const clock = new ManualClock(T0);

  before(async () => {
    sandbox = await startStripeSandbox({ clock, rateLimit: false });
    stripe = sdk(sandbox);
    receiver = await startReceiver();
  });
  after(async () => {
    await sandbox.close();
    await receiver.close();
  });

  it('manages endpoints; the secret is shown only when created', async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: 'https://hooks.example/stripe',
      enabled_events: ['invoice.paid'],
      description: 'billing',
      metadata: { env: 'test' },
    });
    assert.match(endpoint.id, /^we_/);
    assert.match(String(endpoint.secret), /^whsec_/);
    assert.equal(endpoint.status, 'enabled');
    const fetched = await stripe.webhookEndpoints.retrieve(endpoint.id);
    assert.equal(fetched.secret, undefined);
    const updated = await stripe.webhookEndpoints.update(endpoint.id, {
      enabled_events: ['invoice.paid', 'invoice.voided'],
      disabled: true,
      url: 'https://hooks.example/v2',
    });
    assert.deepEqual(updated.enabled_events, ['invoice.paid', 'invoice.voided']);
    assert.equal(updated.status, 'disabled');
    assert.equal(updated.url, 'https://hooks.example/v2');
    assert.deepEqual(
      (await stripe.webhookEndpoints.list()).data.map((e) => e.id),
      [endpoint.id],
    );
    assert.equal((await stripe.webhookEndpoints.del(endpoint.id)).deleted, true);
    await assert.rejects(stripe.webhookEndpoints.create({ url: 'ftp://x', enabled_events: ['*'] }), {
      param: 'url',
    });
    await assert.rejects(
      stripe.webhookEndpoints.create({
        url: 'https://x.example',
        enabled_events: ['Not An Event' as Stripe.WebhookEndpointCreateParams.EnabledEvent],
      }),
      {
        param: 'enabled_events[0]',
      },
    );
  });

  it('delivers signed events that constructEvent accepts, only of the types enabled', async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: receiver.url,
      enabled_events: ['customer.created', 'customer.updated'],
    });
    const customer = await stripe.customers.create({ email: 'hook@example.com', metadata: { a: '1' } });
    await stripe.products.create({ name: 'not subscribed' });
    await stripe.customers.update(customer.id, { email: 'hook2@example.com', metadata: { a: '', b: '2' } });
    await sandbox.control.deliverPending();
    assert.equal(receiver.received.length, 2);
    const types = receiver.received
      .map((d) => verify(stripe, d, String(endpoint.secret), clock.now()).type)
      .sort();
    assert.deepEqual(types, ['customer.created', 'customer.updated']);
    const updated = receiver.received
      .map((d) => verify(stripe, d, String(endpoint.secret), clock.now()))
      .find((event) => event.type === 'customer.updated');
    assert.equal((updated?.data.object as Stripe.Customer | undefined)?.email, 'hook2@example.com');
    assert.deepEqual(updated?.data.previous_attributes, {
      email: 'hook@example.com',
      metadata: { a: '1', b: null },
    });
    assert.equal(updated?.request?.id?.startsWith('req_'), true);
    const delivery = receiver.received[0] as Received;
    assert.equal(delivery.headers['content-type'], 'application/json; charset=utf-8');
    assert.match(String(delivery.headers['user-agent']), /^Stripe\/1\.0/);
    assert.match(
      String(delivery.headers['stripe-signature']),
      new RegExp(`^t=${T0 / 1000},v1=[0-9a-f]{64}$`),
    );
    await stripe.webhookEndpoints.del(endpoint.id);
  });

  it('retries failed deliveries on the emulator clock, then gives up', async () => {
    const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    receiver.received.length = 0;
    receiver.respondWith(500, 503);
    const product = await stripe.products.create({ name: 'Retry me' });
    await sandbox.control.deliverPending();
    const [delivery] = sandbox.control.webhookDeliveries.filter((d) => d.endpoint.id === endpoint.id);
    assert.equal(delivery?.attempts.length, 1);
    assert.equal(delivery?.status, 'pending');
    assert.equal((await stripe.events.retrieve(delivery.event.id)).pending_webhooks, 1);
    await sandbox.control.deliverPending();
    assert.equal(delivery?.attempts.length, 1, 'nothing is due before the first retry delay');
    clock.advance(600_000);
    await sandbox.control.deliverPending();
    clock.advance(3_600_000);
    await sandbox.control.deliverPending();
    assert.deepEqual(
      delivery?.attempts.map((attempt) => attempt.status),
      [500, 503, 200],
    );
    assert.equal(delivery?.status, 'delivered');
    assert.equal((await stripe.events.retrieve(delivery.event.id)).pending_webhooks, 0);
    const last = verify(stripe, receiver.received.at(-1), String(endpoint.secret), clock.now());
    assert.equal((last.data.object as Stripe.Product).id, product.id);
    assert.match(
      String(receiver.received.at(-1)?.headers['stripe-signature']),
      new RegExp(`^t=${clock.now() / 1000},`),
    );

    receiver.respondWith(500, 500, 500, 500);
    await stripe.products.create({ name: 'Never delivered' });
    for (const delay of [0, 600, 3600, 10_800]) {
      clock.advance(delay * 1000);
      await sandbox.control.deliverPending();
    }
    const failed = sandbox.control.webhookDeliveries.at(-1);
    assert.equal(failed?.attempts.length, 4);
    assert.equal(failed?.status, 'failed');
    await stripe.webhookEndpoints.del(endpoint.id);
  });

  it("sends connected accounts' events to the platform's Connect endpoints, with account", async () => {
    const { accountId } = sandbox.control.connectAccount();
    const connect = await stripe.webhookEndpoints.create({
      url: receiver.url,
      enabled_events: ['*'],
      connect: true,
    });
    const own = await stripe.webhookEndpoints.create({ url: `${receiver.url}/own`, enabled_events: ['*'] });
    const theirs = await stripe.webhookEndpoints.create(
      { url: `${receiver.url}/theirs`, enabled_events: ['customer.created'] },
      { stripeAccount: accountId },
    );
    receiver.received.length = 0;
    await stripe.customers.create({ email: 'seller-buyer@example.com' }, { stripeAccount: accountId });
    await sandbox.control.deliverPending();
    const byPath = new Map(receiver.received.map((d) => [d.path, d]));
    assert.equal(byPath.has('/webhooks/stripe/own'), false);
    const viaConnect = verify(stripe, byPath.get('/webhooks/stripe'), String(connect.secret), clock.now());
    assert.equal(viaConnect.account, accountId);
    assert.equal(viaConnect.type, 'customer.created');
    const viaOwn = verify(stripe, byPath.get('/webhooks/stripe/theirs'), String(theirs.secret), clock.now());
    assert.equal(viaOwn.id, viaConnect.id);
    await stripe.webhookEndpoints.del(own.id);
  });
});

describe('contract: events', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  const clock = new ManualClock(T0);

  before(async () => {
    sandbox = await startStripeSandbox({ clock, rateLimit: false, webhookDelivery: { automatic: false } });
    stripe = sdk(sandbox);
  });
  after(() => sandbox.close());

  it('lists newest first by type, types[], a * group and created', async () => {
    const customer = await stripe.customers.create({ email: 'e@example.com' });
    clock.advance(10_000);
    await stripe.customers.update(customer.id, { name: 'E' });
    clock.advance(10_000);
    const invoice = await stripe.invoices.create({
      customer: customer.id,
      collection_method: 'send_invoice',
      days_until_due: 1,
    });
    const all = await stripe.events.list();
    assert.deepEqual(
      all.data.map((event) => event.type),
      ['invoice.created', 'customer.updated', 'customer.created'],
    );
    assert.equal(all.data[0]?.api_version, '2026-10-28.endive');
    assert.equal(all.data[0]?.pending_webhooks, 0);
    assert.equal(all.data[0]?.livemode, false);
    assert.equal((all.data[0]?.data.object as Stripe.Invoice | undefined)?.id, invoice.id);
    const byType = async (params: Stripe.EventListParams) =>
      (await stripe.events.list(params)).data.map((event) => event.type);
    assert.deepEqual(await byType({ type: 'customer.*' }), ['customer.updated', 'customer.created']);
    assert.deepEqual(await byType({ types: ['customer.created', 'invoice.created'] }), [
      'invoice.created',
      'customer.created',
    ]);
    assert.deepEqual(await byType({ created: { gte: T0 / 1000 + 10 } }), [
      'invoice.created',
      'customer.updated',
    ]);
    assert.deepEqual(await byType({ created: { lt: T0 / 1000 + 10 } }), ['customer.created']);
    const first = all.data.at(-1) as Stripe.Event;
    assert.equal((await stripe.events.retrieve(first.id)).type, 'customer.created');
    // With automatic delivery off nothing was sent yet.
    assert.equal(sandbox.stats.webhooks.attempts, 0);
  });
});
