/**
 * The store's products (`GET /products`, 100 a page, by id), with their price in the store's
 * currency and, for a simple product, itself as its one variant with its stock. After the first
 * run only products modified since are read (../incremental.ts); the `products` webhook handler
 * applies edits and deletions at once, and a new product's webhook starts this sync.
 */
import { defineSync, productModel } from '../../../src/scripts/index.ts';
import { storeCurrency } from '../api.ts';
import { listChanged, wooCheckpoint } from '../incremental.ts';
import { toProduct, type WooProduct } from '../models.ts';

export default defineSync({
  name: 'products',
  description: 'Products of the store with price and stock; changed ones re-read by modified_after.',
  models: { products: productModel },
  frequency: '1h',
  checkpoint: wooCheckpoint,
  webhookEvents: ['product.created', 'product.restored'],
  async exec(ctx) {
    const currency = await storeCurrency(ctx);
    await listChanged<WooProduct>(ctx, '/products', (products) =>
      ctx.records.save(
        'products',
        products.map((product) => toProduct(product, currency)),
      ),
    );
  },
});
