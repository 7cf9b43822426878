/**
 * The webhooks resource of the Resend emulator (https://resend.com/docs/api-reference/webhooks):
 * `POST /webhooks` (`endpoint`, `events`; answers the id and the `whsec_…` signing secret), `GET
 * /webhooks` (listed without secrets), `GET /webhooks/{id}` (with it), `PATCH` (endpoint, events,
 * `status`) and `DELETE`.
 */
import { parseJson as parse, ResendRefusal } from './errors.ts';
import { newWebhook, RESEND_EMAIL_EVENTS, type ResendEmailEvent, type ResendWebhook } from './webhooks.ts';

/** The answer to a webhooks request; null for a method the resource does not take. */
export function webhookRoute(
  method: string,
  path: string,
  raw: Buffer,
  webhooks: ResendWebhook[],
  now: Date,
): { status: number; body: unknown } | null {
  if (path === '/webhooks' && method === 'POST') {
    const { endpoint, events } = webhookFields(parse(raw), true);
    if (endpoint === undefined || events === undefined) return null;
    const webhook = newWebhook(endpoint, events, now);
    webhooks.push(webhook);
    return {
      status: 200,
      body: { object: 'webhook', id: webhook.id, signing_secret: webhook.signing_secret },
    };
  }
  if (path === '/webhooks' && method === 'GET') {
    const data = webhooks.map(({ signing_secret: _, object: __, ...listed }) => listed);
    return { status: 200, body: { object: 'list', has_more: false, data } };
  }
  if (!path.startsWith('/webhooks/')) return null;
  const id = decodeURIComponent(path.slice('/webhooks/'.length));
  const index = webhooks.findIndex((webhook) => webhook.id === id);
  const webhook = webhooks[index];
  if (!webhook) throw new ResendRefusal('not_found', 'Webhook not found');
  if (method === 'GET') return { status: 200, body: webhook };
  if (method === 'PATCH') {
    const fields = webhookFields(parse(raw), false);
    if (fields.endpoint !== undefined) webhook.endpoint = fields.endpoint;
    if (fields.events !== undefined) webhook.events = fields.events;
    if (fields.status !== undefined) webhook.status = fields.status;
    return { status: 200, body: { object: 'webhook', id: webhook.id } };
  }
  if (method === 'DELETE') {
    webhooks.splice(index, 1);
    return { status: 200, body: { object: 'webhook', id: webhook.id, deleted: true } };
  }
  return null;
}

function webhookFields(
  body: unknown,
  required: boolean,
): { endpoint?: string; events?: ResendEmailEvent[]; status?: 'enabled' | 'disabled' } {
  if (typeof body !== 'object' || body === null)
    throw new ResendRefusal('validation_error', 'The request body must be a JSON object.');
  const { endpoint, events, status } = body as Record<string, unknown>;
  if (required && (endpoint === undefined || endpoint === ''))
    throw new ResendRefusal('missing_required_field', 'Missing `endpoint` field.');
  if (required && events === undefined)
    throw new ResendRefusal('missing_required_field', 'Missing `events` field.');
  if (endpoint !== undefined) {
    if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) {
      throw new ResendRefusal('validation_error', 'The `endpoint` field must be a valid URL.');
    }
  }
  if (events !== undefined) {
    const known: readonly string[] = RESEND_EMAIL_EVENTS;
    if (
      !Array.isArray(events) ||
      events.length === 0 ||
      events.some((event) => typeof event !== 'string' || !known.includes(event))
    ) {
      throw new ResendRefusal(
        'validation_error',
        `The \`events\` field must list events among ${RESEND_EMAIL_EVENTS.join(', ')}.`,
      );
    }
  }
  if (status !== undefined && status !== 'enabled' && status !== 'disabled') {
    throw new ResendRefusal('validation_error', 'The `status` field must be `enabled` or `disabled`.');
  }
  return {
    ...(endpoint !== undefined ? { endpoint: endpoint as string } : {}),
    ...(events !== undefined ? { events: events as ResendEmailEvent[] } : {}),
    ...(status !== undefined ? { status } : {}),
  };
}
