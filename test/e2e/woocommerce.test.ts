/**
 * Issue 19's WooCommerce story, through the engine's API against the WooCommerce emulator: a
 * merchant connects a plain-http store with a consumer key and secret (every call OAuth 1.0a
 * signed), the engine creates the connection's webhooks through the store's API (each pinged by
 * the store and answered), the first syncs count exactly, a signed `order.updated` delivery moves
 * the order's record and reaches the host's endpoint as `store_order.updated`, `create-order` and
 * `update-stock` change the store, and deleting the connection deletes its webhooks there. On
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { WcOrder, WcProduct } from '../../sandbox/index.ts';
import { testDatabases } from '../support/databases.ts';
import { startWebhookReceiver, type WebhookReceiver, waitFor } from '../support/library-engine.ts';
import { startWooWorld, type WooWorld } from '../support/woo-world.ts';

const SEED = { products: 12, orders: 7, customers: 5 };

const targets = await testDatabases();
for (const target of targets) {
  describe(`WooCommerce on ${target.name}: connect → sync → signed webhook → actions → delete`, {
    timeout: 90_000,
    skip: target.skip,
  }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: Awaited<ReturnType<NonNullable<typeof target.create>>> | undefined;
    let world: WooWorld;
    let receiver: WebhookReceiver;
    let hostSecret: string;

    before(async () => {
      database = await target.create!();
      world = await startWooWorld({
        engine: { config: database.databaseUrl ? { databaseUrl: database.databaseUrl } : {} },
        store: { seed: SEED },
      });
      receiver = await startWebhookReceiver();
      const endpoint = await world.engine.call('POST', '/v1/endpoints', {
        url: receiver.url,
        eventTypes: ['store_order.created', 'store_order.updated'],
      });
      assert.equal(endpoint.status, 201, endpoint.text);
      hostSecret = endpoint.body.secret;
    });
    after(async () => {
      await world?.close();
      await receiver?.close();
      await database?.destroy();
    });

    function delivered(type: string): Array<{ type: string; data: Record<string, unknown> }> {
      return receiver.received
        .map(
          (request) =>
            new Webhook(hostSecret).verify(request.body, request.headers) as {
              type: string;
              data: Record<string, unknown>;
            },
        )
        .filter((message) => message.type === type);
    }

    it('connects with OAuth 1.0a signatures and creates one pinged webhook per topic at the store', async () => {
      await world.registered();
      const hooks = [...world.store.control.webhooks.values()];
      assert.equal(hooks.length, 11);
      assert.ok(hooks.every((hook) => hook.delivery_url.startsWith(`${world.engine.baseUrl}/webhooks/`)));
      assert.ok(hooks.every((hook) => hook.status === 'active'));
      const pings = world.store.control.deliveries.filter((delivery) => delivery.kind === 'ping');
      assert.deepEqual(
        pings.map((ping) => ping.status),
        hooks.map(() => 200),
      );
      // A ping to a URL no connection has is refused: only the store's own URLs answer it.
      const url = new URL(hooks[0]?.delivery_url ?? '');
      url.pathname = url.pathname.replace(/[^/]+$/, 'not-a-token');
      const stray = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'webhook_id=1',
      });
      assert.equal(stray.status, 401);
      assert.ok(world.store.control.requests.length > 0);
      assert.ok(world.store.control.requests.every((request) => request.auth === 'oauth1'));
    });

    it('syncs products, orders and customers with exact counts', async () => {
      const expected: Record<string, number> = {
        products: SEED.products,
        orders: SEED.orders,
        customers: SEED.customers,
      };
      for (const [sync, count] of Object.entries(expected)) {
        const run = await world.sync(sync);
        assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
        assert.deepEqual([run.added, run.updated, run.deleted], [count, 0, 0], sync);
        assert.equal((await world.records(sync)).length, count);
      }
      const product = (await world.records('products')).find((record) => record.name === 'Product 3');
      const seeded = [...world.store.control.products.values()].find(
        (p) => p.name === 'Product 3',
      ) as WcProduct;
      assert.deepEqual(product?.prices, [
        {
          id: String(seeded.id),
          currency: 'usd',
          unitAmount: Math.round(Number(seeded.price) * 100),
          active: true,
          recurring: null,
        },
      ]);
      assert.equal(
        (product?.variants as Array<{ inventoryQuantity: number }> | undefined)?.[0]?.inventoryQuantity,
        seeded.stock_quantity,
      );
    });

    it('applies a signed order.updated delivery at once and tells the host', async () => {
      const order = [...world.store.control.orders.values()][2] as WcOrder;
      const [delivery] = await world.store.control.setOrderStatus(order.id, 'completed');
      assert.equal(delivery?.status, 200);
      assert.ok(delivery?.headers['x-wc-webhook-signature']);
      const record = await waitFor('the completed order record', async () =>
        (await world.records('orders')).find((r) => r.id === String(order.id) && r.status === 'completed'),
      );
      assert.equal(record.fulfillmentStatus, 'fulfilled');
      const event = await waitFor('store_order.updated at the host', async () =>
        delivered('store_order.updated').find((message) => message.data.orderId === String(order.id)),
      );
      assert.equal(event.data.status, 'completed');
      assert.equal(event.data.providerStatus, 'completed');
      assert.equal(event.data.connectionId, world.connectionId);
    });

    it('applies a signed product.updated delivery to the product record', async () => {
      const seeded = [...world.store.control.products.values()][4] as WcProduct;
      const [delivery] = await world.store.control.updateProduct(seeded.id, {
        name: 'Renamed',
        stock_quantity: 3,
      });
      assert.equal(delivery?.status, 200);
      const record = await waitFor('the renamed product record', async () =>
        (await world.records('products')).find((r) => r.id === String(seeded.id) && r.name === 'Renamed'),
      );
      assert.equal((record.prices as Array<{ currency: string }>)[0]?.currency, 'usd');
      assert.equal((record.variants as Array<{ inventoryQuantity: number }>)[0]?.inventoryQuantity, 3);
    });

    it('creates an order and sets stock at the store', async () => {
      const product = [...world.store.control.products.values()][0] as WcProduct;
      const before = world.store.control.orders.size;
      const input = {
        lines: [{ productId: String(product.id), quantity: 2 }],
        billing: { email: 'walk-in@example.com', firstName: 'Walk', lastName: 'In' },
        paid: true,
        metadata: { buyerId: 'buyer_17' },
      };
      const created = await world.action('create-order', input, 'order-walk-in-1');
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.status, 'succeeded', created.text);
      const orderId = Number(created.body.output.id);
      assert.equal(world.store.control.orders.size, before + 1);
      const placed = world.store.control.orders.get(orderId) as WcOrder;
      assert.equal(placed.billing.email, 'walk-in@example.com');
      assert.deepEqual(
        placed.line_items.map((line) => [line.product_id, line.quantity]),
        [[product.id, 2]],
      );
      assert.equal(created.body.output.total, Math.round(Number(product.price) * 200));
      // The same idempotency key again: the first order is answered, none is added.
      const again = await world.action('create-order', input, 'order-walk-in-1');
      assert.equal(again.body.output?.id, String(orderId), again.text);
      assert.equal(world.store.control.orders.size, before + 1);
      const event = await waitFor('store_order.created at the host', async () =>
        delivered('store_order.created').find((message) => message.data.orderId === String(orderId)),
      );
      assert.deepEqual(event.data.metadata, { buyerId: 'buyer_17' });

      const stock = await world.action('update-stock', { productId: String(product.id), quantity: 42 });
      assert.equal(stock.body.status, 'succeeded', stock.text);
      assert.deepEqual(stock.body.output, {
        productId: String(product.id),
        variationId: null,
        stockQuantity: 42,
        stockStatus: 'instock',
      });
      assert.equal(world.store.control.products.get(product.id)?.stock_quantity, 42);
    });

    it('reads only the orders modified since the last run in the next orders sync', async () => {
      const seen = world.store.control.requests.length;
      const run = await world.sync('orders');
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.equal(run.mode, 'incremental');
      const listing = world.store.control.requests
        .slice(seen)
        .find((request) => request.route === 'GET /orders');
      assert.equal(listing?.params.dates_are_gmt, 'true');
      assert.match(listing?.params.modified_after ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      // The seeded orders were all modified before the first run: only the completed one and the
      // one the action placed (same second or later) can come back, and nothing is added twice.
      assert.equal(run.added, 0);
      assert.equal((await world.records('orders')).length, SEED.orders + 1);
    });

    it('deletes its webhooks at the store when the connection is deleted', async () => {
      const deleted = await world.engine.call('DELETE', `/v1/connections/${world.connectionId}`);
      assert.equal(deleted.status, 200, deleted.text);
      await waitFor('the webhooks gone at the store', async () =>
        world.store.control.webhooks.size === 0 ? true : undefined,
      );
    });
  });
}
