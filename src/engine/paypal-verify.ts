/**
 * PayPal signs webhooks with RSA over transmission headers and offers an API that checks them
 * (`POST /v1/notifications/verify-webhook-signature`); the call goes through the proxy with the
 * routed connection's own PayPal credentials.
 */
import { PatchbayError } from '../errors/index.ts';
import type { ProxyClient } from '../proxy/index.ts';

export async function verifyWithPaypal(
  proxy: ProxyClient,
  environmentId: string,
  connectionId: string,
  request: { path: string; body: Record<string, unknown> },
): Promise<boolean> {
  const response = await proxy.request(environmentId, connectionId, {
    method: 'POST',
    path: request.path,
    body: { json: request.body },
    // A read-only check: safe to retry.
    maxAttempts: 3,
  });
  if (response.status !== 200) {
    await response.body.cancel();
    // Not a verdict on the delivery: answer 5xx so that PayPal delivers it again later.
    throw new PatchbayError(
      'provider_unreachable',
      `PayPal's webhook verification answered ${response.status}; the delivery will be retried`,
    );
  }
  const answer = await response.json<{ verification_status?: unknown }>();
  return answer.verification_status === 'SUCCESS';
}
