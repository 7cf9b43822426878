import { defineWebhookHandler, orderModel, z } from '../../../../src/scripts/index.ts';
import { eventOf, toOrder, type WooOrder } from '../../models.ts';

const order = z.looseObject({
  id: z.number().int().positive(),
  currency: z.string().length(3),
  status: z.string(),
  line_items: z.array(z.unknown()),
  refunds: z.array(z.unknown()),
  meta_data: z.array(z.unknown()),
});

/**
 * `order.created`, `order.updated` and `order.restored` deliveries carry the whole order (as the
 * API's GET answers it): the `orders` record is saved at once and `store_order.created`
 * (for an order not seen before) or `store_order.updated` emitted — for orders the
 * `create-order` action placed too, which the store reports like any other. Deliveries arrive
 * late and out of order, so one whose `date_modified_gmt` is older than the stored record's is dropped. `order.deleted` carries only
 * the id: the record is deleted.
 */
export default defineWebhookHandler({
  name: 'orders',
  description:
    'Order webhooks update orders records at once and emit store_order.created / store_order.updated',
  events: ['order.created', 'order.updated', 'order.restored', 'order.deleted'],
  models: { orders: orderModel },
  async handle(ctx, event) {
    if (event.type === 'order.deleted') {
      const id = (event.payload as { id?: unknown }).id;
      if (typeof id === 'number') await ctx.records.delete('orders', [String(id)]);
      return;
    }
    const parsed = order.safeParse(event.payload);
    if (!parsed.success) {
      ctx.log.warn({ type: event.type }, 'not a WooCommerce order: left to the raw event');
      return;
    }
    const record = toOrder(parsed.data as unknown as WooOrder);
    const stored = await ctx.records.get('orders', record.id);
    if (stored?.updatedAt && record.updatedAt && Date.parse(stored.updatedAt) > Date.parse(record.updatedAt))
      return;
    await ctx.records.save('orders', [record]);
    ctx.events.emit(
      event.type === 'order.created' && !stored ? 'store_order.created' : 'store_order.updated',
      eventOf(record),
    );
  },
});
