/**
 * Inbound webhooks end to end on one engine (embedded database): a Stripe Connect event signed
 * by the official `stripe` package is accepted at the intake URL the API hands out, stored,
 * routed by its `account` to the connection whose metadata holds that Stripe account, processed
 * into `inbound.stripe.invoice.paid`, and delivered by outbound to a local endpoint. A tampered
 * copy is refused and a resend is answered as a duplicate without a second event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import type { Patchbay } from '../../src/engine/index.ts';
import {
  type LibraryEngine,
  startLibraryEngine,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from '../support/library-engine.ts';

const WEBHOOK_SECRET = 'whsec_e2e_3b9f0c1d2e4a';

describe('inbound webhooks end to end', () => {
  let harness: LibraryEngine;
  let engine: Patchbay;
  let receiver: WebhookReceiver;
  let baseUrl: string;
  const call = (method: string, path: string, body?: unknown) => harness.call(method, path, body);

  before(async () => {
    receiver = await startWebhookReceiver();
    harness = await startLibraryEngine({ config: { webhookRetryJitter: 0 } });
    ({ engine, baseUrl } = harness);
  });

  after(async () => {
    await harness?.stop();
    await receiver?.close();
  });

  it('accepts a Stripe-signed event, routes it by account and delivers inbound.stripe.<type>', async () => {
    const integration = await call('POST', '/v1/integrations', {
      provider: 'stripe',
      clientId: 'ca_e2e',
      clientSecret: 'sk_test_e2e_platform',
      webhookSecret: WEBHOOK_SECRET,
    });
    assert.equal(integration.status, 201, JSON.stringify(integration.body));
    const environment = await call('GET', '/v1/environment');
    const environmentId = environment.body.id as string;
    // Library mode: a connection as the OAuth callback would have stored it (Stripe's stripe_user_id).
    const connection = await engine.services.providers.connections.save(environmentId, {
      integrationId: 'stripe',
      endUser: { id: 'merchant-7', email: null, organization: null },
      credentials: { type: 'oauth2', accessToken: 'at-e2e' },
      connectionConfig: {},
      metadata: { stripeAccountId: 'acct_1E2E' },
    });
    const endpoint = await call('POST', '/v1/endpoints', {
      url: receiver.url,
      eventTypes: ['inbound.stripe.*'],
    });
    assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));

    const registered = await call('GET', '/v1/integrations/stripe/webhook-url');
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    const intakePath = new URL(registered.body.url as string).pathname;

    const payload = JSON.stringify({
      id: 'evt_e2e_1',
      object: 'event',
      type: 'invoice.paid',
      account: 'acct_1E2E',
      data: { object: { id: 'in_e2e', amount_paid: 4200 } },
    });
    const stripe = new Stripe('sk_test_unused');
    const post = (body: string, signature: string) =>
      fetch(`${baseUrl}${intakePath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body,
      });
    const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });

    const tampered = await post(payload.replace('4200', '1'), signature);
    assert.equal(tampered.status, 401);
    assert.equal(
      ((await tampered.json()) as { error: { code: string } }).error.code,
      'webhook_signature_invalid',
    );

    const accepted = await post(payload, signature);
    assert.equal(accepted.status, 200);
    const { id } = (await accepted.json()) as { id: string };
    assert.match(id, /^in_/);
    const resent = await post(
      payload,
      stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }),
    );
    assert.deepEqual(await resent.json(), { received: true, duplicate: true });

    const delivered = await waitFor('the inbound event at the endpoint', () =>
      receiver.received.find((r) => r.body.includes('evt_e2e_1')),
    );
    const message = JSON.parse(delivered.body) as { type: string; data: Record<string, unknown> };
    assert.equal(message.type, 'inbound.stripe.invoice.paid');
    assert.equal(message.data.inboundEventId, id);
    assert.equal(message.data.connectionId, connection.id);
    assert.equal(message.data.endUserId, 'merchant-7');
    assert.equal((message.data.payload as { account: string }).account, 'acct_1E2E');

    const shown = await call('GET', `/v1/inbound-events/${id}`);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.status, 'processed');
    assert.deepEqual(shown.body.connectionIds, [connection.id]);
    // The resend stored nothing, so it made no second event.
    const events = await call('GET', '/v1/events?type=inbound.*');
    assert.equal((events.body.data as unknown[]).length, 1);
    const stored = await call('GET', '/v1/inbound-events?integration=stripe');
    assert.equal((stored.body.data as unknown[]).length, 1);
  });
});
