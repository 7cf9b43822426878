/**
 * The store's orders (`GET /orders`, every status, 100 a page, by id) as `orders` records, in
 * each order's own currency. After the first run only orders modified since are read
 * (../incremental.ts); the `orders` webhook handler applies changes at once.
 */
import { defineSync, orderModel } from '../../../src/scripts/index.ts';
import { listChanged, wooCheckpoint } from '../incremental.ts';
import { toOrder, type WooOrder } from '../models.ts';

export default defineSync({
  name: 'orders',
  description: 'Orders of the store with lines and totals; changed ones re-read by modified_after.',
  models: { orders: orderModel },
  frequency: '15m',
  checkpoint: wooCheckpoint,
  async exec(ctx) {
    await listChanged<WooOrder>(ctx, '/orders', (orders) => ctx.records.save('orders', orders.map(toOrder)));
  },
});
