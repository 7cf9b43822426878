import {
  defineWebhookSubscriptions,
  PatchbayError,
  type ProviderResponse,
  type WebhookSubscriptionsContext,
} from '../../../src/scripts/index.ts';

/**
 * Stripe's webhook endpoints (`/v1/webhook_endpoints`), registered per connection for connections
 * by the user's own keys (`stripe-api-key`, which runs these scripts as a variant of `stripe`):
 * each gets an endpoint in its own account pointing at its own Patchbay URL, and the `whsec_…`
 * secret Stripe returns once, at creation, verifies its deliveries. Connect connections (`stripe`)
 * need none: the platform's one Connect endpoint receives every connected account's events,
 * routed by their `account`.
 *
 * Stripe takes exact event types or `*` in `enabled_events` (no `invoice.*` families), so the
 * topics are listed one by one: the invoice and payment events that move invoice records (and
 * the events the host is told about), and the create/update/delete events of the objects the
 * customers and products syncs keep, so an edit shows without waiting for the next sync.
 */
export default defineWebhookSubscriptions({
  topics: [
    'invoice.finalized',
    'invoice.sent',
    'invoice.paid',
    'invoice.payment_failed',
    'invoice.voided',
    'invoice.marked_uncollectible',
    'checkout.session.completed',
    'charge.refunded',
    'customer.created',
    'customer.updated',
    'customer.deleted',
    'product.created',
    'product.updated',
    'product.deleted',
    'price.created',
    'price.updated',
    'price.deleted',
  ],

  appliesTo: (connection) => connection.provider !== 'stripe',

  async register(ctx, { url, topics, idempotencyKey }) {
    const endpoint = await call<StripeEndpoint>(ctx, 'POST', '/v1/webhook_endpoints', {
      form: [
        ['url', url],
        ...eventParams(topics),
        ['description', 'Patchbay'],
        ['metadata[patchbay_connection_id]', ctx.connection.id],
      ],
      // A retry of a registration whose answer was lost gets the same endpoint (and secret) back.
      idempotencyKey,
    });
    return { id: endpoint.id, secret: endpoint.secret ?? null, topics: endpoint.enabled_events };
  },

  async list(ctx) {
    const endpoints: StripeEndpoint[] = [];
    for await (const page of ctx.paginate<StripeEndpoint>({ method: 'GET', path: '/v1/webhook_endpoints' })) {
      endpoints.push(...page.items);
    }
    return endpoints.map((e) => ({
      id: e.id,
      url: e.url,
      topics: e.enabled_events,
      enabled: e.status === 'enabled',
    }));
  },

  async update(ctx, id, { url, topics }) {
    // Also re-enables an endpoint Stripe disabled after failed deliveries; its secret is kept.
    await call<StripeEndpoint>(ctx, 'POST', `/v1/webhook_endpoints/${encodeURIComponent(id)}`, {
      form: [['url', url], ...eventParams(topics), ['disabled', 'false']],
    });
  },

  async remove(ctx, id) {
    await call(ctx, 'DELETE', `/v1/webhook_endpoints/${encodeURIComponent(id)}`, {});
  },
});

interface StripeEndpoint {
  id: string;
  url: string;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  /** Only in the answer to the create call. */
  secret?: string;
}

/** `enabled_events[0]=…&enabled_events[1]=…`, indexed as the official SDK sends arrays. */
function eventParams(topics: readonly string[]): Array<[string, string]> {
  return topics.map((topic, index) => [`enabled_events[${index}]`, topic]);
}

/**
 * One Stripe call: parameters form-encoded as Stripe reads them, the JSON answer parsed, and a
 * non-2xx answer thrown as `provider_error` with Stripe's status and error code (never the body).
 */
async function call<T>(
  ctx: WebhookSubscriptionsContext,
  method: 'POST' | 'DELETE',
  path: string,
  options: { form?: Array<[string, string]>; idempotencyKey?: string },
): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  const response = await ctx.proxy.request({
    method,
    path,
    headers,
    ...(options.form ? { body: new URLSearchParams(options.form).toString() } : {}),
  });
  const text = await response.text();
  if (response.status < 200 || response.status > 299) throw stripeError(method, path, response, text);
  return JSON.parse(text) as T;
}

function stripeError(method: string, path: string, response: ProviderResponse, text: string): PatchbayError {
  let error: { type?: unknown; code?: unknown } = {};
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
  } catch {
    // Not Stripe's error object (a proxy's page): the status says enough.
  }
  const code = typeof error.code === 'string' ? error.code : null;
  const type = typeof error.type === 'string' ? error.type : null;
  return new PatchbayError(
    'provider_error',
    `${method} ${path}: Stripe answered ${response.status}${code ? ` (${code})` : type ? ` (${type})` : ''}`,
    { details: { status: response.status, type, code } },
  );
}
