/**
 * Square: base64 HMAC-SHA256 of notification URL + body with the signature key. The vector is
 * the one Square's own SDKs test `WebhooksHelper.isValidWebhookEventSignature` with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { incomingDelivery } from '../../../sandbox/webhooks/index.ts';
import { webhookVerificationSchema } from '../../catalog/index.ts';
import type { VerificationResult } from '../types.ts';
import { verifyDelivery } from './index.ts';

const verification = webhookVerificationSchema.parse({ scheme: 'hmac', preset: 'square' });
const body =
  '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}';
const signatureKey = 'Ibxx_5AKakO-3qeNVR61Dw';
const notificationUrl = 'https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9';
const delivery = incomingDelivery({
  url: notificationUrl,
  headers: { 'x-square-hmacsha256-signature': 'GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=' },
  body,
  receivedAt: 0,
});

function code(result: VerificationResult): string {
  return result.ok ? 'ok' : result.code;
}

describe("hmac scheme, Square's preset", () => {
  it("accepts Square's published vector", async () => {
    assert.equal(code(await verifyDelivery(verification, delivery, [signatureKey])), 'ok');
  });

  it('rejects a tampered body or URL, a wrong key and a missing header', async () => {
    const tamperedBody = {
      ...delivery,
      rawBody: Buffer.from(body.replace('MLEFBHHSJGVHD', 'MLEFBHHSJGVHE')),
    };
    assert.equal(
      code(await verifyDelivery(verification, tamperedBody, [signatureKey])),
      'webhook_signature_invalid',
    );
    const otherUrl = { ...delivery, url: new URL(`${notificationUrl}?x=1`) };
    assert.equal(
      code(await verifyDelivery(verification, otherUrl, [signatureKey])),
      'webhook_signature_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, delivery, ['other-key'])),
      'webhook_signature_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, { ...delivery, headers: {} }, [signatureKey])),
      'webhook_signature_missing',
    );
  });
});
