/**
 * Webhooks of the Whop emulator (https://docs.whop.com/developer/guides/webhooks): endpoints
 * made with `POST /webhooks` (`url`, `events`, `api_version`, `resource_id`) answer a
 * `webhook_secret` once, and every event they subscribe to is POSTed to them as Whop's v1
 * envelope (`{ id, api_version, type, timestamp, company_id, data }`), signed per the Standard
 * Webhooks spec Whop follows: `webhook-id`, `webhook-timestamp` (Unix seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. Whop's SDK verifies
 * with `webhookKey: btoa(secret)`, so the HMAC key is the secret's own bytes; signing here uses
 * the `standardwebhooks` library with that key, the way the SDK checks it.
 */
import { randomBytes } from 'node:crypto';
import type { WebhookCreateResponse, WebhookEvent } from '@whop/sdk/resources/webhooks';
import { Webhook } from 'standardwebhooks';
import { whopId } from './state.ts';

/** A registered endpoint as the emulator keeps it: the SDK's create answer (with its secret). */
export type WhopWebhook = WebhookCreateResponse;

/** One POST to an endpoint. */
export interface WhopDelivery {
  webhookId: string;
  url: string;
  type: WebhookEvent;
  body: string;
  headers: Record<string, string>;
  /** The endpoint's answer; null when it could not be reached. */
  status: number | null;
}

export function newWebhook(
  input: { url: string; events: WebhookEvent[]; enabled: boolean; resourceId: string },
  now: Date,
): WhopWebhook {
  return {
    id: whopId('hook'),
    api_version: 'v1',
    child_resource_events: false,
    created_at: now.toISOString(),
    enabled: input.enabled,
    events: input.events,
    resource_id: input.resourceId,
    testable_events: input.events,
    url: input.url,
    // Whop's secrets are opaque strings (not whsec_ base64 keys): the SDK base64-encodes them.
    webhook_secret: `ws_${randomBytes(24).toString('hex')}`,
  };
}

/** The webhook as the API shows it after creation: everything but the secret. */
export function shownWebhook(webhook: WhopWebhook): Omit<WhopWebhook, 'webhook_secret'> {
  const { webhook_secret: _secret, ...shown } = webhook;
  return shown;
}

/** Signs `body` as Whop does for `webhook`, with the message id `id` at `at`. */
export function signDelivery(
  webhook: WhopWebhook,
  id: string,
  at: Date,
  body: string,
): Record<string, string> {
  const key = Buffer.from(webhook.webhook_secret, 'utf8').toString('base64');
  const timestamp = Math.floor(at.getTime() / 1000);
  const signature = new Webhook(key).sign(id, new Date(timestamp * 1000), body);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  };
}

/** POSTs the event `type` about `data` to `webhook`, signed; answers what happened. */
export async function deliver(
  webhook: WhopWebhook,
  type: WebhookEvent,
  companyId: string,
  data: unknown,
  at: Date,
): Promise<WhopDelivery> {
  const id = whopId('msg');
  const body = JSON.stringify({
    id,
    api_version: 'v1',
    type,
    timestamp: at.toISOString(),
    company_id: companyId,
    data,
  });
  const headers = signDelivery(webhook, id, at, body);
  let status: number | null = null;
  try {
    const response = await fetch(webhook.url, { method: 'POST', headers, body });
    status = response.status;
    await response.arrayBuffer();
  } catch {
    status = null;
  }
  return { webhookId: webhook.id, url: webhook.url, type, body, headers, status };
}
