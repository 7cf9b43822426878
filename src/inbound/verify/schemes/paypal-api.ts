/**
 * PayPal: the RSA signature over the transmission headers is checked by PayPal's own
 * verify-webhook-signature API, called through the proxy (`deps.paypalVerify`), with the webhook
 * id kept in the connection config. A failing call (network, 5xx) rejects the promise so the
 * intake answers 5xx and PayPal retries; it is not the sender's fault.
 */
import type { WebhookVerification } from '../../../catalog/index.ts';
import { PatchbayError } from '../../../errors/index.ts';
import type { IncomingDelivery, VerificationResult, VerifyDeps } from '../../types.ts';
import { header, missingHeader, OK, reject } from '../result.ts';

const HEADERS = {
  auth_algo: 'paypal-auth-algo',
  cert_url: 'paypal-cert-url',
  transmission_id: 'paypal-transmission-id',
  transmission_sig: 'paypal-transmission-sig',
  transmission_time: 'paypal-transmission-time',
} as const;

export async function verifyPaypalApi(
  verification: WebhookVerification<'paypal_api'>,
  delivery: IncomingDelivery,
  deps: VerifyDeps,
): Promise<VerificationResult> {
  const fields: Record<string, string> = {};
  for (const [field, name] of Object.entries(HEADERS)) {
    const value = header(delivery, name);
    if (value === undefined) return missingHeader(name);
    fields[field] = value;
  }
  const webhookId = deps.connectionConfig?.[verification.webhookIdKey];
  if (!webhookId) {
    return reject(
      'webhook_signature_invalid',
      `the connection has no "${verification.webhookIdKey}" config value, so PayPal cannot check the signature`,
    );
  }
  let event: unknown;
  try {
    event = JSON.parse(delivery.rawBody.toString('utf8'));
  } catch {
    return reject('webhook_signature_invalid', 'the body is not JSON, so it cannot be a PayPal event');
  }
  if (!deps.paypalVerify) {
    throw new PatchbayError('internal_error', 'PayPal verification needs deps.paypalVerify (the proxy call)');
  }
  const verified = await deps.paypalVerify({
    path: verification.verifyPath,
    body: { ...fields, webhook_id: webhookId, webhook_event: event },
  });
  return verified
    ? OK
    : reject('webhook_signature_invalid', 'PayPal did not confirm the signature of this delivery');
}
