/**
 * The Shopify emulator driven by the official @shopify/admin-api-client: the client's requests
 * (URL, token header, body) reach it, its answers parse as the client expects (data, cost in
 * `extensions`, GraphQL errors), pagination and the cost bucket behave as Shopify documents.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AdminApiClient, type ClientResponse, createAdminApiClient } from '@shopify/admin-api-client';
import { type ShopifySandbox, startShopifySandbox, supportedApiVersions } from '../index.ts';

const PRODUCTS = `query Products($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    nodes { id title variants(first: 5) { nodes { id price inventoryQuantity } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface ProductsData {
  products: {
    nodes: Array<{ id: string; title: string; variants: { nodes: Array<{ id: string; price: string }> } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

interface Cost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

describe('Shopify emulator under @shopify/admin-api-client', () => {
  let shopify: ShopifySandbox;
  let clock = Date.UTC(2026, 11, 8);
  const apiVersion = supportedApiVersions(new Date(clock))[3]!;

  const clientWith = (accessToken: string): AdminApiClient =>
    createAdminApiClient({
      storeDomain: shopify.shop,
      apiVersion,
      accessToken,
      // The shop is the emulator on loopback, under /shops/<shop>.
      customFetchApi: (url, init) =>
        fetch(url.replace(`https://${shopify.shop}`, `${shopify.url}/shops/${shopify.shop}`), init),
    });

  before(async () => {
    shopify = await startShopifySandbox({
      now: () => new Date(clock),
      bucket: { maximumAvailable: 1000, restoreRate: 50 },
    });
    for (let index = 0; index < 5; index += 1)
      shopify.control.store.addProduct({ title: `Product ${index + 1}`, variants: 2 });
  });
  after(() => shopify.close());

  it('pages through products with the client and reports the cost', async () => {
    const client = clientWith(shopify.control.issueToken());
    const titles: string[] = [];
    let after: string | null = null;
    for (;;) {
      const answer: ClientResponse<ProductsData> = await client.request<ProductsData>(PRODUCTS, {
        variables: { first: 2, after },
      });
      assert.equal(answer.errors, undefined);
      const page = answer.data!.products;
      titles.push(...page.nodes.map((node) => node.title));
      assert.ok(
        page.nodes.every(
          (node) => node.id.startsWith('gid://shopify/Product/') && node.variants.nodes.length === 2,
        ),
      );
      const cost = answer.extensions?.cost as Cost;
      // 2 + 2 × (1 + 2 + 5 × 2) requested; what the page returned is what it costs.
      assert.equal(cost.requestedQueryCost, 28);
      assert.equal(cost.actualQueryCost, 2 + page.nodes.length * (1 + 2 + 2 * 2));
      after = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage) break;
    }
    assert.deepEqual(titles, ['Product 1', 'Product 2', 'Product 3', 'Product 4', 'Product 5']);
  });

  it('answers THROTTLED when the bucket cannot hold the requested cost, and refills with time', async () => {
    const client = clientWith(shopify.control.issueToken());
    const big = PRODUCTS.replace('variants(first: 5)', 'variants(first: 49)');
    // 2 + 10 × (3 + 98) = 1,012 would exceed the single-query cap; 9 a page asks 911.
    const over = await client.request(big, { variables: { first: 10 } });
    assert.equal(over.errors?.graphQLErrors?.[0]?.extensions?.code, 'MAX_COST_EXCEEDED');
    // Each run takes 911 points and gives back what the 5 products did not use: 37 spent.
    for (let run = 0; run < 3; run += 1) {
      const ok = await client.request(big, { variables: { first: 9 } });
      assert.equal(ok.errors, undefined);
    }
    const second = await client.request(big, { variables: { first: 9 } });
    assert.equal(second.errors?.graphQLErrors?.[0]?.extensions?.code, 'THROTTLED');
    const status = (second.extensions as { cost: Cost }).cost.throttleStatus;
    assert.equal(status.restoreRate, 50);
    clock += Math.ceil(((911 - status.currentlyAvailable) / 50) * 1000);
    const third = await client.request(big, { variables: { first: 9 } });
    assert.equal(third.errors, undefined);
  });

  it('refuses a missing or revoked token with Shopify’s 401', async () => {
    const answer = await clientWith('shpat_unknown').request(PRODUCTS, { variables: { first: 1 } });
    assert.equal(answer.errors?.networkStatusCode, 401);
  });

  it('creates and deletes a webhook subscription', async () => {
    const client = clientWith(shopify.control.issueToken());
    const created = await client.request<{
      webhookSubscriptionCreate: { webhookSubscription: { id: string; topic: string; uri: string } | null };
    }>(
      `mutation Create($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
        webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) { webhookSubscription { id topic uri } userErrors { field message } }
      }`,
      { variables: { topic: 'ORDERS_CREATE', sub: { uri: 'https://example.com/hooks', format: 'JSON' } } },
    );
    const subscription = created.data!.webhookSubscriptionCreate.webhookSubscription!;
    assert.equal(subscription.topic, 'ORDERS_CREATE');
    assert.equal(shopify.control.subscriptions.length, 1);
    const deleted = await client.request<{
      webhookSubscriptionDelete: { deletedWebhookSubscriptionId: string };
    }>(
      'mutation Delete($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }',
      { variables: { id: subscription.id } },
    );
    assert.equal(deleted.data!.webhookSubscriptionDelete.deletedWebhookSubscriptionId, subscription.id);
    assert.equal(shopify.control.subscriptions.length, 0);
  });
});
