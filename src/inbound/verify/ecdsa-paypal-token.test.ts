import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { ecdsaP256KeyPair, incomingDelivery } from '../../../sandbox/webhooks/index.ts';
import { webhookVerificationSchemas } from '../../catalog/index.ts';
import { isPatchbayError } from '../../errors/index.ts';
import type { VerificationResult } from '../types.ts';
import { verifyDelivery } from './index.ts';

function code(result: VerificationResult): string {
  return result.ok ? 'ok' : result.code;
}

describe('ecdsa_p256 scheme (SendGrid)', () => {
  const verification = webhookVerificationSchemas.ecdsa_p256.parse({
    scheme: 'ecdsa_p256',
    header: 'x-twilio-email-event-webhook-signature',
    timestampHeader: 'x-twilio-email-event-webhook-timestamp',
  });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKeyBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const body = '[{"email":"a@example.com","event":"delivered","sg_event_id":"sg1"}]\r\n';
  const timestamp = '1767225600';
  const signature = sign('sha256', Buffer.from(timestamp + body), { key: privateKey, dsaEncoding: 'der' });
  const delivery = incomingDelivery({
    url: 'https://patchbay.example/webhooks/prod/sendgrid/c1',
    headers: {
      'X-Twilio-Email-Event-Webhook-Signature': signature.toString('base64'),
      'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
    },
    body,
    receivedAt: Number(timestamp) * 1000,
  });

  it('accepts a signature made with the key pair, with the key as base64 DER or PEM', async () => {
    assert.equal(code(await verifyDelivery(verification, delivery, [publicKeyBase64])), 'ok');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    assert.equal(code(await verifyDelivery(verification, delivery, [pem])), 'ok');
  });

  it('rejects a tampered body or timestamp, another key, garbage and stale timestamps', async () => {
    const tampered = { ...delivery, rawBody: Buffer.from(body.replace('delivered', 'bounce')) };
    assert.equal(
      code(await verifyDelivery(verification, tampered, [publicKeyBase64])),
      'webhook_signature_invalid',
    );
    const moved = {
      ...delivery,
      headers: { ...delivery.headers, 'x-twilio-email-event-webhook-timestamp': '1767225601' },
    };
    assert.equal(
      code(await verifyDelivery(verification, moved, [publicKeyBase64])),
      'webhook_signature_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, delivery, [ecdsaP256KeyPair().verify])),
      'webhook_signature_invalid',
    );
    const garbage = {
      ...delivery,
      headers: {
        ...delivery.headers,
        'x-twilio-email-event-webhook-signature': Buffer.from('nope').toString('base64'),
      },
    };
    assert.equal(
      code(await verifyDelivery(verification, garbage, [publicKeyBase64])),
      'webhook_signature_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, delivery, ['not a key'])),
      'webhook_signature_invalid',
    );
    const stale = { ...delivery, receivedAt: (Number(timestamp) + 301) * 1000 };
    assert.equal(
      code(await verifyDelivery(verification, stale, [publicKeyBase64])),
      'webhook_timestamp_invalid',
    );
  });
});

describe('paypal_api scheme', () => {
  const verification = webhookVerificationSchemas.paypal_api.parse({
    scheme: 'paypal_api',
    webhookIdKey: 'webhookId',
  });
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

  it('asks PayPal through the proxy with the transmission headers, webhook id and event', async () => {
    const calls: { path: string; body: Record<string, unknown> }[] = [];
    const deps = {
      connectionConfig: { webhookId: 'WH-ID-9' },
      paypalVerify: async (request: { path: string; body: Record<string, unknown> }) => {
        calls.push(request);
        return true;
      },
    };
    assert.equal(code(await verifyDelivery(verification, delivery, [], deps)), 'ok');
    assert.deepEqual(calls, [
      {
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

  it('rejects when PayPal says no, when a header or the webhook id is missing, or the body is not JSON', async () => {
    const no = { connectionConfig: { webhookId: 'WH-ID-9' }, paypalVerify: async () => false };
    assert.equal(code(await verifyDelivery(verification, delivery, [], no)), 'webhook_signature_invalid');
    const { 'paypal-transmission-sig': _sig, ...rest } = delivery.headers;
    assert.equal(
      code(await verifyDelivery(verification, { ...delivery, headers: rest }, [], no)),
      'webhook_signature_missing',
    );
    const yes = { paypalVerify: async () => true };
    assert.equal(code(await verifyDelivery(verification, delivery, [], yes)), 'webhook_signature_invalid');
    const notJson = { ...delivery, rawBody: Buffer.from('{oops') };
    assert.equal(
      code(await verifyDelivery(verification, notJson, [], { ...yes, connectionConfig: { webhookId: 'x' } })),
      'webhook_signature_invalid',
    );
  });

  it('fails loudly (not as a rejection) when the proxy call is not wired or fails', async () => {
    await assert.rejects(
      verifyDelivery(verification, delivery, [], { connectionConfig: { webhookId: 'x' } }),
      (err) => isPatchbayError(err, 'internal_error'),
    );
    const failing = {
      connectionConfig: { webhookId: 'x' },
      paypalVerify: async () => {
        throw new Error('proxy down');
      },
    };
    await assert.rejects(verifyDelivery(verification, delivery, [], failing), /proxy down/);
  });
});

describe('url_token scheme', () => {
  const token = 'tok_9f8e7d6c5b4a';
  it('checks a query token', async () => {
    const verification = webhookVerificationSchemas.url_token.parse({ scheme: 'url_token' });
    const at = (url: string) => incomingDelivery({ url, body: 'a=1', receivedAt: 0 });
    assert.equal(
      code(
        await verifyDelivery(verification, at(`https://p.example/w/gumroad?token=${token}`), ['old', token]),
      ),
      'ok',
    );
    assert.equal(
      code(await verifyDelivery(verification, at('https://p.example/w/gumroad?token=wrong'), [token])),
      'webhook_token_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, at(`https://p.example/w/gumroad?token=${token}x`), [token])),
      'webhook_token_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, at('https://p.example/w/gumroad'), [token])),
      'webhook_token_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, at('https://p.example/w/gumroad?token='), [''])),
      'webhook_token_invalid',
    );
  });

  it('checks a token in the last path segment', async () => {
    const verification = webhookVerificationSchemas.url_token.parse({
      scheme: 'url_token',
      location: 'path',
    });
    const at = (url: string) => incomingDelivery({ url, body: 'a=1', receivedAt: 0 });
    assert.equal(
      code(await verifyDelivery(verification, at(`https://p.example/w/mailchimp/${token}`), [token])),
      'ok',
    );
    assert.equal(
      code(await verifyDelivery(verification, at(`https://p.example/w/mailchimp/${token}/`), [token])),
      'ok',
    );
    assert.equal(
      code(await verifyDelivery(verification, at(`https://p.example/w/${token}/mailchimp`), [token])),
      'webhook_token_invalid',
    );
  });
});
