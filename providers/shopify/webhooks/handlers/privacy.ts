import { customerModel, defineWebhookHandler, orderModel, z } from '../../../../src/scripts/index.ts';

const customerPayload = z.looseObject({
  customer: z.looseObject({ id: z.number().int(), email: z.string().nullish() }),
  orders_to_redact: z.array(z.number().int()).optional(),
  orders_requested: z.array(z.number().int()).optional(),
  data_request: z.looseObject({ id: z.number().int() }).optional(),
});

const customerGid = (id: number) => `gid://shopify/Customer/${id}`;
const orderGid = (id: number) => `gid://shopify/Order/${id}`;

/**
 * The mandatory privacy topics (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance):
 * - `customers/redact`: the customer's record and the orders Shopify lists in `orders_to_redact`
 *   are deleted, and nothing else;
 * - `customers/data_request`: `commerce.customer_data_requested` tells the host, which answers the store
 *   owner with what it keeps.
 * `shop/redact` (48 hours after an uninstall) is not handled here: a handler reads records by id
 * and cannot list a connection's records, so erasing a shop is deleting its connection.
 */
export default defineWebhookHandler({
  name: 'privacy',
  description:
    'customers/redact deletes that customer and their orders; customers/data_request emits an event',
  events: ['customers/redact', 'customers/data_request'],
  models: { customers: customerModel, orders: orderModel },
  async handle(ctx, event) {
    const parsed = customerPayload.safeParse(event.payload);
    if (!parsed.success) {
      ctx.log.warn({ type: event.type }, 'not a Shopify privacy payload: left to the raw event');
      return;
    }
    const { customer } = parsed.data;
    if (event.type === 'customers/redact') {
      await ctx.records.delete('customers', [customerGid(customer.id)]);
      const orders = (parsed.data.orders_to_redact ?? []).map(orderGid);
      if (orders.length > 0) await ctx.records.delete('orders', orders);
      return;
    }
    ctx.events.emit('commerce.customer_data_requested', {
      customerId: customerGid(customer.id),
      email: customer.email ?? null,
      orderIds: (parsed.data.orders_requested ?? []).map(orderGid),
      requestId: parsed.data.data_request ? String(parsed.data.data_request.id) : null,
    });
  },
});
