/**
 * WooCommerce's actions against the store emulator, through the engine: `create-order` after an
 * answer lost in transit or cut short (the store placed the order; the action finds it by its
 * key instead of failing, and places no second one), a store refusal as `provider_error` with WooCommerce's code, and
 * `update-stock` on a product and on one that does not exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WcProduct } from '../../sandbox/index.ts';
import { startWooWorld, type WooWorld } from '../../test/support/woo-world.ts';

describe('woocommerce actions', { timeout: 60_000 }, () => {
  let world: WooWorld;
  let product: WcProduct;

  before(async () => {
    // A short per-attempt timeout, so an answer held back by the store is given up on quickly.
    world = await startWooWorld({
      engine: { config: { proxyTimeoutMs: 1_000 } },
      store: { seed: { products: 2, customers: 1 } },
    });
    product = [...world.store.control.products.values()][0] as WcProduct;
  });
  after(async () => {
    await world?.close();
  });

  it('finds the order placed before a lost or cut answer instead of failing or placing a second', async () => {
    const input = { lines: [{ productId: String(product.id), quantity: 1 }], customerId: '1' };
    world.store.control.faults.delay(1, 1_500, 'POST /orders');
    const late = await world.action('create-order', input, 'lost-answer-1');
    assert.equal(late.body.status, 'succeeded', late.text);
    assert.equal(world.store.control.orders.size, 1);
    const [placed] = [...world.store.control.orders.values()];
    assert.equal(late.body.output.id, String(placed?.id));
    assert.equal(late.body.output.customerId, '1');

    world.store.control.faults.truncate(1, 'POST /orders');
    const cut = await world.action('create-order', input, 'cut-answer-1');
    assert.equal(cut.body.status, 'succeeded', cut.text);
    assert.equal(world.store.control.orders.size, 2);
    assert.equal(cut.body.output.id, String([...world.store.control.orders.keys()][1]));
  });

  it("reports the store's refusal with WooCommerce's code", async () => {
    const refused = await world.action('create-order', { lines: [{ productId: '99999', quantity: 1 }] });
    assert.equal(refused.body.status, 'failed', refused.text);
    assert.equal(refused.body.error.code, 'provider_error');
    assert.deepEqual(refused.body.error.details, {
      status: 400,
      code: 'woocommerce_rest_invalid_product_id',
    });
    assert.equal(world.store.control.orders.size, 2);
  });

  it('sets stock, and reports a product that does not exist', async () => {
    const set = await world.action('update-stock', { productId: String(product.id), quantity: 0 });
    assert.equal(set.body.status, 'succeeded', set.text);
    assert.deepEqual([set.body.output.stockQuantity, set.body.output.stockStatus], [0, 'outofstock']);
    const missing = await world.action('update-stock', { productId: '99999', quantity: 3 });
    assert.equal(missing.body.status, 'failed', missing.text);
    assert.equal(missing.body.error.details.code, 'woocommerce_rest_product_invalid_id');
  });
});
