/**
 * The WooCommerce emulator driven by the official `@woocommerce/woocommerce-rest-api` SDK: OAuth
 * 1.0a over plain HTTP (the SDK signs with HMAC-SHA256), basic auth on an HTTPS site, listings
 * with their total headers, writes, errors, the webhooks resource with its creation ping and
 * signed deliveries.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WooCommerceSdk from '@woocommerce/woocommerce-rest-api';
import { startWooCommerceSandbox, type WooCommerceSandbox } from './server.ts';
import type { WcOrder, WcProduct, WcWebhook } from './types.ts';

// The package is CommonJS compiled from ES modules: its class is the exports object's `default`.
const WooCommerceRestApi = WooCommerceSdk.default;
type WooCommerceRestApi = InstanceType<typeof WooCommerceRestApi>;

interface AxiosLike {
  status: number;
  data: unknown;
  headers: Record<string, string>;
}

async function refusal(call: Promise<unknown>): Promise<AxiosLike> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: AxiosLike }).response;
    if (response) return response;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('WooCommerce emulator with the official SDK', () => {
  let store: WooCommerceSandbox;
  let api: WooCommerceRestApi;
  let received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }>;
  let receiver: ReturnType<typeof createServer>;
  let receiverUrl: string;

  before(async () => {
    store = await startWooCommerceSandbox({ seed: { products: 23, orders: 5, customers: 4 } });
    api = new WooCommerceRestApi({
      url: store.url,
      consumerKey: store.consumerKey,
      consumerSecret: store.consumerSecret,
      version: 'wc/v3',
    });
    received = [];
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await store.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('accepts the SDK’s OAuth 1.0a signatures over http and pages with X-WP-Total(Pages)', async () => {
    const first = await api.get('products', { per_page: 10, page: 1, orderby: 'id', order: 'asc' });
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-wp-total'], '23');
    assert.equal(first.headers['x-wp-totalpages'], '3');
    const last = await api.get('products', { per_page: 10, page: 3, orderby: 'id', order: 'asc' });
    const products = last.data as WcProduct[];
    assert.equal(products.length, 3);
    assert.equal(products[2]?.name, 'Product 23');
    assert.ok(store.control.requests.every((request) => request.auth === 'oauth1'));
  });

  it('refuses a wrong secret, and a replayed nonce, with WooCommerce’s error body', async () => {
    const wrong = new WooCommerceRestApi({
      url: store.url,
      consumerKey: store.consumerKey,
      consumerSecret: 'cs_wrong',
      version: 'wc/v3',
    });
    const answer = await refusal(wrong.get('products'));
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.data, {
      code: 'woocommerce_rest_authentication_error',
      message: 'Invalid signature - provided signature does not match.',
      data: { status: 401 },
    });
    const signed = await api.get('customers', { per_page: 1 });
    assert.equal(signed.status, 200);
    const url = new URL((signed as unknown as { request: { path: string } }).request.path, store.url);
    const replay = await fetch(url);
    assert.equal(replay.status, 401);
    assert.equal(
      ((await replay.json()) as { message: string }).message,
      'Invalid nonce - nonce has already been used.',
    );
  });

  it('filters by modified_after in GMT and answers per_page above 100 with rest_invalid_param', async () => {
    const product = [...store.control.products.values()][0] as WcProduct;
    const since = new Date(Date.now() + 60_000).toISOString().slice(0, 19);
    const none = await api.get('products', { modified_after: since, dates_are_gmt: 'true' });
    assert.equal((none.data as unknown[]).length, 0);
    assert.ok(product.date_modified_gmt <= since);
    const tooMany = await refusal(api.get('orders', { per_page: 101 }));
    assert.equal(tooMany.status, 400);
    assert.equal((tooMany.data as { code: string }).code, 'rest_invalid_param');
  });

  it('creates an order and updates stock as the API reference shows', async () => {
    const product = [...store.control.products.values()][1] as WcProduct;
    const created = await api.post('orders', {
      set_paid: true,
      billing: { email: 'new@example.com', first_name: 'New' },
      line_items: [{ product_id: product.id, quantity: 2 }],
    });
    assert.equal(created.status, 201);
    const order = created.data as WcOrder;
    assert.equal(order.status, 'processing');
    assert.equal(order.total, (Number(product.price) * 2).toFixed(2));
    const updated = await api.put(`products/${product.id}`, { manage_stock: true, stock_quantity: 7 });
    assert.equal((updated.data as WcProduct).stock_quantity, 7);
    const missing = await refusal(api.get('orders/99999'));
    assert.equal(missing.status, 404);
    assert.equal((missing.data as { code: string }).code, 'woocommerce_rest_shop_order_invalid_id');
  });

  it('refuses writes with a read-only key', async () => {
    const key = store.control.addReadOnlyKey();
    const reader = new WooCommerceRestApi({ url: store.url, ...key, version: 'wc/v3' });
    assert.equal((await reader.get('orders')).status, 200);
    const refused = await refusal(reader.post('orders', { line_items: [] }));
    assert.equal(refused.status, 401);
  });

  it('creates a webhook, pings it, signs deliveries and deletes it only with force', async () => {
    const created = await api.post('webhooks', {
      name: 'Order updated',
      topic: 'order.updated',
      delivery_url: receiverUrl,
      secret: 'hook-secret',
    });
    const hook = created.data as WcWebhook;
    assert.equal(hook.status, 'active');
    assert.equal(received[0]?.body, `webhook_id=${hook.id}`);
    assert.equal(received[0]?.headers['x-wc-webhook-signature'], undefined);
    const order = [...store.control.orders.values()][0] as WcOrder;
    const [delivery] = await store.control.setOrderStatus(order.id, 'completed');
    assert.equal(delivery?.status, 200);
    const event = received[1];
    assert.equal(event?.headers['x-wc-webhook-topic'], 'order.updated');
    assert.equal(
      event?.headers['x-wc-webhook-signature'],
      createHmac('sha256', 'hook-secret')
        .update(event?.body ?? '')
        .digest('base64'),
    );
    assert.equal((JSON.parse(event?.body ?? '{}') as WcOrder).status, 'completed');
    const trash = await refusal(api.delete(`webhooks/${hook.id}`));
    assert.equal(trash.status, 501);
    await api.delete(`webhooks/${hook.id}`, { force: true });
    assert.equal(store.control.webhooks.size, 0);
  });

  it('takes basic auth on an HTTPS site and refuses it over plain http', async () => {
    const secure = await startWooCommerceSandbox({ tls: true, seed: { products: 1 } });
    try {
      const basic = `Basic ${Buffer.from(`${secure.consumerKey}:${secure.consumerSecret}`).toString('base64')}`;
      const ok = await fetch(`${secure.url}/wp-json/wc/v3/products`, { headers: { authorization: basic } });
      assert.equal(ok.status, 200);
      assert.equal(secure.control.requests[0]?.auth, 'basic');
    } finally {
      await secure.close();
    }
    const basic = `Basic ${Buffer.from(`${store.consumerKey}:${store.consumerSecret}`).toString('base64')}`;
    const plain = await fetch(`${store.url}/wp-json/wc/v3/products`, { headers: { authorization: basic } });
    assert.equal(plain.status, 401);
    assert.equal(((await plain.json()) as { code: string }).code, 'woocommerce_rest_cannot_view');
  });

  it('answers an armed 429 with Retry-After', async () => {
    store.control.faults.tooManyRequests(1, 2);
    const limited = await refusal(api.get('products'));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '2');
  });
});
