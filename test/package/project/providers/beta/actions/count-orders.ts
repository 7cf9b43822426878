import { type ActionContext, defineAction, z } from 'patchbay/scripts';

interface OrdersPage {
  orders: unknown[];
  next: string | null;
}

async function firstPage(ctx: ActionContext): Promise<OrdersPage> {
  return ctx.proxy.getJson<OrdersPage>('/orders', { signal: ctx.signal });
}

export default defineAction({
  name: 'count-orders',
  description: 'Counts the orders on the first page.',
  input: z.object({}),
  output: z.object({ count: z.number().int(), more: z.boolean() }),
  async exec(ctx) {
    const page = await firstPage(ctx);
    return { count: page.orders.length, more: page.next !== null };
  },
});
