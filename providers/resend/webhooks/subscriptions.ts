import { defineWebhookSubscriptions } from '../../../src/scripts/index.ts';
import { resendRequest } from '../api.ts';
import { RESEND_EVENT_TYPES } from '../models.ts';

interface ResendWebhook {
  id: string;
  endpoint: string;
  events: string[] | null;
  status: 'enabled' | 'disabled';
}

/**
 * Resend's webhooks (https://resend.com/docs/api-reference/webhooks), one per connection, for
 * the email events the `email-events` handler keeps: `POST /webhooks` answers the `whsec_…`
 * signing secret its Svix deliveries are verified with (kept encrypted by the engine). Resend
 * takes no Idempotency-Key on this call; a registration retried after a lost answer first looks
 * for a webhook already pointing at the connection's URL and adopts it.
 */
export default defineWebhookSubscriptions({
  topics: Object.keys(RESEND_EVENT_TYPES),

  async register(ctx, { url, topics }) {
    const existing = (await listAll(ctx)).find((webhook) => webhook.endpoint === url);
    if (existing) {
      await resendRequest(ctx, {
        method: 'PATCH',
        path: `/webhooks/${encodeURIComponent(existing.id)}`,
        body: { endpoint: url, events: topics, status: 'enabled' },
      });
      // Resend shows a webhook's secret on GET: the adopted one verifies as a new one would.
      const full = await resendRequest<{ signing_secret?: string }>(ctx, {
        method: 'GET',
        path: `/webhooks/${encodeURIComponent(existing.id)}`,
      });
      return { id: existing.id, secret: full.signing_secret ?? null, topics };
    }
    const created = await resendRequest<{ id: string; signing_secret: string }>(ctx, {
      method: 'POST',
      path: '/webhooks',
      body: { endpoint: url, events: topics },
    });
    return { id: created.id, secret: created.signing_secret, topics };
  },

  async list(ctx) {
    return (await listAll(ctx)).map((webhook) => ({
      id: webhook.id,
      url: webhook.endpoint,
      topics: webhook.events ?? [],
      enabled: webhook.status === 'enabled',
    }));
  },

  async update(ctx, id, { url, topics }) {
    await resendRequest(ctx, {
      method: 'PATCH',
      path: `/webhooks/${encodeURIComponent(id)}`,
      body: { endpoint: url, events: topics, status: 'enabled' },
    });
  },

  async remove(ctx, id) {
    await resendRequest(ctx, { method: 'DELETE', path: `/webhooks/${encodeURIComponent(id)}` });
  },
});

async function listAll(ctx: Parameters<typeof resendRequest>[0]): Promise<ResendWebhook[]> {
  const webhooks: ResendWebhook[] = [];
  for await (const page of ctx.paginate<ResendWebhook>({ method: 'GET', path: '/webhooks' })) {
    webhooks.push(...page.items);
  }
  return webhooks;
}
