/**
 * Issue 17 §4 end to end: a seller's plan follows their subscription to the host, through the
 * live-selling world (the engine in this process, the Stripe emulator, its Connect webhooks).
 * The host bills sellers from the Stripe account connected as its own operator end user; a rule
 * maps the Pro price to the `pro` plan for the end user named in the subscription's metadata
 * (what Checkout's `subscription_data.metadata` carries), and falls back to `free`.
 *
 * The seller subscribes → `customer.subscription.created` reaches the engine signed by the
 * emulator → the record is written → the seller is on Pro, Stripe unlocked. The subscription is
 * canceled at the emulator → `customer.subscription.deleted` → the seller falls to Free →
 * `end_user.plan_changed` (source `subscription`) arrives at the host's endpoint, verified the
 * Standard Webhooks way → the entitlements' integration states (what the hub's tiles read) show
 * Stripe locked, naming Pro as the plan that allows it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type Stripe from 'stripe';
import { startWebhookReceiver, type WebhookReceiver, waitFor } from '../support/library-engine.ts';
import { type StripeWorld, startStripeWorld } from '../support/stripe-world.ts';

const SELLER = 'seller-7';

describe('plan from a subscription: canceled at Stripe, locked in the hub', { timeout: 120_000 }, () => {
  let world: StripeWorld;
  let receiver: WebhookReceiver;
  let hostSecret: string;
  let envId: string;
  let proPrice: Stripe.Price;
  let subscription: Stripe.Subscription;

  before(async () => {
    world = await startStripeWorld({ sandbox: { webhookDelivery: { automatic: false } } });
    receiver = await startWebhookReceiver();
    const engine = world.engine;
    envId = (await engine.call('GET', '/v1/environment')).body.id;
    // The platform's Connect endpoint at Stripe, pointed at the engine's intake.
    const url = await engine.call('GET', '/v1/integrations/stripe/webhook-url');
    const connect = await world.sdk.webhookEndpoints.create({
      url: `${engine.baseUrl}${new URL(url.body.url).pathname}`,
      enabled_events: ['*'],
      connect: true,
    });
    const patched = await engine.call('PATCH', '/v1/integrations/stripe', {
      webhookSecret: String(connect.secret),
    });
    assert.equal(patched.status, 200, patched.text);
    const endpoint = await engine.call('POST', '/v1/endpoints', {
      url: receiver.url,
      eventTypes: ['end_user.plan_changed', 'connection.paused'],
    });
    assert.equal(endpoint.status, 201, endpoint.text);
    hostSecret = endpoint.body.secret;

    // The host's operator (whose connection is the billing account) is on a plan of its own
    // before Free becomes everyone else's default.
    const billingOwner = (await engine.call('GET', `/v1/connections/${world.connectionId}`)).body.endUser.id;
    const plans = [
      { key: 'operator', name: 'Operator', rank: 100 },
      { key: 'free', name: 'Free', rank: 0, default: true, integrations: { keys: [] } },
      { key: 'pro', name: 'Pro', rank: 10, limits: { perCategory: { payments: 1 } } },
    ];
    assert.equal((await engine.call('POST', '/v1/plans', plans[0])).status, 201);
    // Recorded when it connected: this sets its plan (200).
    const owner = await engine.call('PATCH', `/v1/end-users/${billingOwner}`, { planKey: 'operator' });
    assert.equal(owner.status, 200, owner.text);
    for (const plan of plans.slice(1))
      assert.equal((await engine.call('POST', '/v1/plans', plan)).status, 201);

    const product = await world.sdk.products.create({ name: 'Live Assist Pro' }, world.on);
    proPrice = await world.sdk.prices.create(
      { product: product.id, currency: 'usd', unit_amount: 2900, recurring: { interval: 'month' } },
      world.on,
    );
    const rule = await engine.call('POST', '/v1/subscription-rules', {
      key: 'live-selling-billing',
      integrationKey: 'stripe',
      endUser: { from: 'metadata', key: 'patchbayEndUserId' },
      activeStatuses: ['active', 'trialing', 'past_due'],
      plans: [{ planKey: 'pro', path: 'items.priceId', values: [proPrice.id] }],
      fallbackPlanKey: 'free',
    });
    assert.equal(rule.status, 201, rule.text);
  });

  after(async () => {
    await world?.close();
    await receiver?.close();
  });

  /** Deliveries of `type` at the host's endpoint, each verified with its Standard Webhooks signature. */
  function delivered(type: string): Array<Record<string, unknown>> {
    return receiver.received
      .map(
        (request) =>
          new Webhook(hostSecret).verify(request.body, request.headers) as {
            type: string;
            data: Record<string, unknown>;
          },
      )
      .filter((message) => message.type === type)
      .map((message) => message.data);
  }

  async function deliverStripe(): Promise<void> {
    for (const delivery of await world.stripe.control.deliverPending()) {
      assert.equal(delivery.attempts.at(-1)?.status, 200, `${delivery.event.type} was not accepted`);
    }
  }

  const planOf = async () => (await world.engine.call('GET', `/v1/end-users/${SELLER}`)).body.planKey;
  const stripeLock = async () => {
    const states = await world.engine.engine.services.plans.entitlements.integrationStates(envId, SELLER);
    const stripe = states.find((state) => state.integrationKey === 'stripe');
    assert.ok(stripe, JSON.stringify(states));
    return stripe.lock;
  };

  it('a new Pro subscription puts the seller on Pro and unlocks Stripe', async () => {
    assert.equal((await stripeLock())?.code, 'plan_upgrade_required', 'Free locks Stripe at first');
    const customer = await world.sdk.customers.create(
      { email: 'seller7@example.com', metadata: { patchbayEndUserId: SELLER } },
      world.on,
    );
    subscription = await world.sdk.subscriptions.create(
      { customer: customer.id, items: [{ price: proPrice.id }], metadata: { patchbayEndUserId: SELLER } },
      world.on,
    );
    assert.equal(subscription.status, 'active');
    await deliverStripe();
    await waitFor('the seller on Pro', async () => ((await planOf()) === 'pro' ? true : undefined), 30_000);
    const change = await waitFor('end_user.plan_changed to Pro at the host', () =>
      delivered('end_user.plan_changed').find((data) => data.to === 'pro'),
    );
    assert.deepEqual(change, {
      endUserId: SELLER,
      from: null,
      to: 'pro',
      source: 'subscription',
      subscription: {
        ruleKey: 'live-selling-billing',
        integrationKey: 'stripe',
        subscriptionId: subscription.id,
        status: 'active',
      },
    });
    assert.equal(await stripeLock(), null);
    const session = await world.engine.call('POST', '/v1/connect/sessions', {
      endUser: { id: SELLER },
      allowedIntegrations: ['stripe'],
    });
    assert.equal(session.status, 201, session.text);
  });

  it('canceled at Stripe: the seller falls to Free, the host is told, Stripe is locked again', async () => {
    const canceled = await world.sdk.subscriptions.cancel(subscription.id, {}, world.on);
    assert.equal(canceled.status, 'canceled');
    await deliverStripe();
    const change = await waitFor(
      'end_user.plan_changed to Free at the host',
      () => delivered('end_user.plan_changed').find((data) => data.to === 'free'),
      30_000,
    );
    assert.deepEqual(change, {
      endUserId: SELLER,
      from: 'pro',
      to: 'free',
      source: 'subscription',
      subscription: {
        ruleKey: 'live-selling-billing',
        integrationKey: 'stripe',
        subscriptionId: subscription.id,
        status: 'canceled',
      },
    });
    assert.equal(await planOf(), 'free');
    const record = await world.engine.call(
      'GET',
      `/v1/records?connectionId=${world.connectionId}&model=subscriptions&limit=10`,
    );
    assert.equal(
      (record.body.data as Array<{ id: string; data: { status: string } }>).find(
        (r) => r.id === subscription.id,
      )?.data.status,
      'canceled',
    );
    const lock = await stripeLock();
    assert.equal(lock?.code, 'plan_upgrade_required');
    assert.deepEqual(
      [lock?.details.limit, lock?.details.plan?.key, lock?.details.requiredPlan?.key],
      ['integration', 'free', 'pro'],
    );
    // The hub shows it: Stripe's tile is locked, "Available on Pro".
    const hub = await world.engine.call('GET', `/v1/end-users/${SELLER}/hub`);
    assert.equal(hub.status, 200, hub.text);
    type Tile = { key: string; state: string; lock: { requiredPlan: { key: string } | null } | null };
    const tile = (hub.body.categories as Array<{ tiles: Tile[] }>)
      .flatMap((group) => group.tiles)
      .find((t) => t.key === 'stripe');
    assert.deepEqual([tile?.state, tile?.lock?.requiredPlan?.key], ['locked', 'pro']);
    const refused = await world.engine.call('POST', '/v1/connect/sessions', {
      endUser: { id: SELLER },
      allowedIntegrations: ['stripe'],
    });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.code, 'plan_upgrade_required');
    assert.equal(refused.body.error.details.requiredPlan.key, 'pro');
  });
});
