/**
 * Customers of the shop from the Admin GraphQL `customers` connection, 250 a page (252 points),
 * incremental by `updated_at` after the first run (see ../graphql.ts).
 */
import { customerModel, defineSync } from '../../../src/scripts/index.ts';
import { listIncrementally, listingCheckpoint } from '../graphql.ts';
import { type ShopifyCustomerNode, toCustomer } from '../models.ts';

const QUERY = `query PatchbayCustomers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query) {
    nodes { id firstName lastName displayName email phone createdAt updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}`;

export default defineSync({
  name: 'customers',
  description: 'Customers of the Shopify store.',
  models: { customers: customerModel },
  frequency: '1h',
  checkpoint: listingCheckpoint,
  async exec(ctx) {
    await listIncrementally<ShopifyCustomerNode>(ctx, 'customers', QUERY, 250, (nodes) =>
      ctx.records.save('customers', nodes.map(toCustomer)),
    );
  },
});
