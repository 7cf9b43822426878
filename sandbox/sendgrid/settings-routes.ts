/**
 * The Event Webhook settings of the SendGrid emulator
 * (https://www.twilio.com/docs/sendgrid/api-reference/webhooks): `POST` creates one (201, up to
 * five), `GET /all` lists them, `GET/PATCH/DELETE /{id}` one of them, the bare path is the older
 * single-webhook API (the account's first), and `…/signed[/{id}]` turns signing on or off and
 * answers the webhook's public key. Each method needs its `user.webhooks.event.settings.*` scope.
 */
import { parseJson as parse, SendGridRefusal } from './errors.ts';
import {
  answerOf,
  type EventWebhook,
  MAX_EVENT_WEBHOOKS,
  newEventWebhook,
  SETTING_NAMES,
  setSigned,
} from './event-webhook.ts';

/** What the routes act on: the account's webhooks, the time, and the key's scope check. */
export interface SettingsAccount {
  webhooks: EventWebhook[];
  now: Date;
  requireScope(scope: string): void;
}

/** The answer to a request under `/v3/user/webhooks/event/settings` (`rest`: what follows it). */
export function settingsRoute(
  method: string,
  rest: string,
  raw: Buffer,
  account: SettingsAccount,
): { status: number; body?: unknown } {
  const { webhooks, now, requireScope } = account;
  const scope = { GET: 'read', POST: 'create', PATCH: 'update', DELETE: 'delete' }[method];
  if (!scope) throw SendGridRefusal.plain(405, 'method not allowed');
  requireScope(`user.webhooks.event.settings.${scope}`);
  if (rest === '' && method === 'POST') {
    if (webhooks.length >= MAX_EVENT_WEBHOOKS) {
      throw new SendGridRefusal(400, [
        { field: null, message: `You can have at most ${MAX_EVENT_WEBHOOKS} Event Webhooks.`, help: null },
      ]);
    }
    const webhook = newEventWebhook(now);
    applySettings(webhook, parse(raw), true, now);
    webhooks.push(webhook);
    return { status: 201, body: answerOf(webhook) };
  }
  if (rest === '') {
    // The legacy single-webhook endpoints act on the account's first webhook.
    if (method === 'GET')
      return { status: 200, body: webhooks[0] ? answerOf(webhooks[0]) : answerOf(newEventWebhook(now)) };
    if (method === 'PATCH') {
      let first = webhooks[0];
      if (!first) {
        first = newEventWebhook(now);
        webhooks.push(first);
      }
      applySettings(first, parse(raw), false, now);
      return { status: 200, body: answerOf(first) };
    }
  }
  if (rest === '/all' && method === 'GET') {
    return { status: 200, body: { max_allowed: MAX_EVENT_WEBHOOKS, webhooks: webhooks.map(answerOf) } };
  }
  if (rest === '/signed' || rest.startsWith('/signed/')) {
    const id = rest.slice('/signed/'.length);
    const webhook = rest === '/signed' ? webhooks[0] : find(webhooks, id);
    if (!webhook) throw SendGridRefusal.plain(404, 'webhook not found');
    if (method === 'PATCH') {
      const body = parse(raw);
      if (typeof (body as { enabled?: unknown }).enabled !== 'boolean') {
        throw new SendGridRefusal(400, [
          { field: 'enabled', message: 'enabled is required and must be a boolean', help: null },
        ]);
      }
      setSigned(webhook, (body as { enabled: boolean }).enabled);
    } else if (method !== 'GET') throw SendGridRefusal.plain(405, 'method not allowed');
    return { status: 200, body: { id: webhook.settings.id, public_key: webhook.keys?.publicKey ?? '' } };
  }
  const webhook = find(webhooks, rest.slice(1));
  if (!webhook) throw SendGridRefusal.plain(404, 'webhook not found');
  if (method === 'GET') return { status: 200, body: answerOf(webhook) };
  if (method === 'PATCH') {
    applySettings(webhook, parse(raw), false, now);
    return { status: 200, body: answerOf(webhook) };
  }
  if (method === 'DELETE') {
    webhooks.splice(webhooks.indexOf(webhook), 1);
    return { status: 204 };
  }
  throw SendGridRefusal.plain(405, 'method not allowed');
}

function find(webhooks: readonly EventWebhook[], id: string): EventWebhook | undefined {
  return webhooks.find((webhook) => webhook.settings.id === decodeURIComponent(id));
}

function applySettings(webhook: EventWebhook, body: unknown, creating: boolean, now: Date): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw SendGridRefusal.plain(400, 'Bad Request');
  const fields = body as Record<string, unknown>;
  if (creating && (typeof fields.url !== 'string' || fields.url === '')) {
    throw new SendGridRefusal(400, [{ field: 'url', message: 'url is required', help: null }]);
  }
  if (fields.url !== undefined) {
    if (typeof fields.url !== 'string' || !URL.canParse(fields.url)) {
      throw new SendGridRefusal(400, [{ field: 'url', message: 'url must be a valid URL', help: null }]);
    }
    webhook.settings.url = fields.url;
  }
  for (const name of ['enabled', ...SETTING_NAMES] as const) {
    const value = fields[name];
    if (value === undefined) continue;
    if (typeof value !== 'boolean')
      throw new SendGridRefusal(400, [{ field: name, message: `${name} must be a boolean`, help: null }]);
    webhook.settings[name] = value;
  }
  if (typeof fields.friendly_name === 'string') webhook.settings.friendly_name = fields.friendly_name;
  webhook.settings.updated_date = now.toISOString();
}
