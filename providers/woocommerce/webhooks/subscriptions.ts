import { randomBytes } from 'node:crypto';
import { defineWebhookSubscriptions, type WebhookSubscriptionsContext } from '../../../src/scripts/index.ts';
import { wooRequest } from '../api.ts';

interface WooWebhook {
  id: number;
  name: string;
  status: 'active' | 'paused' | 'disabled';
  topic: string;
  delivery_url: string;
}

/** The name our webhooks carry at the store, so the shop manager sees whose they are. */
const NAME_PREFIX = 'Patchbay';

/**
 * WooCommerce webhooks (https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks): one
 * per topic — a WooCommerce webhook has exactly one — all delivering to the connection's URL,
 * created with `POST /webhooks` and a secret we generate (WooCommerce signs each delivery's body
 * with it: `X-WC-Webhook-Signature`). The engine keeps the secret encrypted; the subscription's
 * id is the webhook ids joined with commas. The store pings each new webhook (the definition's
 * `form_ping` handshake answers it). A retry after a lost answer adopts webhooks already pointing
 * at the URL instead of adding twins; removal deletes with `force=true` (webhooks cannot be trashed).
 */
export default defineWebhookSubscriptions({
  topics: [
    'order.created',
    'order.updated',
    'order.deleted',
    'order.restored',
    'product.created',
    'product.updated',
    'product.deleted',
    'product.restored',
    'customer.created',
    'customer.updated',
    'customer.deleted',
  ],

  async register(ctx, { url, topics }) {
    const secret = randomBytes(32).toString('base64url');
    const existing = (await listAll(ctx)).filter((hook) => hook.delivery_url === url);
    const ids: number[] = [];
    for (const topic of topics) {
      const adopted = existing.find((hook) => hook.topic === topic);
      const body = { name: `${NAME_PREFIX} ${topic}`, topic, delivery_url: url, secret, status: 'active' };
      if (adopted) {
        // Its old secret is unknown to us: the new one replaces it.
        await wooRequest(ctx, { method: 'PUT', path: `/webhooks/${adopted.id}`, body, maxAttempts: 3 });
        ids.push(adopted.id);
      } else {
        const created = await wooRequest<WooWebhook>(ctx, {
          method: 'POST',
          path: '/webhooks',
          body,
          maxAttempts: 1,
        });
        ids.push(created.id);
      }
    }
    return { id: ids.join(','), secret, topics };
  },

  async list(ctx) {
    const byUrl = new Map<string, WooWebhook[]>();
    for (const hook of await listAll(ctx)) {
      if (!hook.name.startsWith(NAME_PREFIX)) continue;
      byUrl.set(hook.delivery_url, [...(byUrl.get(hook.delivery_url) ?? []), hook]);
    }
    return [...byUrl.entries()].map(([url, hooks]) => ({
      id: hooks.map((hook) => hook.id).join(','),
      url,
      topics: hooks.map((hook) => hook.topic),
      enabled: hooks.every((hook) => hook.status === 'active'),
    }));
  },

  async update(ctx, id, { url, topics }) {
    const hooks = await listAll(ctx);
    const ours = new Set(id.split(','));
    for (const hook of hooks.filter((h) => ours.has(String(h.id)))) {
      await wooRequest(ctx, {
        method: 'PUT',
        path: `/webhooks/${hook.id}`,
        body: { delivery_url: url, status: 'active' },
        maxAttempts: 3,
      });
    }
    const covered = new Set(hooks.filter((h) => ours.has(String(h.id))).map((h) => h.topic));
    const missing = topics.filter((topic) => !covered.has(topic));
    if (missing.length > 0) {
      ctx.log.warn(
        { missing },
        'webhooks missing at the store for some topics: the subscription needs registering again',
      );
    }
  },

  async remove(ctx, id) {
    for (const hookId of id.split(',')) {
      if (!/^\d+$/.test(hookId)) continue;
      try {
        await wooRequest(ctx, { method: 'DELETE', path: `/webhooks/${hookId}`, query: { force: 'true' } });
      } catch (error) {
        // Already deleted at the store (by the shop manager): nothing left to remove.
        if ((error as { details?: { status?: number } }).details?.status !== 404) throw error;
      }
    }
  },
});

async function listAll(ctx: WebhookSubscriptionsContext): Promise<WooWebhook[]> {
  const hooks: WooWebhook[] = [];
  for await (const page of ctx.paginate<WooWebhook>({
    method: 'GET',
    path: '/webhooks',
    signal: ctx.signal,
  })) {
    hooks.push(...page.items);
  }
  return hooks;
}
