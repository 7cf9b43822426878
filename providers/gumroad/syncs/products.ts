/**
 * Gumroad products: GET /v2/products lists every product of the account in one answer (it is not
 * paginated), so each run lists them all and products no longer listed are soft-deleted.
 */
import { defineSync } from '../../../src/scripts/index.ts';
import { gumroadList, productSchema, toProduct } from '../models.ts';

export default defineSync({
  name: 'products',
  description: 'Every product of the Gumroad account; deleted products are removed.',
  models: { products: productSchema },
  frequency: '1h',
  trackDeletes: true,
  async exec(ctx) {
    const body = await ctx.proxy.getJson<unknown>('/products', { signal: ctx.signal });
    await ctx.records.save('products', gumroadList(body, 'products').map(toProduct));
  },
});
