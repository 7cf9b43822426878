/**
 * Webhooks of the Resend emulator (https://resend.com/docs/api-reference/webhooks): endpoints
 * registered with `POST /webhooks` (`endpoint`, `events`) get a `whsec_…` signing secret, and
 * every email event they subscribe to is POSTed to them signed the way Resend's deliveries are
 * (Resend delivers through Svix): `svix-id`, `svix-timestamp` (Unix seconds) and
 * `svix-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` — Standard Webhooks
 * under Svix's header names. Signing uses the `standardwebhooks` library, the one Resend's SDK
 * verifies with.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { EmailDeliveredEvent, GetWebhookResponseSuccess, WebhookEvent } from 'resend';
import { Webhook } from 'standardwebhooks';
import type { ResendEmail } from './emails.ts';
import { resendTime } from './emails.ts';

/** The email events Resend sends (its `WebhookEvent` type lists these and non-email ones). */
export const RESEND_EMAIL_EVENTS = [
  'email.sent',
  'email.scheduled',
  'email.delivered',
  'email.delivery_delayed',
  'email.complained',
  'email.bounced',
  'email.opened',
  'email.clicked',
  'email.received',
  'email.failed',
  'email.suppressed',
] as const satisfies readonly WebhookEvent[];
export type ResendEmailEvent = (typeof RESEND_EMAIL_EVENTS)[number];

/**
 * A registered webhook as `GET /webhooks/{id}` answers it (the SDK's `GetWebhookResponseSuccess`;
 * the secret is also returned at creation).
 */
export type ResendWebhook = GetWebhookResponseSuccess & { events: WebhookEvent[] };

/** One POST to a webhook endpoint. */
export interface ResendDelivery {
  webhookId: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  /** The endpoint's answer; null when it could not be reached. */
  status: number | null;
}

/** What an email event adds to its `data`. */
export interface EmailEventDetails {
  bounce?: { message: string; subType: string; type: 'Permanent' | 'Transient' | 'Undetermined' };
  click?: { ipAddress: string; link: string; timestamp: string; userAgent: string };
  failed?: { reason: string };
}

export function newWebhook(endpoint: string, events: WebhookEvent[], now: Date): ResendWebhook {
  return {
    object: 'webhook',
    id: randomUUID(),
    endpoint,
    events,
    status: 'enabled',
    created_at: resendTime(now),
    signing_secret: `whsec_${randomBytes(24).toString('base64')}`,
  };
}

/** The body Resend posts for an email event; its common `data` is checked against the SDK's event type. */
export function emailEventBody(
  type: ResendEmailEvent,
  email: ResendEmail,
  at: Date,
  details: EmailEventDetails,
) {
  const data: EmailDeliveredEvent['data'] = {
    created_at: email.created_at,
    email_id: email.id,
    message_id: email.message_id,
    from: email.from,
    to: email.to,
    subject: email.subject,
    ...(email.tags.length > 0
      ? { tags: Object.fromEntries(email.tags.map((tag) => [tag.name, tag.value])) }
      : {}),
  };
  return { type, created_at: resendTime(at), data: { ...data, ...details } };
}

/** The Svix headers of one delivery of `body`, signed with the webhook's secret. */
export function svixHeaders(
  secret: string,
  body: string,
  at: Date,
  id = `msg_${randomBytes(14).toString('base64url')}`,
) {
  return {
    'svix-id': id,
    'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
    'svix-signature': new Webhook(secret).sign(id, at, body),
  };
}

/** POSTs one signed event to a webhook; never throws (an unreachable endpoint is a null status). */
export async function deliver(webhook: ResendWebhook, payload: unknown, at: Date): Promise<ResendDelivery> {
  const body = JSON.stringify(payload);
  const headers = { 'content-type': 'application/json', ...svixHeaders(webhook.signing_secret, body, at) };
  let status: number | null = null;
  try {
    const answer = await fetch(webhook.endpoint, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(15_000),
    });
    await answer.arrayBuffer();
    status = answer.status;
  } catch {
    status = null;
  }
  return { webhookId: webhook.id, url: webhook.endpoint, body, headers, status };
}
