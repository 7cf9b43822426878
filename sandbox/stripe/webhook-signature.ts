/**
 * Stripe's webhook signature, from its documentation: the `Stripe-Signature` header is
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed by the endpoint's whole
 * signing secret (`whsec_…`, used as its UTF-8 bytes).
 */
import { createHmac } from 'node:crypto';

/** The `Stripe-Signature` value for `payload` sent at `timestampSeconds`. */
export function stripeSignatureHeader(
  payload: string | Buffer,
  secret: string,
  timestampSeconds: number,
): string {
  const signed = Buffer.concat([Buffer.from(`${timestampSeconds}.`, 'utf8'), Buffer.from(payload)]);
  const digest = createHmac('sha256', Buffer.from(secret, 'utf8')).update(signed).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}
