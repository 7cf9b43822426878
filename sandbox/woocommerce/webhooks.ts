/**
 * Webhooks of the WooCommerce emulator, as https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
 * describes them: created through `POST /webhooks` with a topic, a delivery URL and a secret;
 * pinged at creation with an unsigned form body `webhook_id=<id>`; each delivery a POST of the
 * resource's JSON (as the API's GET answers it) with `X-WC-Webhook-Source`, `-Topic`,
 * `-Resource`, `-Event`, `-ID`, `-Delivery-ID` and `-Signature`: the base64 HMAC-SHA256 of the
 * raw body keyed with the webhook's secret.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { WcWebhook } from './types.ts';

/** One POST the store made to a delivery URL. */
export interface WcDelivery {
  webhookId: number;
  url: string;
  kind: 'ping' | 'event';
  topic: string | null;
  body: string;
  headers: Record<string, string>;
  /** The receiver's answer; null when it could not be reached. */
  status: number | null;
}

/** The signature WooCommerce puts in `X-WC-Webhook-Signature`. */
export function wcSignature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<number | null> {
  try {
    const answer = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
    await answer.arrayBuffer();
    return answer.status;
  } catch {
    return null;
  }
}

/** The creation ping: `webhook_id=<id>`, form-encoded, unsigned. */
export async function ping(webhook: WcWebhook, userAgent: string): Promise<WcDelivery> {
  const body = `webhook_id=${webhook.id}`;
  const headers = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent };
  const status = await post(webhook.delivery_url, headers, body);
  return {
    webhookId: webhook.id,
    url: webhook.delivery_url,
    kind: 'ping',
    topic: null,
    body,
    headers,
    status,
  };
}

/** One signed delivery of `resource` for the webhook's topic. */
export async function deliverEvent(
  webhook: WcWebhook,
  secret: string,
  siteUrl: string,
  resource: unknown,
  userAgent: string,
): Promise<WcDelivery> {
  const body = JSON.stringify(resource);
  const headers = {
    'content-type': 'application/json',
    'user-agent': userAgent,
    'x-wc-webhook-source': `${siteUrl}/`,
    'x-wc-webhook-topic': webhook.topic,
    'x-wc-webhook-resource': webhook.resource,
    'x-wc-webhook-event': webhook.event,
    'x-wc-webhook-signature': wcSignature(secret, body),
    'x-wc-webhook-id': String(webhook.id),
    'x-wc-webhook-delivery-id': randomUUID(),
  };
  const status = await post(webhook.delivery_url, headers, body);
  return {
    webhookId: webhook.id,
    url: webhook.delivery_url,
    kind: 'event',
    topic: webhook.topic,
    body,
    headers,
    status,
  };
}
