/**
 * Contract with the official SDK: what registering an endpoint per connection relies on. A create
 * retried with the same `Idempotency-Key` (its answer was lost) gets the same endpoint back, its
 * signing secret included, and makes no second one; the same key with other parameters is refused;
 * an update re-enables a disabled endpoint and keeps its secret; deleting one already deleted is
 * Stripe's 404 `resource_missing`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from './server.ts';
import { ManualClock, sdk } from './test-client.ts';

describe('contract: registering webhook endpoints', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;

  before(async () => {
    sandbox = await startStripeSandbox({ clock: new ManualClock(Date.UTC(2026, 5, 1)), rateLimit: false });
    stripe = sdk(sandbox);
  });
  after(() => sandbox.close());

  it('replays a create under the same idempotency key, secret included; refuses the key with other parameters', async () => {
    const params: Stripe.WebhookEndpointCreateParams = {
      url: 'https://patchbay.example/webhooks/env_1/stripe-api-key/token',
      enabled_events: ['invoice.paid', 'customer.updated'],
      metadata: { patchbay_connection_id: 'conn_1' },
    };
    const first = await stripe.webhookEndpoints.create(params, { idempotencyKey: 'patchbay-whsub-1' });
    const again = await stripe.webhookEndpoints.create(params, { idempotencyKey: 'patchbay-whsub-1' });
    assert.equal(again.id, first.id);
    assert.match(String(first.secret), /^whsec_/);
    assert.equal(again.secret, first.secret);
    assert.equal(again.lastResponse.headers['idempotent-replayed'], 'true');
    assert.deepEqual(
      (await stripe.webhookEndpoints.list()).data.map((e) => e.id),
      [first.id],
    );
    await assert.rejects(
      stripe.webhookEndpoints.create(
        { ...params, enabled_events: ['*'] },
        { idempotencyKey: 'patchbay-whsub-1' },
      ),
      (error: unknown) => (error as Stripe.errors.StripeError).type === 'StripeIdempotencyError',
    );
    await stripe.webhookEndpoints.del(first.id);
  });

  it('re-enables and repoints an endpoint in place; a second delete is resource_missing', async () => {
    const created = await stripe.webhookEndpoints.create({
      url: 'https://patchbay.example/old',
      enabled_events: ['invoice.paid'],
    });
    await stripe.webhookEndpoints.update(created.id, { disabled: true });
    assert.equal((await stripe.webhookEndpoints.retrieve(created.id)).status, 'disabled');
    const repaired = await stripe.webhookEndpoints.update(created.id, {
      url: 'https://patchbay.example/new',
      enabled_events: ['invoice.paid', 'invoice.voided'],
      disabled: false,
    });
    assert.equal(repaired.id, created.id);
    assert.equal(repaired.status, 'enabled');
    assert.equal(repaired.url, 'https://patchbay.example/new');
    assert.deepEqual(repaired.enabled_events, ['invoice.paid', 'invoice.voided']);
    assert.equal(repaired.secret, undefined, 'the secret is shown at creation only');
    assert.equal((await stripe.webhookEndpoints.del(created.id)).deleted, true);
    await assert.rejects(stripe.webhookEndpoints.del(created.id), (error: unknown) => {
      const stripeError = error as Stripe.errors.StripeError;
      return stripeError.statusCode === 404 && stripeError.code === 'resource_missing';
    });
  });
});
