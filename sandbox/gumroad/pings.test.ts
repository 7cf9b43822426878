// The Gumroad emulator's resource subscriptions, sale pings and license verification, driven over
// HTTP the way Gumroad's API reference describes them.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type GumroadSandbox, startGumroadSandbox } from './server.ts';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe('gumroad emulator: resource subscriptions, pings and licenses', () => {
  let sandbox: GumroadSandbox;
  let token: string;
  let receiver: Server;
  let receiverUrl: string;
  const received: Array<{ url: string; type: string | undefined; body: string }> = [];

  before(async () => {
    sandbox = await startGumroadSandbox({ sales: 12, products: 2, rateLimit: false });
    token = sandbox.issueAccessToken();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          url: req.url ?? '',
          type: req.headers['content-type'],
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  after(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  async function call(
    method: string,
    path: string,
    form?: Record<string, string>,
    bearer = token,
  ): Promise<Answer> {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('subscribes, lists by resource and deletes', async () => {
    const made = await call('PUT', '/v2/resource_subscriptions', {
      resource_name: 'sale',
      post_url: `${receiverUrl}/hook?token=t1`,
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const subscription = made.body.resource_subscription as {
      id: string;
      resource_name: string;
      post_url: string;
    };
    assert.deepEqual(
      [subscription.resource_name, subscription.post_url],
      ['sale', `${receiverUrl}/hook?token=t1`],
    );
    assert.match(subscription.id, /^[A-Za-z0-9_-]{22}==$/);

    const refunds = await call('GET', '/v2/resource_subscriptions?resource_name=refund');
    assert.deepEqual(refunds.body.resource_subscriptions, []);
    const sales = await call('GET', '/v2/resource_subscriptions?resource_name=sale');
    assert.deepEqual(sales.body.resource_subscriptions, [subscription]);

    const deleted = await call('DELETE', `/v2/resource_subscriptions/${encodeURIComponent(subscription.id)}`);
    assert.equal(deleted.status, 200);
    assert.equal(sandbox.control.subscriptions.length, 0);
    const again = await call('DELETE', `/v2/resource_subscriptions/${encodeURIComponent(subscription.id)}`);
    assert.equal(again.status, 404);
  });

  it('refuses an unknown resource, a bad URL, no token and a token without view_sales', async () => {
    const unknown = await call('PUT', '/v2/resource_subscriptions', {
      resource_name: 'sales',
      post_url: receiverUrl,
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.success, false);
    const badUrl = await call('PUT', '/v2/resource_subscriptions', {
      resource_name: 'sale',
      post_url: 'nope',
    });
    assert.equal(badUrl.status, 400);
    const anonymous = await call('GET', '/v2/resource_subscriptions?resource_name=sale', undefined, '');
    assert.equal(anonymous.status, 401);
    const profileOnly = await call(
      'GET',
      '/v2/resource_subscriptions?resource_name=sale',
      undefined,
      sandbox.issueAccessToken(['view_profile']),
    );
    assert.equal(profileOnly.status, 403);
  });

  it('pings a new sale, form-encoded and unsigned, to each sale subscription only', async () => {
    received.length = 0;
    await call('PUT', '/v2/resource_subscriptions', { resource_name: 'sale', post_url: `${receiverUrl}/a` });
    await call('PUT', '/v2/resource_subscriptions', {
      resource_name: 'refund',
      post_url: `${receiverUrl}/b`,
    });
    const before = sandbox.saleCount;
    const { saleId, pings } = await sandbox.control.sell();
    assert.equal(sandbox.saleCount, before + 1);
    assert.deepEqual(
      pings.map((ping) => ping.status),
      [200],
    );
    assert.equal(received.length, 1);
    const [ping] = received;
    assert.equal(ping?.url, '/a');
    assert.equal(ping?.type, 'application/x-www-form-urlencoded');
    const fields = new URLSearchParams(ping?.body);
    assert.equal(fields.get('resource_name'), 'sale');
    assert.equal(fields.get('sale_id'), saleId);
    assert.equal(fields.get('sale_id'), sandbox.sale(before).id);
    assert.equal(fields.get('card[type]'), 'visa');

    await sandbox.control.ping('refund', 0);
    assert.equal(received.at(-1)?.url, '/b');
    assert.equal(new URLSearchParams(received.at(-1)?.body).get('resource_name'), 'refund');
  });

  it('verifies a license key of its product, counting uses unless told not to', async () => {
    const sale = sandbox.sale(3);
    const key = sale.license_key as string;
    const first = await call(
      'POST',
      '/v2/licenses/verify',
      { product_id: String(sale.product_id), license_key: key },
      '',
    );
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.uses, 1);
    assert.equal((first.body.purchase as { sale_id: string }).sale_id, sale.id);
    const peek = await call(
      'POST',
      '/v2/licenses/verify',
      { product_id: String(sale.product_id), license_key: key, increment_uses_count: 'false' },
      '',
    );
    assert.equal(peek.body.uses, 1);
    assert.equal(sandbox.control.licenseUses(3), 1);

    const otherProduct = sandbox.productIds().find((id) => id !== sale.product_id) as string;
    const wrong = await call(
      'POST',
      '/v2/licenses/verify',
      { product_id: otherProduct, license_key: key },
      '',
    );
    assert.equal(wrong.status, 404);
    assert.deepEqual(wrong.body, {
      success: false,
      message: 'That license does not exist for the provided product.',
    });
  });

  it("lists a membership product's subscribers and pings a cancellation", async () => {
    const membership = sandbox
      .productIds()
      .find((id) => sandbox.control.subscribers(id).length > 0) as string;
    const all = await call('GET', `/v2/products/${encodeURIComponent(membership)}/subscribers`);
    assert.equal(all.status, 200, JSON.stringify(all.body));
    const subscribers = all.body.subscribers as Array<{ id: string; status: string; purchase_ids: string[] }>;
    assert.ok(subscribers.length > 0);
    assert.ok(subscribers.every((s) => s.status === 'alive'));
    assert.equal(all.body.next_page_key, undefined);

    const index = [...Array(sandbox.saleCount).keys()].find(
      (n) => sandbox.sale(n).product_id === membership,
    ) as number;
    const sale = sandbox.sale(index);
    await call('PUT', '/v2/resource_subscriptions', {
      resource_name: 'cancellation',
      post_url: `${receiverUrl}/c`,
    });
    const { subscriptionId, pings } = await sandbox.control.cancelMembership(index);
    assert.equal(subscriptionId, sale.subscription_id);
    assert.deepEqual(
      pings.map((ping) => ping.status),
      [200],
    );
    const fields = new URLSearchParams(received.at(-1)?.body);
    assert.deepEqual(
      [fields.get('resource_name'), fields.get('subscription_id')],
      ['cancellation', subscriptionId],
    );
    const after = await call(
      'GET',
      `/v2/products/${encodeURIComponent(membership)}/subscribers?paginated=true`,
    );
    const cancelled = (
      after.body.subscribers as Array<{ id: string; status: string; cancelled_at: string | null }>
    ).find((s) => s.id === subscriptionId);
    assert.equal(cancelled?.status, 'cancelled');
    assert.ok(cancelled?.cancelled_at);

    const missing = await call('GET', '/v2/products/nope/subscribers');
    assert.equal(missing.status, 404);
  });
});
