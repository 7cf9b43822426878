import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { incomingDelivery } from '../../../sandbox/webhooks/index.ts';
import { webhookVerificationSchema } from '../../catalog/index.ts';
import { verifyDelivery } from './index.ts';

const stripe = new Stripe('sk_test_x');
const verification = webhookVerificationSchema.parse({ scheme: 'hmac', preset: 'stripe' });
const secret = 'whsec_test_secret_1234567890abcdef';
const payload = JSON.stringify(
  { id: 'evt_1', object: 'event', type: 'invoice.paid', data: { object: {} } },
  null,
  2,
);
const t = 1_767_225_600; // seconds
const url = 'https://patchbay.example/webhooks/prod/stripe';

function delivery(header: string | undefined, body = payload, receivedAt = t * 1000) {
  return incomingDelivery({
    url,
    headers: header === undefined ? {} : { 'Stripe-Signature': header },
    body,
    receivedAt,
  });
}

describe("hmac scheme, Stripe's preset", () => {
  it('accepts a payload signed by stripe.webhooks.generateTestHeaderString', async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t });
    assert.deepEqual(await verifyDelivery(verification, delivery(header), [secret]), { ok: true });
    // The static helper too, and within the tolerance on either side.
    const again = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t });
    assert.equal(
      (await verifyDelivery(verification, delivery(again, payload, (t + 299) * 1000), [secret])).ok,
      true,
    );
    assert.equal(
      (await verifyDelivery(verification, delivery(again, payload, (t - 299) * 1000), [secret])).ok,
      true,
    );
  });

  it('rejects a tampered body', async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t });
    const tampered = payload.replace('invoice.paid', 'invoice.paie');
    const result = await verifyDelivery(verification, delivery(header, tampered), [secret]);
    assert.equal(result.ok ? 'ok' : result.code, 'webhook_signature_invalid');
    // One flipped whitespace byte is enough: the raw body is what is signed.
    const spaced = await verifyDelivery(verification, delivery(header, `${payload} `), [secret]);
    assert.equal(spaced.ok ? 'ok' : spaced.code, 'webhook_signature_invalid');
  });

  it('rejects a stale or future timestamp (300 s tolerance)', async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t });
    for (const receivedAt of [(t + 301) * 1000, (t - 301) * 1000]) {
      const result = await verifyDelivery(verification, delivery(header, payload, receivedAt), [secret]);
      assert.equal(result.ok ? 'ok' : result.code, 'webhook_timestamp_invalid');
    }
  });

  it('rejects a wrong secret, and a secret that differs only in its whsec_ prefix', async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t });
    for (const wrong of ['whsec_other', secret.slice('whsec_'.length)]) {
      const result = await verifyDelivery(verification, delivery(header), [wrong]);
      assert.equal(result.ok ? 'ok' : result.code, 'webhook_signature_invalid');
    }
  });

  it('accepts any of several v1 signatures and any of several secrets (rotation)', async () => {
    const oldSecret = 'whsec_old_secret';
    const a = stripe.webhooks.generateTestHeaderString({ payload, secret: oldSecret, timestamp: t });
    const b = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t });
    const both = `${a},v1=${b.split('v1=')[1]}`;
    assert.equal((await verifyDelivery(verification, delivery(both), [secret])).ok, true);
    assert.equal((await verifyDelivery(verification, delivery(both), [oldSecret])).ok, true);
    assert.equal((await verifyDelivery(verification, delivery(a), ['whsec_unrelated', oldSecret])).ok, true);
  });

  it('ignores v0 and unknown keys; a header with no v1 is invalid, none at all is missing', async () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t });
    const v1 = header.split('v1=')[1] ?? '';
    const withExtras = `t=${t},v0=${'0'.repeat(64)},x=1,v1=${v1}`;
    assert.equal((await verifyDelivery(verification, delivery(withExtras), [secret])).ok, true);
    const v0Only = await verifyDelivery(verification, delivery(`t=${t},v0=${v1}`), [secret]);
    assert.equal(v0Only.ok ? 'ok' : v0Only.code, 'webhook_signature_invalid');
    const garbled = await verifyDelivery(verification, delivery('garbage'), [secret]);
    assert.equal(garbled.ok ? 'ok' : garbled.code, 'webhook_signature_invalid');
    const short = await verifyDelivery(verification, delivery(`t=${t},v1=${v1.slice(0, 62)}`), [secret]);
    assert.equal(short.ok ? 'ok' : short.code, 'webhook_signature_invalid');
    const missing = await verifyDelivery(verification, delivery(undefined), [secret]);
    assert.equal(missing.ok ? 'ok' : missing.code, 'webhook_signature_missing');
  });

  it('signs what Stripe itself accepts (sandbox signer against stripe.webhooks.constructEvent)', async () => {
    const { signDelivery } = await import('../../../sandbox/webhooks/index.ts');
    const headers = signDelivery(verification, { body: payload, secret, url, timestamp: t * 1000 });
    const header = headers['stripe-signature'] ?? '';
    const event = stripe.webhooks.constructEvent(payload, header, secret, 300, undefined, t);
    assert.equal(event.id, 'evt_1');
  });
});
