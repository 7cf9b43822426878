import { customerModel, defineWebhookHandler, z } from '../../../../src/scripts/index.ts';
import { toCustomer, type WooCustomer } from '../../models.ts';

const customer = z.looseObject({
  id: z.number().int().positive(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  meta_data: z.array(z.unknown()),
});

/** Customer webhooks save the `customers` record at once; `customer.deleted` (the id only) deletes it. */
export default defineWebhookHandler({
  name: 'customers',
  description: 'Customer webhooks create, update or delete customers records at once',
  events: ['customer.created', 'customer.updated', 'customer.deleted'],
  models: { customers: customerModel },
  async handle(ctx, event) {
    if (event.type === 'customer.deleted') {
      const id = (event.payload as { id?: unknown }).id;
      if (typeof id === 'number') await ctx.records.delete('customers', [String(id)]);
      return;
    }
    const parsed = customer.safeParse(event.payload);
    if (!parsed.success) {
      ctx.log.warn({ type: event.type }, 'not a WooCommerce customer: left to the raw event');
      return;
    }
    await ctx.records.save('customers', [toCustomer(parsed.data as unknown as WooCustomer)]);
  },
});
