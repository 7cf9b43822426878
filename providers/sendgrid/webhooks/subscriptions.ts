import { defineWebhookSubscriptions, type WebhookSubscriptionsContext } from '../../../src/scripts/index.ts';
import { sendgridCall, sendgridJson } from '../api.ts';
import { SETTING_OF_EVENT } from '../models.ts';

/** An Event Webhook as SendGrid answers it: its settings are booleans per event kind. */
type EventWebhook = { id: string; url: string; enabled: boolean; public_key?: string } & Record<
  string,
  unknown
>;

const SETTINGS = '/user/webhooks/event/settings';

/**
 * SendGrid's Event Webhooks (https://www.twilio.com/docs/sendgrid/api-reference/webhooks), one
 * per connection (an account has up to five): created with `POST /user/webhooks/event/settings`
 * with a boolean per event kind, then signed with `PATCH …/signed/{id}`, which answers the
 * account's ECDSA public key — the "secret" the engine keeps for the connection and verifies its
 * deliveries with (the definition's `ecdsa_p256` scheme). SendGrid takes no idempotency key: a
 * registration retried after a lost answer adopts a webhook already pointing at the URL.
 */
export default defineWebhookSubscriptions({
  topics: Object.keys(SETTING_OF_EVENT),

  async register(ctx, { url, topics }) {
    const existing = (await listAll(ctx)).find((webhook) => webhook.url === url);
    const id = existing
      ? (
          await sendgridJson<EventWebhook>(ctx, {
            method: 'PATCH',
            path: `${SETTINGS}/${encodeURIComponent(existing.id)}`,
            body: settings(url, topics),
          })
        ).id
      : (
          await sendgridJson<EventWebhook>(ctx, {
            method: 'POST',
            path: SETTINGS,
            body: { ...settings(url, topics), friendly_name: 'Patchbay' },
          })
        ).id;
    const signed = await sendgridJson<{ public_key: string }>(ctx, {
      method: 'PATCH',
      path: `${SETTINGS}/signed/${encodeURIComponent(id)}`,
      body: { enabled: true },
    });
    return { id, secret: signed.public_key || null, topics };
  },

  async list(ctx) {
    return (await listAll(ctx)).map((webhook) => ({
      id: webhook.id,
      url: webhook.url,
      topics: Object.entries(SETTING_OF_EVENT)
        .filter(([, setting]) => webhook[setting] === true)
        .map(([event]) => event),
      enabled: webhook.enabled,
    }));
  },

  async update(ctx, id, { url, topics }) {
    await sendgridJson(ctx, {
      method: 'PATCH',
      path: `${SETTINGS}/${encodeURIComponent(id)}`,
      body: settings(url, topics),
    });
  },

  async remove(ctx, id) {
    const response = await sendgridCall(ctx, {
      method: 'DELETE',
      path: `${SETTINGS}/${encodeURIComponent(id)}`,
    });
    await response.text();
  },
});

/** The settings body: enabled, the URL, and every event kind's boolean (true for the topics). */
function settings(url: string, topics: readonly string[]): Record<string, unknown> {
  const body: Record<string, unknown> = { enabled: true, url };
  for (const [event, setting] of Object.entries(SETTING_OF_EVENT)) body[setting] = topics.includes(event);
  return body;
}

async function listAll(ctx: WebhookSubscriptionsContext): Promise<EventWebhook[]> {
  const all = await sendgridJson<{ webhooks?: EventWebhook[] }>(ctx, {
    method: 'GET',
    path: `${SETTINGS}/all`,
  });
  return all.webhooks ?? [];
}
