/**
 * Issue 19's Shopify story through the engine's API against the Shopify emulator: a shop installs
 * the app (OAuth authorization-code grant, the shop as connection config), the first `products`,
 * `customers` and `orders` runs give exact counts, the engine registers the connection's webhook
 * topics through `webhookSubscriptionCreate`, a signed `orders/updated` updates the order record
 * and reaches the host's endpoint as `store_order.updated`, `customers/redact` deletes exactly that
 * customer and their orders, `customers/data_request` reaches the host, deleting the connection
 * removes its subscriptions at the shop, and `app/uninstalled` disconnects a connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { LOCATION_ID, type ShopifySandbox, startShopifySandbox } from '../../sandbox/index.ts';
import { connectHeadless } from '../support/connect-flow.ts';
import { testDatabases } from '../support/databases.ts';
import {
  type LibraryEngine,
  startLibraryEngine,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from '../support/library-engine.ts';

const EVENTS = [
  'store_order.created',
  'store_order.updated',
  'commerce.customer_data_requested',
  'connection.reauth_required',
];

for (const target of await testDatabases()) {
  describe(`Shopify on ${target.name}: install → syncs → webhooks → privacy → action → delete → uninstall`, {
    skip: target.skip,
  }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: Awaited<ReturnType<NonNullable<typeof target.create>>> | undefined;
    let engine: LibraryEngine;
    let shopify: ShopifySandbox;
    let receiver: WebhookReceiver;
    let hostSecret: string;
    let connectionId: string;

    before(async () => {
      database = await target.create!();
      engine = await startLibraryEngine({
        config: {
          apiRateLimit: 1_000_000,
          webhookRetryJitter: 0,
          ...(database.databaseUrl ? { databaseUrl: database.databaseUrl } : {}),
        },
      });
      shopify = await startShopifySandbox();
      const store = shopify.control.store;
      const mug = store.addProduct({ title: 'Mug', variants: 2, price: '12.50', inventory: 7 });
      store.addProduct({ title: 'Poster', price: '30.00' });
      store.addProduct({ title: 'Sticker', price: '2.00' });
      const ada = store.addCustomer({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });
      const bob = store.addCustomer({ firstName: 'Bob', lastName: 'Kahn', email: 'bob@example.com' });
      store.addOrder({ customer: ada, variant: mug.variants[0]!, quantity: 2 });
      store.addOrder({ customer: bob, variant: mug.variants[1]!, quantity: 1 });
      receiver = await startWebhookReceiver();
      const endpoint = await engine.call('POST', '/v1/endpoints', { url: receiver.url, eventTypes: EVENTS });
      assert.equal(endpoint.status, 201, endpoint.text);
      hostSecret = endpoint.body.secret;
      const integration = await engine.call('POST', '/v1/integrations', {
        provider: 'shopify',
        clientId: shopify.clientId,
        clientSecret: shopify.clientSecret,
        settings: { baseUrls: { 'https://${shop}': `${shopify.url}/shops/\${shop}` } },
      });
      assert.equal(integration.status, 201, integration.text);
    });
    after(async () => {
      await engine?.stop();
      await shopify?.close();
      await receiver?.close();
      await database?.destroy();
    });

    const delivered = (type: string) =>
      receiver.received
        .map(
          (request) =>
            new Webhook(hostSecret).verify(request.body, request.headers) as {
              type: string;
              data: Record<string, unknown>;
            },
        )
        .filter((message) => message.type === type);

    const records = async (model: string) => {
      const answer = await engine.call(
        'GET',
        `/v1/records?connectionId=${connectionId}&model=${model}&limit=200`,
      );
      assert.equal(answer.status, 200, answer.text);
      return answer.body.data as Array<{ id: string; data: Record<string, unknown> }>;
    };

    const finishedRun = (sync: string) =>
      waitFor(`the first ${sync} run`, async () => {
        const answer = await engine.call(
          'GET',
          `/v1/sync-runs?connectionId=${connectionId}&sync=${sync}&limit=1`,
        );
        const run = answer.body.data?.[0];
        return run && ['succeeded', 'failed'].includes(run.status) ? run : undefined;
      });

    it('installs through OAuth and syncs exact counts', async () => {
      ({ connectionId } = await connectHeadless({
        engineUrl: engine.baseUrl,
        apiKey: engine.apiKey,
        integration: 'shopify',
        connectionConfig: { shop: shopify.shop },
      }));
      for (const [sync, count] of [
        ['products', 3],
        ['customers', 2],
        ['orders', 2],
      ] as const) {
        const run = await finishedRun(sync);
        assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
        assert.equal(run.added, count, sync);
      }
      const mug = (await records('products')).find((record) => record.data.name === 'Mug');
      const variants = mug?.data.variants as Array<{
        price: number;
        currency: string;
        inventoryQuantity: number;
      }>;
      assert.deepEqual(
        variants.map((variant) => [variant.price, variant.currency, variant.inventoryQuantity]),
        [
          [1250, 'usd', 7],
          [1250, 'usd', 7],
        ],
      );
    });

    it('registers the connection’s topics at the shop', async () => {
      await waitFor('the subscriptions at the shop', () =>
        shopify.control.subscriptions.length === 4 ? true : undefined,
      );
      assert.deepEqual(shopify.control.subscriptions.map((subscription) => subscription.topic).sort(), [
        'APP_UNINSTALLED',
        'ORDERS_CREATE',
        'ORDERS_UPDATED',
        'PRODUCTS_UPDATE',
      ]);
    });

    it('updates the order from a signed orders/updated and tells the host', async () => {
      const order = shopify.control.store.orders[0]!;
      order.displayFinancialStatus = 'REFUNDED';
      order.updatedAt = new Date(Date.parse(order.updatedAt) + 60_000).toISOString();
      const [sent] = await shopify.control.emit('orders/updated', shopify.control.orderPayload(order));
      assert.equal(sent?.status, 200);
      const record = await waitFor('the refunded order record', async () =>
        (await records('orders')).find((entry) => entry.id === order.id && entry.data.status === 'refunded'),
      );
      assert.equal(record.data.financialStatus, 'REFUNDED');
      const event = await waitFor(
        'store_order.updated at the host',
        async () => delivered('store_order.updated')[0],
      );
      assert.equal(event.data.orderId, order.id);
      assert.equal(event.data.connectionId, connectionId);
      assert.equal(event.data.status, 'refunded');
    });

    it('customers/redact deletes exactly that customer and their orders', async () => {
      const [ada] = shopify.control.store.customers;
      const [adaOrder] = shopify.control.store.orders;
      const numeric = (gid: string) => Number(gid.slice(gid.lastIndexOf('/') + 1));
      const url = shopify.control.subscriptions[0]!.uri;
      const sent = await shopify.control.deliverTo(url, 'customers/redact', {
        shop_id: 1,
        shop_domain: shopify.shop,
        customer: { id: numeric(ada!.id), email: ada!.email, phone: null },
        orders_to_redact: [numeric(adaOrder!.id)],
      });
      assert.equal(sent.status, 200);
      await waitFor('the customer gone', async () =>
        (await records('customers')).length === 1 ? true : undefined,
      );
      assert.deepEqual(
        (await records('customers')).map((record) => record.data.email),
        ['bob@example.com'],
      );
      assert.deepEqual(
        (await records('orders')).map((record) => record.id),
        [shopify.control.store.orders[1]!.id],
      );
      assert.equal((await records('products')).length, 3);
    });

    it('customers/data_request reaches the host', async () => {
      const bob = shopify.control.store.customers[1]!;
      const numeric = Number(bob.id.slice(bob.id.lastIndexOf('/') + 1));
      await shopify.control.deliverTo(shopify.control.subscriptions[0]!.uri, 'customers/data_request', {
        shop_domain: shopify.shop,
        customer: { id: numeric, email: bob.email },
        orders_requested: [],
        data_request: { id: 9999 },
      });
      const event = await waitFor(
        'commerce.customer_data_requested at the host',
        async () => delivered('commerce.customer_data_requested')[0],
      );
      assert.deepEqual(
        [event.data.customerId, event.data.email, event.data.requestId],
        [bob.id, bob.email, '9999'],
      );
    });

    it('adjusts inventory at the shop, once per idempotency key', async () => {
      const variant = shopify.control.store.products[0]!.variants[0]!;
      const input = { inventoryItemId: variant.inventoryItem.id, locationId: LOCATION_ID, delta: -3 };
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const run = await engine.call('POST', `/v1/connections/${connectionId}/actions/adjust-inventory`, {
          input,
          idempotencyKey: 'restock-42',
        });
        assert.equal(run.body.status, 'succeeded', run.text);
        assert.equal(run.body.output.available, 4);
      }
      assert.equal(variant.inventoryQuantity, 4);
    });

    it('creates one draft order per idempotency key', async () => {
      const variant = shopify.control.store.products[1]!.variants[0]!;
      const input = { lines: [{ variantId: variant.id, quantity: 2 }], email: 'bob@example.com' };
      const outputs = [];
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const run = await engine.call('POST', `/v1/connections/${connectionId}/actions/create-draft-order`, {
          input,
          idempotencyKey: 'quote-a',
        });
        assert.equal(run.body.status, 'succeeded', run.text);
        outputs.push(run.body.output);
      }
      assert.equal(shopify.control.draftOrders.length, 1);
      assert.deepEqual(outputs[0], outputs[1]);
      assert.deepEqual([outputs[0].total, outputs[0].currency], [6000, 'usd']);
    });

    it('updates a product at the shop', async () => {
      const product = shopify.control.store.products[2]!;
      const run = await engine.call('POST', `/v1/connections/${connectionId}/actions/update-product`, {
        input: { productId: product.id, title: 'Sticker pack', status: 'DRAFT' },
      });
      assert.equal(run.body.status, 'succeeded', run.text);
      assert.deepEqual([product.title, product.status], ['Sticker pack', 'DRAFT']);
    });

    it('removes the subscriptions at the shop when the connection is deleted', async () => {
      const deleted = await engine.call('DELETE', `/v1/connections/${connectionId}`);
      assert.equal(deleted.status, 200, deleted.text);
      await waitFor('the subscriptions gone at the shop', () =>
        shopify.control.subscriptions.length === 0 ? true : undefined,
      );
    });

    it('app/uninstalled disconnects a connection and tells the host', async () => {
      ({ connectionId } = await connectHeadless({
        engineUrl: engine.baseUrl,
        apiKey: engine.apiKey,
        integration: 'shopify',
        endUserId: 'end-user-2',
        connectionConfig: { shop: shopify.shop },
      }));
      await waitFor('the subscriptions at the shop', () =>
        shopify.control.subscriptions.length === 4 ? true : undefined,
      );
      const [sent] = await shopify.control.uninstall();
      assert.equal(sent?.status, 200);
      const event = await waitFor('connection.reauth_required at the host', async () =>
        delivered('connection.reauth_required').find((message) => message.data.connectionId === connectionId),
      );
      assert.ok(event);
      const connection = await engine.call('GET', `/v1/connections/${connectionId}`);
      assert.equal(connection.body.status, 'disconnected', connection.text);
    });
  });
}
