/**
 * Products of the shop with their variants, prices and inventory counts, from the Admin GraphQL
 * `products` connection: 40 products a page with up to 10 variants each (a requested cost of
 * 922 points, under the 1,000 a single query may ask), incremental by `updated_at` after the
 * first run (see ../graphql.ts). Shopify counts a variant's inventory change as an update of its
 * product, so the next run picks up stock moves too. Products with more than 10 variants keep
 * their first 10.
 */
import { defineSync, productModel } from '../../../src/scripts/index.ts';
import { graphql, listIncrementally, listingCheckpoint } from '../graphql.ts';
import { type ShopifyProductNode, toProduct } from '../models.ts';

export const PRODUCTS_PAGE = 40;

export const PRODUCTS_QUERY = `query PatchbayProducts($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query) {
    nodes {
      id title handle descriptionHtml status vendor productType onlineStoreUrl createdAt updatedAt
      variants(first: 10) { nodes { id title sku price inventoryQuantity inventoryItem { id tracked } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export default defineSync({
  name: 'products',
  description: 'Products of the Shopify store with their variants, prices and stock.',
  models: { products: productModel },
  frequency: '1h',
  checkpoint: listingCheckpoint,
  // A product's webhook carries no shop currency: it starts an incremental run instead.
  webhookEvents: ['products/update'],
  async exec(ctx) {
    const { shop } = await graphql<{ shop: { currencyCode: string } }>(
      ctx,
      'query { shop { currencyCode } }',
    );
    await listIncrementally<ShopifyProductNode>(ctx, 'products', PRODUCTS_QUERY, PRODUCTS_PAGE, (nodes) =>
      ctx.records.save(
        'products',
        nodes.map((node) => toProduct(node, shop.currencyCode)),
      ),
    );
  },
});
