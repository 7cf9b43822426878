/**
 * Stripe products with their prices. A full listing reads every price first
 * (`GET /v1/prices`, 100 a page, active and archived) and files them by product, then lists the
 * products: one request per 100 prices and per 100 products, where asking each product for its
 * prices would cost one per product. New products (listed by `created`) and products named by the
 * `product.*` and `price.*` events are read with their own prices (`GET /v1/prices?product=…`);
 * `product.deleted` soft-deletes the record (see ../incremental.ts).
 */
import { defineSync, productModel } from '../../../src/scripts/index.ts';
import { allOf, retrieveOrNull, runStripeSync, stripeCheckpoint } from '../incremental.ts';
import { idOf, type StripePrice, type StripeProduct, toProduct } from '../models.ts';

export default defineSync({
  name: 'products',
  description: 'Products of the Stripe account with their prices; deleted ones are removed.',
  models: { products: productModel },
  frequency: '1h',
  checkpoint: stripeCheckpoint,
  async exec(ctx) {
    // Every price of the account by product, read once per run, for a full listing.
    let pricesByProduct: Map<string, StripePrice[]> | undefined;
    const everyPrice = async () => {
      if (pricesByProduct) return pricesByProduct;
      pricesByProduct = new Map();
      for await (const page of ctx.paginate<StripePrice>({
        method: 'GET',
        path: '/v1/prices',
        signal: ctx.signal,
      })) {
        for (const price of page.items) {
          const product = idOf(price.product) as string;
          const list = pricesByProduct.get(product);
          if (list) list.push(price);
          else pricesByProduct.set(product, [price]);
        }
      }
      return pricesByProduct;
    };
    await runStripeSync<'products', StripeProduct>(ctx, {
      model: 'products',
      path: '/v1/products',
      events: {
        types: [
          'product.created',
          'product.updated',
          'product.deleted',
          'price.created',
          'price.updated',
          'price.deleted',
        ],
      },
      async toRecords(ctx, products, listing) {
        if (listing === 'full') {
          const prices = await everyPrice();
          return products.map((product) => toProduct(product, prices.get(product.id) ?? []));
        }
        const records = [];
        for (const product of products) {
          const prices = await allOf<StripePrice>(ctx, null, '/v1/prices', { product: product.id });
          records.push(toProduct(product, prices));
        }
        return records;
      },
      effectOf(event) {
        const object = event.data.object;
        if (object.object === 'product') {
          return { id: object.id, kind: event.type === 'product.deleted' ? 'delete' : 'refetch' };
        }
        if (object.object === 'price') {
          const product = idOf(object.product as string | { id: string } | null);
          return product === null ? null : { id: product, kind: 'refetch' };
        }
        return null;
      },
      retrieve: (ctx, id) => retrieveOrNull<StripeProduct>(ctx, `/v1/products/${encodeURIComponent(id)}`),
    });
  },
});
