/**
 * A stand-in for PayPal's transmission signature, for sandboxes: PayPal signs
 * `{transmission id}|{transmission time}|{webhook id}|{crc32 of the event}` with RSA and publishes
 * the certificate; the sandbox uses HMAC-SHA256 with a shared secret over the same fields instead,
 * and `checkPaypalVerifyRequest` plays PayPal's verify-webhook-signature API over it. The event's
 * CRC is taken over its compact JSON, since that API receives the parsed event, not the raw bytes.
 */
import { createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const SANDBOX_PAYPAL_AUTH_ALGO = 'SHA256withRSA';
export const SANDBOX_PAYPAL_CERT_URL = 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-SANDBOX';

export interface PaypalTransmission {
  transmissionId: string;
  transmissionTime: string;
  webhookId: string;
  event: unknown;
}

export function paypalSandboxSignature(secret: string, t: PaypalTransmission): string {
  const crc = crc32(Buffer.from(JSON.stringify(t.event), 'utf8'));
  return createHmac('sha256', secret)
    .update(`${t.transmissionId}|${t.transmissionTime}|${t.webhookId}|${crc}`)
    .digest('base64');
}

/**
 * What the sandbox's verify-webhook-signature endpoint answers for a request body the engine
 * sends: `{ verification_status: 'SUCCESS' }` when the signature matches the fields, the webhook
 * id and the event, else `FAILURE` — the answer PayPal documents.
 */
export function paypalVerifyAnswer(body: unknown, secret: string): { verification_status: string } {
  return { verification_status: checkPaypalVerifyRequest(body, secret) ? 'SUCCESS' : 'FAILURE' };
}

/** True when a verify-webhook-signature request body carries a signature the sandbox made. */
export function checkPaypalVerifyRequest(body: unknown, secret: string): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { transmission_id, transmission_time, transmission_sig, webhook_id, webhook_event } = body as Record<
    string,
    unknown
  >;
  if (typeof transmission_id !== 'string' || typeof transmission_time !== 'string') return false;
  if (typeof transmission_sig !== 'string' || typeof webhook_id !== 'string') return false;
  const expected = paypalSandboxSignature(secret, {
    transmissionId: transmission_id,
    transmissionTime: transmission_time,
    webhookId: webhook_id,
    event: webhook_event,
  });
  return expected === transmission_sig;
}
