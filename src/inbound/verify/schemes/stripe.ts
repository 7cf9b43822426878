/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>,v1=<hex>…` where v1 is the hex HMAC-SHA256
 * of `{t}.{raw body}` keyed by the whole `whsec_…` string as UTF-8 (Stripe does not decode it).
 * Any v1 may match (Stripe sends one per active secret while a secret is rolled); v0 and unknown
 * keys are ignored.
 */
import { createHmac } from 'node:crypto';
import type { WebhookVerification } from '../../../catalog/index.ts';
import type { IncomingDelivery, VerificationResult } from '../../types.ts';
import { anyEqual, decodeHex } from '../compare.ts';
import { checkTimestamp, header, missingHeader, NO_SECRET, reject, SIGNATURE_MISMATCH } from '../result.ts';

export function verifyStripe(
  verification: WebhookVerification<'stripe'>,
  delivery: IncomingDelivery,
  secrets: readonly string[],
): VerificationResult {
  const value = header(delivery, verification.header);
  if (value === undefined) return missingHeader(verification.header);
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const item = part.slice(eq + 1).trim();
    if (key === 't' && timestamp === undefined) timestamp = item;
    else if (key === 'v1') {
      const digest = decodeHex(item);
      if (digest) signatures.push(digest);
    }
  }
  if (timestamp === undefined || signatures.length === 0) {
    return reject(
      'webhook_signature_invalid',
      `the ${verification.header} header has no t= or no v1= signature`,
    );
  }
  if (secrets.length === 0) return NO_SECRET;
  const signed = Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), delivery.rawBody]);
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(signed).digest();
    if (anyEqual(signatures, expected)) matched = true;
  }
  if (!matched) return SIGNATURE_MISMATCH;
  return checkTimestamp(timestamp, delivery, verification.tolerance, 1000);
}
