/**
 * The emulator's webhook signer agrees with Stripe's own SDK: the same header as
 * `stripe.webhooks.generateTestHeaderString` for any payload, secret and timestamp, and
 * `constructEvent` accepts what it signs (and refuses it once the body changes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import Stripe from 'stripe';
import { stripeSignatureHeader } from './webhook-signature.ts';

const stripe = new Stripe('sk_test_signature');

describe('stripeSignatureHeader', () => {
  it('equals generateTestHeaderString for any payload, secret and timestamp', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.base64String({ minLength: 8, maxLength: 40 }).map((key) => `whsec_${key}`),
        // The SDK takes a timestamp of 0 as "none given" and uses the current time.
        fc.integer({ min: 1, max: 4_102_444_800 }),
        (payload, secret, timestamp) => {
          assert.equal(
            stripeSignatureHeader(payload, secret, timestamp),
            stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
          );
        },
      ),
    );
  });

  it('is accepted by constructEvent, and refused for another body or an old timestamp', () => {
    const payload = JSON.stringify(
      { id: 'evt_1', object: 'event', type: 'invoice.paid', data: { object: {} } },
      null,
      2,
    );
    const secret = 'whsec_test_1234567890abcdef';
    const t = 1_767_225_600;
    const header = stripeSignatureHeader(payload, secret, t);
    const event = stripe.webhooks.constructEvent(payload, header, secret, 300, undefined, t * 1000);
    assert.equal(event.id, 'evt_1');
    assert.throws(
      () => stripe.webhooks.constructEvent(`${payload} `, header, secret, 300, undefined, t * 1000),
      Stripe.errors.StripeSignatureVerificationError,
    );
    assert.throws(
      () => stripe.webhooks.constructEvent(payload, header, secret, 300, undefined, (t + 301) * 1000),
      /tolerance/,
    );
  });
});
