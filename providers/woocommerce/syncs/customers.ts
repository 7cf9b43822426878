/**
 * The store's registered customers (`GET /customers`, 100 a page, by id). WooCommerce's customer
 * listing has no modified-since filter, so every run lists them all, and one that is no longer
 * listed is removed (`trackDeletes`); the `customers` webhook handler applies changes between runs.
 * Guest buyers are not customers: they appear only as an order's `customerEmail`.
 */
import { customerModel, defineSync } from '../../../src/scripts/index.ts';
import { toCustomer, type WooCustomer } from '../models.ts';

export default defineSync({
  name: 'customers',
  description: 'Registered customers of the store; a full listing each run, removed ones deleted.',
  models: { customers: customerModel },
  frequency: '6h',
  trackDeletes: true,
  async exec(ctx) {
    for await (const page of ctx.paginate<WooCustomer>({
      method: 'GET',
      path: '/customers',
      query: { orderby: 'id', order: 'asc' },
      signal: ctx.signal,
    })) {
      await ctx.records.save('customers', page.items.map(toCustomer));
    }
  },
});
