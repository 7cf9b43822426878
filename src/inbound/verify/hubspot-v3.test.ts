/**
 * HubSpot v3, per developers.hubspot.com "Validating requests" (v3): base64 HMAC-SHA256 of
 * method + URI + body + timestamp (ms) with the client secret; the listed percent-encodings in the
 * URI are decoded before signing; timestamps older than 5 minutes are refused. HubSpot publishes
 * no worked v3 example, so the expected value is computed here from the documented recipe.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { incomingDelivery } from '../../../sandbox/webhooks/index.ts';
import { HMAC_PRESETS, webhookVerificationSchema } from '../../catalog/index.ts';
import type { VerificationResult } from '../types.ts';
import { verifyDelivery } from './index.ts';
import { signedUrl } from './schemes/signed-content.ts';

const verification = webhookVerificationSchema.parse({ scheme: 'hmac', preset: 'hubspot_v3' });
const hubspotUri = (url: URL) => signedUrl(url, HMAC_PRESETS.hubspot_v3.urlDecode);
const secret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const body =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
const timestamp = 1_767_225_600_123;
const url =
  'https://patchbay.example/webhooks/prod/hubspot?return=https%3A%2F%2Fa.example%2Fx%40y&q=a%20b%3D';
// As HubSpot signs it: %3A %2F %40 decoded; %20 and %3D (not in the table) left alone.
const signedUri = 'https://patchbay.example/webhooks/prod/hubspot?return=https://a.example/x@y&q=a%20b%3D';
const signature = createHmac('sha256', secret).update(`POST${signedUri}${body}${timestamp}`).digest('base64');

function code(result: VerificationResult): string {
  return result.ok ? 'ok' : result.code;
}

const delivery = incomingDelivery({
  url,
  headers: { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': String(timestamp) },
  body,
  receivedAt: timestamp + 60_000,
});

describe("hmac scheme, HubSpot v3's preset", () => {
  it('decodes exactly the documented characters in the URI', () => {
    assert.equal(hubspotUri(new URL(url)), signedUri);
    const all = new URL('https://h.example/p?x=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B%3a%2f%253A');
    assert.equal(hubspotUri(all), "https://h.example/p?x=:/?@!$'()*,;:/%253A");
  });

  it('accepts a request signed per the documented algorithm', async () => {
    assert.equal(code(await verifyDelivery(verification, delivery, [secret])), 'ok');
    assert.equal(code(await verifyDelivery(verification, delivery, ['rotated-out', secret])), 'ok');
  });

  it('rejects a tampered body, URL, method or timestamp, and a wrong secret', async () => {
    const cases = [
      { ...delivery, rawBody: Buffer.from(body.replace('62515', '62516')) },
      { ...delivery, url: new URL(url.replace('/prod/', '/dev/')) },
      { ...delivery, method: 'PUT' },
      { ...delivery, headers: { ...delivery.headers, 'x-hubspot-request-timestamp': String(timestamp + 1) } },
    ];
    for (const tampered of cases) {
      assert.equal(code(await verifyDelivery(verification, tampered, [secret])), 'webhook_signature_invalid');
    }
    assert.equal(code(await verifyDelivery(verification, delivery, ['other'])), 'webhook_signature_invalid');
  });

  it('rejects timestamps (milliseconds) more than 5 minutes away either way', async () => {
    for (const receivedAt of [timestamp + 300_001, timestamp - 300_001]) {
      assert.equal(
        code(await verifyDelivery(verification, { ...delivery, receivedAt }, [secret])),
        'webhook_timestamp_invalid',
      );
    }
    assert.equal(
      code(await verifyDelivery(verification, { ...delivery, receivedAt: timestamp + 300_000 }, [secret])),
      'ok',
    );
  });

  it('reports missing headers', async () => {
    const noTs = { ...delivery, headers: { 'x-hubspot-signature-v3': signature } };
    assert.equal(code(await verifyDelivery(verification, noTs, [secret])), 'webhook_signature_missing');
    assert.equal(
      code(await verifyDelivery(verification, { ...delivery, headers: {} }, [secret])),
      'webhook_signature_missing',
    );
  });
});
