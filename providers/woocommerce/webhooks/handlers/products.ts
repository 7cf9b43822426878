import { defineWebhookHandler, productModel, z } from '../../../../src/scripts/index.ts';
import { toProduct, type WooProduct } from '../../models.ts';

const product = z.looseObject({
  id: z.number().int().positive(),
  name: z.string(),
  type: z.string(),
  status: z.string(),
  meta_data: z.array(z.unknown()),
});

/**
 * `product.updated` deliveries carry the whole product: its record is saved at once (unless the
 * stored one is newer), priced in the currency the sync recorded for it (a product carries none:
 * the store's currency is read by the sync, and a handler makes no calls). `product.deleted`
 * carries only the id: the record is deleted. New and restored products start the `products`
 * sync, which reads the currency.
 */
export default defineWebhookHandler({
  name: 'products',
  description: 'Product webhooks update or delete products records at once',
  events: ['product.updated', 'product.deleted'],
  models: { products: productModel },
  async handle(ctx, event) {
    if (event.type === 'product.deleted') {
      const id = (event.payload as { id?: unknown }).id;
      if (typeof id === 'number') await ctx.records.delete('products', [String(id)]);
      return;
    }
    const parsed = product.safeParse(event.payload);
    if (!parsed.success) {
      ctx.log.warn({ type: event.type }, 'not a WooCommerce product: left to the raw event');
      return;
    }
    const stored = await ctx.records.get('products', String(parsed.data.id));
    const currency = stored?.prices[0]?.currency ?? stored?.variants[0]?.currency ?? null;
    const record = toProduct(parsed.data as unknown as WooProduct, currency?.toUpperCase() ?? null);
    if (stored?.updatedAt && record.updatedAt && Date.parse(stored.updatedAt) > Date.parse(record.updatedAt))
      return;
    await ctx.records.save('products', [record]);
  },
});
