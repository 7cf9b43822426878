import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderModel, productModel } from '../../src/scripts/index.ts';
import { minorUnits, type ShopifyOrderNode, toOrder, toOrderFromWebhook, toProduct } from './models.ts';

const order: ShopifyOrderNode = {
  id: 'gid://shopify/Order/1007',
  name: '#1001',
  email: 'ada@example.com',
  createdAt: '2026-12-01T10:00:00Z',
  updatedAt: '2026-12-01T11:00:00Z',
  cancelledAt: null,
  displayFinancialStatus: 'PAID',
  displayFulfillmentStatus: 'UNFULFILLED',
  currencyCode: 'EUR',
  totalPriceSet: { shopMoney: { amount: '25.00', currencyCode: 'EUR' } },
  customer: { id: 'gid://shopify/Customer/1004' },
  lineItems: {
    nodes: [
      {
        id: 'gid://shopify/LineItem/1008',
        title: 'Mug',
        quantity: 2,
        sku: 'MUG-1',
        variant: { id: 'gid://shopify/ProductVariant/1002', product: { id: 'gid://shopify/Product/1001' } },
        originalUnitPriceSet: { shopMoney: { amount: '12.50', currencyCode: 'EUR' } },
        discountedTotalSet: { shopMoney: { amount: '22.50', currencyCode: 'EUR' } },
      },
    ],
  },
};

describe('Shopify records', () => {
  it('turns decimal amounts into minor units of their currency', () => {
    assert.equal(minorUnits('12.50', 'USD'), 1250);
    assert.equal(minorUnits('12.5', 'USD'), 1250);
    assert.equal(minorUnits('1500', 'JPY'), 1500);
    assert.equal(minorUnits('1.234', 'KWD'), 1234);
    assert.equal(minorUnits('-3.10', 'EUR'), -310);
  });

  it('maps an order with its lines and a status across stores', () => {
    const record = orderModel.parse(toOrder(order));
    assert.deepEqual(
      [record.status, record.total, record.currency, record.customerId],
      ['open', 2500, 'eur', 'gid://shopify/Customer/1004'],
    );
    assert.deepEqual(
      [record.lines[0]?.unitAmount, record.lines[0]?.amount, record.lines[0]?.productId],
      [1250, 2250, 'gid://shopify/Product/1001'],
    );
    assert.equal(toOrder({ ...order, displayFulfillmentStatus: 'FULFILLED' }).status, 'completed');
    assert.equal(toOrder({ ...order, displayFinancialStatus: 'REFUNDED' }).status, 'refunded');
    assert.equal(toOrder({ ...order, cancelledAt: '2026-12-02T00:00:00Z' }).status, 'cancelled');
  });

  it('reads a webhook order into the record the sync writes', () => {
    const record = toOrderFromWebhook({
      admin_graphql_api_id: order.id,
      name: '#1001',
      email: 'ada@example.com',
      created_at: order.createdAt,
      updated_at: order.updatedAt,
      cancelled_at: null,
      currency: 'EUR',
      financial_status: 'paid',
      fulfillment_status: null,
      total_price: '25.00',
      customer: { admin_graphql_api_id: 'gid://shopify/Customer/1004' },
      line_items: [
        {
          id: 1008,
          admin_graphql_api_id: 'gid://shopify/LineItem/1008',
          title: 'Mug',
          quantity: 2,
          sku: 'MUG-1',
          variant_id: 1002,
          product_id: 1001,
          price: '12.50',
        },
      ],
    });
    const synced = toOrder(order);
    assert.deepEqual(
      [
        record.id,
        record.status,
        record.financialStatus,
        record.fulfillmentStatus,
        record.total,
        record.lines[0]?.variantId,
      ],
      [
        synced.id,
        synced.status,
        synced.financialStatus,
        synced.fulfillmentStatus,
        synced.total,
        synced.lines[0]?.variantId,
      ],
    );
  });

  it('keeps an untracked item without a stock count', () => {
    const product = productModel.parse(
      toProduct(
        {
          id: 'gid://shopify/Product/1',
          title: 'Gift card',
          descriptionHtml: '',
          status: 'ACTIVE',
          onlineStoreUrl: null,
          createdAt: '2026-12-01T10:00:00Z',
          updatedAt: '2026-12-01T10:00:00Z',
          variants: {
            nodes: [
              {
                id: 'gid://shopify/ProductVariant/2',
                title: 'Default Title',
                sku: '',
                price: '10.00',
                inventoryQuantity: 0,
                inventoryItem: { id: 'gid://shopify/InventoryItem/2', tracked: false },
              },
            ],
          },
        },
        'USD',
      ),
    );
    assert.deepEqual(product.variants[0], {
      id: 'gid://shopify/ProductVariant/2',
      title: 'Default Title',
      sku: null,
      price: 1000,
      currency: 'usd',
      inventoryQuantity: null,
    });
    assert.equal(product.description, null);
  });
});
