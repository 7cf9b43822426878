import { defineSync, z } from 'patchbay/scripts';

const order = z.object({ id: z.string(), totalCents: z.number().int(), email: z.string() });

export default defineSync({
  name: 'orders',
  description: 'Every order of the shop, page by page.',
  models: { orders: order },
  frequency: '1h',
  autoStart: false,
  trackDeletes: true,
  async exec(ctx) {
    for await (const page of ctx.paginate({ method: 'GET', path: '/orders' })) {
      await ctx.records.save(
        'orders',
        page.items.map((item) => ({ id: item.id, totalCents: item.total_cents, email: item.buyer.email })),
      );
    }
  },
});
