import { defineWebhookSubscriptions, PatchbayError } from '../../../src/scripts/index.ts';
import { graphql } from '../graphql.ts';

/** The topics every connection subscribes to through the API. */
export const SHOPIFY_TOPICS = ['orders/create', 'orders/updated', 'products/update', 'app/uninstalled'];

interface Subscription {
  id: string;
  topic: string;
  uri: string;
}

interface UserError {
  field: string[] | null;
  message: string;
}

/** `orders/create` → `ORDERS_CREATE`, the GraphQL WebhookSubscriptionTopic enum. */
export function topicEnum(topic: string): string {
  return topic.replace('/', '_').toUpperCase();
}

/** `ORDERS_CREATE` → `orders/create`. */
export function topicOf(value: string): string {
  const [resource, ...action] = value.toLowerCase().split('_');
  return `${resource}/${action.join('_')}`;
}

const CREATE = `mutation PatchbayWebhookCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`;

const LIST = `query PatchbayWebhooks($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    nodes { id topic uri }
    pageInfo { hasNextPage endCursor }
  }
}`;

const DELETE = `mutation PatchbayWebhookDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}`;

/**
 * Shopify webhooks (https://shopify.dev/docs/apps/build/webhooks/subscribe/get-started), one
 * subscription per topic per connection, made with `webhookSubscriptionCreate` and signed with
 * the app's client secret (so no secret comes back). Shopify refuses a second subscription of a
 * topic to the same address; a registration retried after a lost answer adopts the one it made.
 * The privacy topics (`customers/data_request`, `customers/redact`, `shop/redact`) are set in the
 * app's configuration, not through the API: see docs/providers/shopify.md.
 */
export default defineWebhookSubscriptions({
  topics: SHOPIFY_TOPICS,
  topicsPerSubscription: 'one',

  async register(ctx, { url, topics }) {
    const topic = topics[0];
    if (topic === undefined || topics.length !== 1) {
      throw new PatchbayError('invalid_request', 'A Shopify webhook subscription has exactly one topic');
    }
    const existing = (await listAll(ctx)).find(
      (subscription) => subscription.uri === url && topicOf(subscription.topic) === topic,
    );
    if (existing) return { id: existing.id, topics };
    const data = await graphql<{
      webhookSubscriptionCreate: { webhookSubscription: Subscription | null; userErrors: UserError[] };
    }>(ctx, CREATE, { topic: topicEnum(topic), webhookSubscription: { uri: url, format: 'JSON' } });
    const created = data.webhookSubscriptionCreate;
    if (!created.webhookSubscription) {
      throw new PatchbayError(
        'provider_error',
        `Shopify refused the ${topic} webhook: ${created.userErrors.map((error) => error.message).join('; ')}`,
      );
    }
    return { id: created.webhookSubscription.id, topics };
  },

  async list(ctx) {
    return (await listAll(ctx)).map((subscription) => ({
      id: subscription.id,
      url: subscription.uri,
      topics: [topicOf(subscription.topic)],
    }));
  },

  async remove(ctx, id) {
    const data = await graphql<{
      webhookSubscriptionDelete: { deletedWebhookSubscriptionId: string | null; userErrors: UserError[] };
    }>(ctx, DELETE, { id });
    const deleted = data.webhookSubscriptionDelete;
    // Already gone (removed in the admin, or with the app) is what a removal wants.
    if (
      deleted.deletedWebhookSubscriptionId === null &&
      !deleted.userErrors.some((e) => /does not exist/i.test(e.message))
    ) {
      throw new PatchbayError(
        'provider_error',
        `Shopify refused to delete the webhook: ${deleted.userErrors.map((error) => error.message).join('; ')}`,
      );
    }
  },
});

async function listAll(ctx: Parameters<typeof graphql>[0]): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let after: string | null = null;
  for (;;) {
    const data: {
      webhookSubscriptions: {
        nodes: Subscription[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } = await graphql(ctx, LIST, { first: 100, after });
    all.push(...data.webhookSubscriptions.nodes);
    after = data.webhookSubscriptions.pageInfo.endCursor;
    if (!data.webhookSubscriptions.pageInfo.hasNextPage || after === null) return all;
  }
}
