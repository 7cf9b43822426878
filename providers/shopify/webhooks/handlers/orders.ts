import { defineWebhookHandler, orderModel, z } from '../../../../src/scripts/index.ts';
import { type ShopifyOrderPayload, toOrderFromWebhook } from '../../models.ts';

const payload = z.looseObject({
  admin_graphql_api_id: z.string().startsWith('gid://shopify/Order/'),
  currency: z.string().regex(/^[A-Z]{3}$/),
  total_price: z.string(),
  updated_at: z.string().nullish(),
});

/**
 * `orders/create` and `orders/updated` write the order's `orders` record at once (the record the
 * `orders` sync keeps, same global id) and emit `commerce.order_updated`. Deliveries arrive late and
 * twice: one older than the stored record (by `updated_at`) is left alone.
 */
export default defineWebhookHandler({
  name: 'orders',
  description: 'orders/create and orders/updated update the order record and emit commerce.order_updated',
  events: ['orders/create', 'orders/updated'],
  models: { orders: orderModel },
  async handle(ctx, event) {
    const parsed = payload.safeParse(event.payload);
    if (!parsed.success) {
      ctx.log.warn({ type: event.type }, 'not a Shopify order payload: left to the raw event');
      return;
    }
    const record = toOrderFromWebhook(parsed.data as unknown as ShopifyOrderPayload);
    const stored = await ctx.records.get('orders', record.id);
    if (stored?.updatedAt && record.updatedAt && Date.parse(stored.updatedAt) > Date.parse(record.updatedAt))
      return;
    await ctx.records.save('orders', [record]);
    ctx.events.emit('commerce.order_updated', {
      orderId: record.id,
      number: record.number ?? null,
      status: record.status,
      financialStatus: record.financialStatus ?? null,
      fulfillmentStatus: record.fulfillmentStatus ?? null,
      total: record.total,
      currency: record.currency,
      customerId: record.customerId ?? null,
      providerType: event.type ?? 'orders/updated',
    });
  },
});
