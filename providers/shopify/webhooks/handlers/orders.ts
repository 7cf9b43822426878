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
 * `orders` sync keeps, same global id) and emit `store_order.created` / `store_order.updated`. Deliveries arrive late and
 * twice: one older than the stored record (by `updated_at`) is left alone.
 */
export default defineWebhookHandler({
  name: 'orders',
  description:
    'orders/create and orders/updated update the order record and emit store_order.created / store_order.updated',
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
    // The stores' shared order events: a host reads a Shopify order like a WooCommerce one.
    ctx.events.emit(event.type === 'orders/create' ? 'store_order.created' : 'store_order.updated', {
      orderId: record.id,
      number: record.number ?? null,
      status: record.status,
      providerStatus: record.providerStatus ?? record.financialStatus ?? null,
      total: record.total,
      currency: record.currency,
      customerId: record.customerId ?? null,
      customerEmail: record.customerEmail ?? null,
      metadata: record.metadata ?? {},
    });
  },
});
