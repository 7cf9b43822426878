/**
 * The company's products with their plans as prices: `GET /plans` then `GET /products` (both by
 * `account_id`, cursor pages). A plan is Whop's price: one-time or renewing every
 * `billing_period` days, in the plan's currency. Both lists are small and have no updated-since
 * filter, so each run reads them whole, and a product no longer listed is soft-deleted.
 */
import { defineSync, productModel } from '../../../src/scripts/index.ts';
import { companyOf } from '../api.ts';
import { toProduct, type WhopPlan, type WhopProduct } from '../models.ts';

export default defineSync({
  name: 'products',
  description: 'Products of the Whop company, each with its plans (prices and billing periods).',
  models: { products: productModel },
  frequency: '1d',
  trackDeletes: true,
  async exec(ctx) {
    const query = { account_id: companyOf(ctx) };
    const plansByProduct = new Map<string, WhopPlan[]>();
    for await (const page of ctx.paginate<WhopPlan>({ method: 'GET', path: '/plans', query })) {
      for (const plan of page.items) {
        const productId = plan.product?.id;
        if (productId === undefined) continue;
        plansByProduct.set(productId, [...(plansByProduct.get(productId) ?? []), plan]);
      }
    }
    for await (const page of ctx.paginate<WhopProduct>({ method: 'GET', path: '/products', query })) {
      await ctx.records.save(
        'products',
        page.items.map((product) => toProduct(product, plansByProduct.get(product.id) ?? [])),
      );
    }
  },
});
