// PayPal's webhook check as its definition declares it (a `provider_api` request): the exact body
// PayPal's verify-webhook-signature API documents, built from the transmission headers, the
// connection's webhook id and the event; PayPal's verdict read from `verification_status`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  incomingDelivery,
  paypalVerifyAnswer,
  sampleSecret,
  signDelivery,
} from '../../sandbox/webhooks/index.ts';
import type { ProviderApiRequest, VerificationResult } from '../../src/inbound/types.ts';
import { verifyDelivery } from '../../src/inbound/verify/index.ts';
import definition from './definition.ts';

const verification = definition.webhooks?.verification ?? assert.fail('paypal declares webhooks');
const event = { id: 'WH-1', event_type: 'PAYMENT.CAPTURE.COMPLETED', resource: { id: 'cap_1' } };
const headers = {
  'PAYPAL-AUTH-ALGO': 'SHA256withRSA',
  'PAYPAL-CERT-URL': 'https://api.paypal.com/v1/notifications/certs/CERT-1',
  'PAYPAL-TRANSMISSION-ID': 'tx-1',
  'PAYPAL-TRANSMISSION-SIG': 'c2lnbmF0dXJl',
  'PAYPAL-TRANSMISSION-TIME': '2026-01-01T00:00:00Z',
};
const delivery = incomingDelivery({
  url: 'https://patchbay.example/webhooks/prod/paypal/c1',
  headers,
  body: JSON.stringify(event),
  receivedAt: 0,
});

function code(result: VerificationResult): string {
  return result.ok ? 'ok' : result.code;
}

describe('paypal webhooks', () => {
  it('asks verify-webhook-signature with the transmission headers, webhook id and event', async () => {
    const calls: ProviderApiRequest[] = [];
    const deps = {
      connectionConfig: { webhookId: 'WH-ID-9' },
      providerRequest: async (request: ProviderApiRequest) => {
        calls.push(request);
        return { status: 200, text: '{"verification_status":"SUCCESS"}' };
      },
    };
    assert.equal(code(await verifyDelivery(verification, delivery, [], deps)), 'ok');
    assert.deepEqual(calls, [
      {
        method: 'POST',
        path: '/v1/notifications/verify-webhook-signature',
        body: {
          auth_algo: 'SHA256withRSA',
          cert_url: 'https://api.paypal.com/v1/notifications/certs/CERT-1',
          transmission_id: 'tx-1',
          transmission_sig: 'c2lnbmF0dXJl',
          transmission_time: '2026-01-01T00:00:00Z',
          webhook_id: 'WH-ID-9',
          webhook_event: event,
        },
      },
    ]);
  });

  it('is refused when PayPal answers FAILURE or the connection has no webhook id', async () => {
    const failure = async () => ({ status: 200, text: '{"verification_status":"FAILURE"}' });
    const withId = { connectionConfig: { webhookId: 'WH-ID-9' }, providerRequest: failure };
    assert.equal(code(await verifyDelivery(verification, delivery, [], withId)), 'webhook_signature_invalid');
    const noId = { connectionConfig: {}, providerRequest: failure };
    assert.equal(code(await verifyDelivery(verification, delivery, [], noId)), 'webhook_signature_invalid');
  });

  it("round-trips through the sandbox's stand-in for PayPal's signature and API", async () => {
    const secret = sampleSecret(verification).sign;
    const body = JSON.stringify(event);
    const config = { webhookId: 'WH-ID-9' };
    const signed = signDelivery(verification, {
      body,
      secret,
      url: 'https://patchbay.example/webhooks/prod/paypal/c1',
      timestamp: 1_767_225_600_000,
      provider: 'paypal',
      connectionConfig: config,
    });
    const standIn = (webhookId: string) => ({
      connectionConfig: { webhookId },
      providerRequest: async (request: ProviderApiRequest) => ({
        status: 200,
        text: JSON.stringify(paypalVerifyAnswer(request.body, secret)),
      }),
    });
    const genuine = incomingDelivery({ url: 'https://p.example/w', headers: signed, body, receivedAt: 0 });
    assert.equal(code(await verifyDelivery(verification, genuine, [], standIn('WH-ID-9'))), 'ok');
    // Signed for another webhook: PayPal says no.
    assert.equal(
      code(await verifyDelivery(verification, genuine, [], standIn('WH-OTHER'))),
      'webhook_signature_invalid',
    );
  });
});
