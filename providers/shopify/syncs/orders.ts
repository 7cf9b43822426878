/**
 * Orders of the shop with their lines, from the Admin GraphQL `orders` connection: 50 orders a
 * page with up to 10 lines each (a requested cost of 2 + 50 × 36 = 1,802 would exceed the 1,000
 * a query may ask, so 25 a page: 902), incremental by `updated_at` after the first run. Shopify
 * lists orders of the last 60 days unless the app has the `read_all_orders` scope.
 */
import { defineSync, orderModel } from '../../../src/scripts/index.ts';
import { listIncrementally, listingCheckpoint } from '../graphql.ts';
import { type ShopifyOrderNode, toOrder } from '../models.ts';

const QUERY = `query PatchbayOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query) {
    nodes {
      id name email createdAt updatedAt cancelledAt displayFinancialStatus displayFulfillmentStatus currencyCode
      totalPriceSet { shopMoney { amount currencyCode } }
      customer { id }
      lineItems(first: 10) {
        nodes {
          id title quantity sku
          variant { id product { id } }
          originalUnitPriceSet { shopMoney { amount currencyCode } }
          discountedTotalSet { shopMoney { amount currencyCode } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export default defineSync({
  name: 'orders',
  description: 'Orders of the Shopify store with their lines.',
  models: { orders: orderModel },
  frequency: '15m',
  checkpoint: listingCheckpoint,
  async exec(ctx) {
    await listIncrementally<ShopifyOrderNode>(ctx, 'orders', QUERY, 25, (nodes) =>
      ctx.records.save('orders', nodes.map(toOrder)),
    );
  },
});
