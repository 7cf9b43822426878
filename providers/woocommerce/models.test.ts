/**
 * The WooCommerce objects' mapping onto the commerce models, with values as the REST API v3
 * reference shows them: decimal strings in minor units (zero- and three-decimal currencies too),
 * GMT dates, guest orders, refunds, private meta kept out of `metadata`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderModel, productModel } from '../../src/scripts/index.ts';
import { toMinor, toOrder, toProduct, type WooOrder, type WooProduct } from './models.ts';

const product: WooProduct = {
  id: 794,
  name: 'Premium Quality',
  permalink: 'https://example.com/product/premium-quality-19/',
  date_created_gmt: '2017-03-23T17:01:14',
  date_modified_gmt: '2017-03-23T17:01:14',
  type: 'simple',
  status: 'publish',
  description: '<p>Long</p>',
  short_description: '<p>Short</p>',
  sku: 'PQ-1',
  price: '21.99',
  manage_stock: true,
  stock_quantity: 9,
  stock_status: 'instock',
  meta_data: [
    { id: 1, key: 'buyer_ref', value: 'b_1' },
    { id: 2, key: '_private', value: 'x' },
  ],
};

const order: WooOrder = {
  id: 727,
  number: '727',
  status: 'refunded',
  currency: 'JPY',
  date_created_gmt: '2017-03-22T16:28:02',
  date_modified_gmt: '2017-03-22T16:30:35',
  date_paid_gmt: '2017-03-22T16:28:08',
  date_completed_gmt: null,
  shipping_total: '10',
  total: '2990',
  total_tax: '0',
  customer_id: 0,
  billing: { email: 'john.doe@example.com' },
  line_items: [
    {
      id: 315,
      name: 'Woo Single #1',
      product_id: 93,
      variation_id: 0,
      quantity: 2,
      subtotal: '2980',
      total: '2980',
      sku: '',
      price: 1490,
    },
  ],
  refunds: [{ id: 726, total: '-2990' }],
  meta_data: [{ id: 13106, key: '_download_permissions_granted', value: 'yes' }],
};

describe('WooCommerce models', () => {
  it('reads decimal strings in minor units without float error', () => {
    assert.equal(toMinor('21.99', 'usd'), 2199);
    assert.equal(toMinor('0.295', 'usd'), 30);
    assert.equal(toMinor('-3.2', 'eur'), -320);
    assert.equal(toMinor('2990', 'jpy'), 2990);
    assert.equal(toMinor('1.2345', 'kwd'), 1235);
    assert.equal(toMinor('', 'usd'), null);
  });

  it('maps a simple product to one price and itself as its variant', () => {
    const record = productModel.parse(toProduct(product, 'USD'));
    assert.deepEqual(record.prices, [
      { id: '794', currency: 'usd', unitAmount: 2199, active: true, recurring: null },
    ]);
    assert.deepEqual(record.variants, [
      {
        id: '794',
        title: 'Premium Quality',
        sku: 'PQ-1',
        price: 2199,
        currency: 'usd',
        inventoryQuantity: 9,
      },
    ]);
    assert.equal(record.description, '<p>Short</p>');
    assert.equal(record.createdAt, '2017-03-23T17:01:14.000Z');
    assert.deepEqual(record.metadata, { buyer_ref: 'b_1' });
    const unpriced = productModel.parse(toProduct({ ...product, type: 'variable' }, null));
    assert.deepEqual([unpriced.prices, unpriced.variants], [[], []]);
  });

  it('maps a refunded guest order in a zero-decimal currency', () => {
    const record = orderModel.parse(toOrder(order));
    assert.equal(record.status, 'refunded');
    assert.equal(record.financialStatus, 'refunded');
    assert.equal(record.customerId, null);
    assert.equal(record.customerEmail, 'john.doe@example.com');
    assert.deepEqual(
      [record.currency, record.total, record.subtotal, record.shipping, record.amountRefunded],
      ['jpy', 2990, 2980, 10, 2990],
    );
    assert.deepEqual(record.lines[0], {
      id: '315',
      productId: '93',
      variantId: '93',
      sku: null,
      title: 'Woo Single #1',
      quantity: 2,
      unitAmount: 1490,
      amount: 2980,
    });
    assert.deepEqual(record.metadata, {});
    const open = toOrder({ ...order, status: 'on-hold', refunds: [], date_paid_gmt: null });
    assert.deepEqual([open.status, open.financialStatus, open.fulfillmentStatus], ['open', 'unpaid', null]);
  });
});
