/**
 * SendGrid's Event Webhook in the emulator
 * (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event): webhooks configured
 * through `/v3/user/webhooks/event/settings…`, each choosing its event kinds by boolean
 * (`delivered`, `spam_report`…), and events POSTed as a JSON array, several per request. A
 * webhook with signing enabled gets a P-256 key pair; each request then carries
 * `X-Twilio-Email-Event-Webhook-Timestamp` and `X-Twilio-Email-Event-Webhook-Signature`, the
 * base64 DER ECDSA-SHA256 signature of the timestamp followed by the raw body, which the account's
 * public key (base64 DER SubjectPublicKeyInfo, as SendGrid shows it) verifies.
 */
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { SendGridMessage } from './mail.ts';

/** The event kinds a webhook setting turns on, by setting name → the `event` value it posts. */
export const SETTING_EVENTS = {
  processed: ['processed'],
  dropped: ['dropped'],
  delivered: ['delivered'],
  deferred: ['deferred'],
  bounce: ['bounce'],
  open: ['open'],
  click: ['click'],
  spam_report: ['spamreport'],
  unsubscribe: ['unsubscribe'],
  group_unsubscribe: ['group_unsubscribe'],
  group_resubscribe: ['group_resubscribe'],
} as const;
export type SettingName = keyof typeof SETTING_EVENTS;
export const SETTING_NAMES = Object.keys(SETTING_EVENTS) as SettingName[];
export type SendGridEventKind = (typeof SETTING_EVENTS)[SettingName][number];

/** SendGrid's limit of Event Webhooks per account. */
export const MAX_EVENT_WEBHOOKS = 5;

/** One Event Webhook as SendGrid answers it (`public_key` only once signing is on). */
export type EventWebhookSettings = {
  id: string;
  enabled: boolean;
  url: string;
  friendly_name: string | null;
  created_date: string;
  updated_date: string;
  oauth_client_id: string;
  oauth_token_url: string;
} & Record<SettingName, boolean>;

/** A webhook with its signing keys (never answered). */
export interface EventWebhook {
  settings: EventWebhookSettings;
  keys: { privateKey: KeyObject; publicKey: string } | null;
}

export function newEventWebhook(now: Date): EventWebhook {
  const at = now.toISOString();
  return {
    settings: {
      id: crypto.randomUUID(),
      enabled: false,
      url: '',
      friendly_name: null,
      created_date: at,
      updated_date: at,
      oauth_client_id: '',
      oauth_token_url: '',
      ...(Object.fromEntries(SETTING_NAMES.map((name) => [name, false])) as Record<SettingName, boolean>),
    },
    keys: null,
  };
}

/** The settings as answered, with `public_key` when signing is on. */
export function answerOf(webhook: EventWebhook): EventWebhookSettings & { public_key?: string } {
  return webhook.keys ? { ...webhook.settings, public_key: webhook.keys.publicKey } : { ...webhook.settings };
}

/** Turns signing on (a new key pair) or off. */
export function setSigned(webhook: EventWebhook, enabled: boolean): void {
  if (!enabled) {
    webhook.keys = null;
    return;
  }
  if (webhook.keys) return;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  webhook.keys = {
    privateKey,
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

/** Whether the webhook posts events of `kind`. */
export function wants(webhook: EventWebhook, kind: SendGridEventKind): boolean {
  if (!webhook.settings.enabled || webhook.settings.url === '') return false;
  return SETTING_NAMES.some(
    (name) => webhook.settings[name] && (SETTING_EVENTS[name] as readonly string[]).includes(kind),
  );
}

/** What an event adds to the common fields (`reason` of a bounce, `url` of a click…). */
export type EventDetails = Record<string, string | number | boolean>;

/** What a test asks to happen to a message. */
export interface EventRequest {
  messageId: string;
  event: SendGridEventKind;
  /** Default the message's first recipient. */
  email?: string;
  details?: EventDetails;
}

const DEFAULT_DETAILS: Partial<Record<SendGridEventKind, EventDetails>> = {
  delivered: { response: '250 OK', tls: 1, ip: '127.0.0.1' },
  deferred: { response: '400 try again later', attempt: '1' },
  bounce: {
    type: 'bounce',
    status: '5.1.1',
    reason: '550 5.1.1 The email account that you tried to reach does not exist.',
    bounce_classification: 'Invalid Address',
  },
  dropped: { reason: 'Bounced Address' },
  open: { useragent: 'Mozilla/5.0', ip: '127.0.0.1', sg_machine_open: false },
  click: { url: 'https://example.com/', useragent: 'Mozilla/5.0', ip: '127.0.0.1', url_offset: 0 },
};

/** One event object as SendGrid posts it: the common fields, the message's custom args, the details. */
export function eventObject(
  message: SendGridMessage,
  request: EventRequest,
  at: Date,
): Record<string, unknown> {
  const personalization =
    message.personalizations.find((p) =>
      [...p.to, ...(p.cc ?? []), ...(p.bcc ?? [])].some((a) => a.email === request.email),
    ) ?? message.personalizations[0];
  const email = request.email ?? personalization?.to[0]?.email ?? '';
  return {
    // Custom args first: SendGrid's own fields win over a custom arg of the same name.
    ...message.customArgs,
    ...(personalization?.custom_args ?? {}),
    email,
    timestamp: Math.floor(at.getTime() / 1000),
    'smtp-id': `<${message.id}@sandbox.sendgrid.invalid>`,
    event: request.event,
    ...(message.categories.length > 0 ? { category: message.categories } : {}),
    sg_event_id: randomBytes(16).toString('base64url').slice(0, 22),
    sg_message_id: `${message.id}.filterdrecv-${randomBytes(4).toString('hex')}-1-${randomBytes(4).toString('hex').toUpperCase()}-1.0`,
    ...(DEFAULT_DETAILS[request.event] ?? {}),
    ...(request.details ?? {}),
  };
}

/** One POST of the Event Webhook. */
export interface SendGridDelivery {
  webhookId: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  status: number | null;
}

/** The signature headers of `body` at `at` with the webhook's key; none when it is not signed. */
export function signatureHeaders(webhook: EventWebhook, body: string, at: Date): Record<string, string> {
  if (!webhook.keys) return {};
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), {
    key: webhook.keys.privateKey,
    dsaEncoding: 'der',
  }).toString('base64');
  return {
    'X-Twilio-Email-Event-Webhook-Signature': signature,
    'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
  };
}

/** POSTs a batch of events to one webhook; never throws. */
export async function deliverEvents(
  webhook: EventWebhook,
  events: unknown[],
  at: Date,
): Promise<SendGridDelivery> {
  const body = JSON.stringify(events);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'SendGrid Event API',
    ...signatureHeaders(webhook, body, at),
  };
  let status: number | null = null;
  try {
    const answer = await fetch(webhook.settings.url, {
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
  return { webhookId: webhook.settings.id, url: webhook.settings.url, body, headers, status };
}
