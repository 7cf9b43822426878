import {
  defineWebhookSubscriptions,
  PatchbayError,
  type ProviderResponse,
  type WebhookSubscriptionsContext,
} from '../../../src/scripts/index.ts';

/**
 * Gumroad's resource subscriptions (https://gumroad.com/api#resource-subscriptions), registered
 * per connection: `PUT /v2/resource_subscriptions` with one `resource_name` and a `post_url`
 * makes one subscription, so each resource is a subscription of its own; `GET` lists one
 * resource's, `DELETE /v2/resource_subscriptions/:id` removes one. They need the `view_sales`
 * scope the definition asks for.
 *
 * Gumroad signs nothing: a ping is a plain form post. What authenticates it is the secret in the
 * URL the engine registers (256 random bits, kept hashed, one per connection), and what makes it
 * safe to act on is that no ping field is trusted: a ping only starts an incremental run of the
 * sync that owns the resource, which reads the changed sales back from the API with the
 * connection's token. A forged ping (from someone who learned the URL) costs one listing, no more.
 */
/** Every resource Gumroad pings about: sales, their refunds and disputes, memberships' changes. */
const RESOURCES = [
  'sale',
  'refund',
  'dispute',
  'dispute_won',
  'cancellation',
  'subscription_updated',
  'subscription_ended',
  'subscription_restarted',
] as const;

export default defineWebhookSubscriptions({
  topics: RESOURCES,
  topicsPerSubscription: 'one',

  async register(ctx, { url, topics }) {
    const [resource] = topics;
    if (resource === undefined || topics.length !== 1) {
      throw new PatchbayError(
        'script_definition_invalid',
        'a Gumroad resource subscription takes one resource',
      );
    }
    // Gumroad has no idempotency key; a registration retried after a lost answer leaves a second
    // subscription, which the engine's scheduled check finds (same URL) and removes.
    const body = await call<{ resource_subscription: GumroadSubscription }>(
      ctx,
      'PUT',
      '/resource_subscriptions',
      {
        form: { resource_name: resource, post_url: url },
      },
    );
    const made = body.resource_subscription;
    return { id: made.id, topics: [made.resource_name] };
  },

  async list(ctx) {
    const listed: Array<{ id: string; url: string; topics: string[] }> = [];
    // Gumroad lists one resource at a time.
    for (const resource of RESOURCES) {
      const body = await call<{ resource_subscriptions: GumroadSubscription[] }>(
        ctx,
        'GET',
        '/resource_subscriptions',
        {
          query: { resource_name: resource },
        },
      );
      for (const s of body.resource_subscriptions)
        listed.push({ id: s.id, url: s.post_url, topics: [s.resource_name] });
    }
    return listed;
  },

  async remove(ctx, id) {
    await call(ctx, 'DELETE', `/resource_subscriptions/${encodeURIComponent(id)}`);
  },
});

interface GumroadSubscription {
  id: string;
  resource_name: string;
  post_url: string;
}

/**
 * One Gumroad call, parameters form-encoded; a non-2xx answer (or `success: false`) is thrown as
 * `provider_error` with the status and Gumroad's message (never the URL, which holds the token).
 */
async function call<T>(
  ctx: WebhookSubscriptionsContext,
  method: 'PUT' | 'GET' | 'DELETE',
  path: string,
  options: { form?: Record<string, string>; query?: Record<string, string> } = {},
): Promise<T> {
  const { form, query } = options;
  const response = await ctx.proxy.request({
    method,
    path,
    ...(query ? { query } : {}),
    ...(form
      ? {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
          // Each PUT makes a new subscription: a retry after a lost answer would make two.
          maxAttempts: 1,
        }
      : {}),
  });
  const text = await response.text();
  let body: { success?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not Gumroad's JSON (a proxy's page): the status says enough.
  }
  if (response.status < 200 || response.status > 299 || body.success === false) {
    throw gumroadError(method, path, response, body.message);
  }
  return body as T;
}

function gumroadError(
  method: string,
  path: string,
  response: ProviderResponse,
  message: unknown,
): PatchbayError {
  const said = typeof message === 'string' ? message : null;
  return new PatchbayError(
    'provider_error',
    `${method} ${path}: Gumroad answered ${response.status}${said ? ` (${said})` : ''}`,
    { details: { status: response.status, message: said } },
  );
}
