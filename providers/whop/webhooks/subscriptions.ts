import { defineWebhookSubscriptions, type ScriptContext } from '../../../src/scripts/index.ts';
import { companyOf, whopRequest } from '../api.ts';
import { WHOP_MEMBERSHIP_EVENTS, WHOP_PAYMENT_EVENTS } from '../events.ts';

interface WhopListedWebhook {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
}

/**
 * Whop's webhooks resource (https://docs.whop.com/api-reference/webhooks), one webhook per
 * connection on its company (`resource_id`), API version v1, for the membership and payment
 * events the handlers apply. `POST /webhooks` answers the `webhook_secret` the deliveries are
 * signed with (kept encrypted by the engine). The key needs Whop's `developer:manage_webhook`
 * permission. Whop takes no idempotency key here: a registration retried after a lost answer
 * first looks for a webhook already at the connection's URL and replaces it, since Whop shows a
 * webhook's secret only when it is created.
 */
export default defineWebhookSubscriptions({
  topics: [...WHOP_MEMBERSHIP_EVENTS, ...WHOP_PAYMENT_EVENTS],

  async register(ctx, { url, topics }) {
    for (const existing of await listAll(ctx)) {
      if (existing.url === url) {
        await whopRequest(ctx, { method: 'DELETE', path: `/webhooks/${encodeURIComponent(existing.id)}` });
      }
    }
    const created = await whopRequest<{ id: string; webhook_secret: string }>(ctx, {
      method: 'POST',
      path: '/webhooks',
      body: { url, events: topics, api_version: 'v1', resource_id: companyOf(ctx), enabled: true },
    });
    return { id: created.id, secret: created.webhook_secret, topics };
  },

  async list(ctx) {
    return (await listAll(ctx)).map((webhook) => ({
      id: webhook.id,
      url: webhook.url,
      topics: webhook.events,
      enabled: webhook.enabled,
    }));
  },

  async update(ctx, id, { url, topics }) {
    await whopRequest(ctx, {
      method: 'PATCH',
      path: `/webhooks/${encodeURIComponent(id)}`,
      body: { url, events: topics, enabled: true },
    });
  },

  async remove(ctx, id) {
    await whopRequest(ctx, { method: 'DELETE', path: `/webhooks/${encodeURIComponent(id)}` });
  },
});

async function listAll(ctx: ScriptContext): Promise<WhopListedWebhook[]> {
  const webhooks: WhopListedWebhook[] = [];
  const query = { company_id: companyOf(ctx) };
  for await (const page of ctx.paginate<WhopListedWebhook>({ method: 'GET', path: '/webhooks', query })) {
    webhooks.push(...page.items);
  }
  return webhooks;
}
