/**
 * Webhook subscriptions and deliveries, from https://shopify.dev/docs/apps/build/webhooks:
 * subscriptions made with the GraphQL `webhookSubscriptionCreate` (topic as the enum,
 * `ORDERS_CREATE`; the endpoint as `uri`) and removed with `webhookSubscriptionDelete`; each
 * delivery is a JSON POST with `X-Shopify-Topic` (`orders/create`), `X-Shopify-Hmac-Sha256`
 * (base64 HMAC-SHA256 of the raw body keyed by the app's client secret),
 * `X-Shopify-Shop-Domain`, `X-Shopify-Webhook-Id`, `X-Shopify-Event-Id`,
 * `X-Shopify-Triggered-At` and `X-Shopify-API-Version`. The mandatory privacy topics
 * (`customers/data_request`, `customers/redact`, `shop/redact`) are configured in the app's
 * settings, not through the API: `deliverPrivacy` sends them to a URL given by the test.
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface ShopifyWebhookSubscription {
  id: string;
  /** The GraphQL enum, `ORDERS_CREATE`. */
  topic: string;
  uri: string;
  format: 'JSON';
  createdAt: string;
}

export interface ShopifyDelivery {
  url: string;
  topic: string;
  status: number | null;
  body: string;
}

/** `ORDERS_CREATE` → `orders/create`; `APP_UNINSTALLED` → `app/uninstalled`. */
export function topicName(value: string): string {
  const [resource, ...action] = value.toLowerCase().split('_');
  return `${resource}/${action.join('_')}`;
}

/** The base64 HMAC-SHA256 of a raw body, as `X-Shopify-Hmac-Sha256` carries it. */
export function shopifyHmac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

export async function deliver(options: {
  url: string;
  topic: string;
  payload: unknown;
  shop: string;
  secret: string;
  apiVersion: string;
  now: Date;
}): Promise<ShopifyDelivery> {
  const body = JSON.stringify(options.payload);
  let status: number | null = null;
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': options.topic,
        'x-shopify-hmac-sha256': shopifyHmac(options.secret, body),
        'x-shopify-shop-domain': options.shop,
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-event-id': randomUUID(),
        'x-shopify-triggered-at': options.now.toISOString(),
        'x-shopify-api-version': options.apiVersion,
      },
      body,
    });
    status = response.status;
    await response.arrayBuffer();
  } catch {
    status = null;
  }
  return { url: options.url, topic: options.topic, status, body };
}
