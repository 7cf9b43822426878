/**
 * Outbound webhooks end to end on one engine (embedded database): an endpoint pointing at a local
 * receiver gets every message signed per Standard Webhooks — verified at the receiver with the
 * official `standardwebhooks` library and with `svix`'s verifier, through a secret rotation
 * (old and new secret each verify alone) — failed attempts are retried, and engine events
 * (`connection.created`) reach the endpoint through the outbox.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { type OAuthSandbox, startOAuthSandbox } from '../../sandbox/index.ts';
import { connectHeadless } from '../support/connect-flow.ts';
import {
  type LibraryEngine,
  startLibraryEngine,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from '../support/library-engine.ts';

const FIXTURE_PROVIDERS = new URL('../fixtures/providers/', import.meta.url).pathname;

describe('outbound webhooks end to end', () => {
  let harness: LibraryEngine;
  let sandbox: OAuthSandbox;
  let receiver: WebhookReceiver;
  let baseUrl: string;
  let apiKey: string;
  const call = (method: string, path: string, body?: unknown) => harness.call(method, path, body);

  before(async () => {
    receiver = await startWebhookReceiver();
    sandbox = await startOAuthSandbox({ clients: [] });
    harness = await startLibraryEngine({
      config: {
        providerDirs: FIXTURE_PROVIDERS,
        webhookRetrySchedule: '0,300ms,600ms',
        webhookRetryJitter: 0,
      },
    });
    ({ baseUrl, apiKey } = harness);
  });

  after(async () => {
    await harness?.stop();
    await sandbox?.close();
    await receiver?.close();
  });

  it('signs every message so that standardwebhooks and svix verify it, before and during a rotation', async () => {
    const created = await call('POST', '/v1/endpoints', {
      url: receiver.url,
      eventTypes: ['order.*', 'connection.*'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const endpointId = created.body.id as string;
    const oldSecret = created.body.secret as string;
    assert.match(oldSecret, /^whsec_/);

    const first = await call('POST', '/v1/messages', {
      eventType: 'order.created',
      data: { orderId: 'o-1' },
    });
    assert.ok(first.status >= 200 && first.status < 300, JSON.stringify(first.body));
    const delivered = await waitFor('the first delivery', () =>
      receiver.received.find((r) => r.body.includes('o-1')),
    );
    for (const verifier of [new StandardWebhook(oldSecret)]) {
      assert.deepEqual((verifier.verify(delivered.body, delivered.headers) as { data: unknown }).data, {
        orderId: 'o-1',
      });
    }
    new SvixWebhook(oldSecret).verify(delivered.body, {
      'svix-id': delivered.headers['webhook-id'] ?? '',
      'svix-timestamp': delivered.headers['webhook-timestamp'] ?? '',
      'svix-signature': delivered.headers['webhook-signature'] ?? '',
    });
    const payload = JSON.parse(delivered.body) as { type: string; timestamp: string; data: unknown };
    assert.equal(payload.type, 'order.created');
    assert.ok(!Number.isNaN(Date.parse(payload.timestamp)));

    const rotated = await call('POST', `/v1/endpoints/${endpointId}/secret/rotate`, {});
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const newSecret = rotated.body.secret as string;
    assert.notEqual(newSecret, oldSecret);
    await call('POST', '/v1/messages', { eventType: 'order.updated', data: { orderId: 'o-2' } });
    const during = await waitFor('the delivery during rotation', () =>
      receiver.received.find((r) => r.body.includes('o-2')),
    );
    assert.equal(during.headers['webhook-signature']?.split(' ').length, 2);
    for (const secret of [oldSecret, newSecret]) {
      new StandardWebhook(secret).verify(during.body, during.headers);
      new SvixWebhook(secret).verify(during.body, {
        'svix-id': during.headers['webhook-id'] ?? '',
        'svix-timestamp': during.headers['webhook-timestamp'] ?? '',
        'svix-signature': during.headers['webhook-signature'] ?? '',
      });
    }
    // A message of a type the endpoint does not take is not delivered to it.
    await call('POST', '/v1/messages', { eventType: 'invoice.paid', data: { invoiceId: 'i-1' } });
  });

  it('retries a failed attempt per the schedule and logs both attempts', async () => {
    receiver.answers.push(500);
    const sent = await call('POST', '/v1/messages', { eventType: 'order.created', data: { orderId: 'o-3' } });
    // One message per matching endpoint: here, the one endpoint.
    const messages = sent.body.data as Array<{ id: string }>;
    assert.equal(messages.length, 1);
    const messageId = messages[0]?.id ?? '';
    await waitFor('two attempts', () =>
      receiver.received.filter((r) => r.body.includes('o-3')).length >= 2 ? true : undefined,
    );
    // The receiver answers before the engine records the attempt: wait for the log to have both.
    const rows = await waitFor('two attempts logged', async () => {
      const log = await call('GET', `/v1/messages/${messageId}/attempts`);
      assert.equal(log.status, 200, JSON.stringify(log.body));
      const logged = log.body.data as Array<{ responseStatus: number; status: string }>;
      return logged.length >= 2 ? logged : undefined;
    });
    assert.deepEqual(rows.map((row) => [row.responseStatus, row.status]).sort(), [
      [200, 'succeeded'],
      [500, 'failed'],
    ]);
    const ids = new Set(receiver.received.filter((r) => r.body.includes('o-3')).map((r) => r.id));
    assert.equal(ids.size, 1, 'a retry keeps the webhook-id, so receivers can deduplicate');
  });

  it('delivers engine events from the outbox: connection.created after a connect', async () => {
    sandbox.control.addClient({
      clientId: 'app',
      clientSecret: 'app-secret-9a8b',
      redirectUris: [`${baseUrl}/connect/oauth/callback`],
    });
    const integration = await call('POST', '/v1/integrations', {
      provider: 'sandbox-oauth',
      clientId: 'app',
      clientSecret: 'app-secret-9a8b',
      settings: { baseUrls: { 'https://sandbox-oauth.example.test': sandbox.origin } },
    });
    assert.equal(integration.status, 201, JSON.stringify(integration.body));
    const { connectionId } = await connectHeadless({
      engineUrl: baseUrl,
      apiKey,
      integration: 'sandbox-oauth',
    });
    const event = await waitFor('connection.created', () =>
      receiver.received.find((r) => r.body.includes('"connection.created"') && r.body.includes(connectionId)),
    );
    const payload = JSON.parse(event.body) as { data: Record<string, unknown> };
    assert.equal(payload.data.connectionId, connectionId);
    assert.ok(!receiver.received.some((r) => r.body.includes('i-1')), 'invoice.paid was filtered out');
  });
});
