/**
 * Creates an order at the store with `POST /orders`
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/#create-an-order): lines by product
 * (and variation), the buyer's billing details or registered customer, paid or awaiting payment.
 * WooCommerce takes no idempotency key, so the action keeps its own: the key (the host's
 * idempotency key, else the run's id) goes into the order's private meta `_patchbay_key`, and
 * the orders created in the last day are searched for it before creating (a run resumed after a
 * crash finds the order it placed) and after an answer lost in transit (the store may have placed
 * it): the first order is answered instead of placing a second. The POST itself is sent once.
 */
import { defineAction, isPatchbayError, orderModel, z } from '../../../src/scripts/index.ts';
import { wooRequest } from '../api.ts';
import { toOrder, type WooMeta, type WooOrder } from '../models.ts';

const KEY_META = '_patchbay_key';
const LOOKBACK_MS = 24 * 3600 * 1000;

const input = z.object({
  lines: z
    .array(
      z.object({
        productId: z.string().regex(/^\d+$/, 'a WooCommerce product id'),
        variationId: z.string().regex(/^\d+$/).optional(),
        quantity: z.number().int().positive(),
      }),
    )
    .min(1),
  /** A registered customer's id; leave out for a guest order. */
  customerId: z.string().regex(/^\d+$/).optional(),
  billing: z
    .object({
      email: z.email().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      phone: z.string().optional(),
    })
    .optional(),
  /** Mark it paid (status `processing`, stock reduced), as for a payment taken elsewhere. */
  paid: z.boolean().default(false),
  /** `pending` (default), `processing`, `on-hold`, `completed`. */
  status: z.enum(['pending', 'processing', 'on-hold', 'completed']).optional(),
  paymentMethod: z.string().optional(),
  paymentMethodTitle: z.string().optional(),
  /** Written as the order's meta data (the host's own ids). */
  metadata: z.record(z.string(), z.string()).default({}),
});

export default defineAction({
  name: 'create-order',
  description: 'Creates an order at the store; answers it as an orders record.',
  input,
  output: orderModel,
  resumable: true,
  async exec(ctx, order) {
    const key = `${ctx.connection.id}:${ctx.idempotencyKey === null ? `run:${ctx.runId}` : `key:${ctx.idempotencyKey}`}`;
    const existing = await findByKey(ctx, key);
    if (existing) return toOrder(existing);
    const billing = order.billing ?? {};
    let created: WooOrder;
    try {
      created = await wooRequest<WooOrder>(ctx, {
        method: 'POST',
        path: '/orders',
        maxAttempts: 1,
        body: {
          ...(order.status === undefined ? {} : { status: order.status }),
          set_paid: order.paid,
          ...(order.customerId === undefined ? {} : { customer_id: Number(order.customerId) }),
          ...(order.paymentMethod === undefined ? {} : { payment_method: order.paymentMethod }),
          ...(order.paymentMethodTitle === undefined
            ? {}
            : { payment_method_title: order.paymentMethodTitle }),
          billing: {
            ...(billing.email === undefined ? {} : { email: billing.email }),
            ...(billing.firstName === undefined ? {} : { first_name: billing.firstName }),
            ...(billing.lastName === undefined ? {} : { last_name: billing.lastName }),
            ...(billing.phone === undefined ? {} : { phone: billing.phone }),
          },
          line_items: order.lines.map((line) => ({
            product_id: Number(line.productId),
            ...(line.variationId === undefined ? {} : { variation_id: Number(line.variationId) }),
            quantity: line.quantity,
          })),
          meta_data: [
            { key: KEY_META, value: key },
            ...Object.entries(order.metadata).map(([name, value]) => ({ key: name, value })),
          ],
        },
      });
    } catch (error) {
      // The answer was lost (a timeout, a cut body, a dropped connection): the store may have
      // placed the order. It is looked for by its key before the failure is reported.
      if (!answerLost(error)) throw error;
      const placed = await findByKey(ctx, key);
      if (!placed) throw error;
      ctx.log.info({ orderId: placed.id }, 'create-order: the order placed before the lost answer was found');
      created = placed;
    }
    // No event here: the store's own order.created webhook reports it (once, with the rest).
    return toOrder(created);
  },
});

const LOST_ANSWER_CODES = new Set(['provider_timeout', 'provider_unreachable', 'provider_response_invalid']);

function answerLost(error: unknown): boolean {
  return isPatchbayError(error) && LOST_ANSWER_CODES.has(error.code);
}

/** An order this action already created with `key`, among those created in the last day. */
async function findByKey(ctx: Parameters<typeof wooRequest>[0], key: string): Promise<WooOrder | null> {
  const after = new Date(Date.now() - LOOKBACK_MS).toISOString().slice(0, 19);
  for await (const page of ctx.paginate<WooOrder>({
    method: 'GET',
    path: '/orders',
    query: { after, dates_are_gmt: 'true', orderby: 'id', order: 'desc', status: 'any' },
    signal: ctx.signal,
  })) {
    const found = page.items.find((item) =>
      item.meta_data.some((meta: WooMeta) => meta.key === KEY_META && meta.value === key),
    );
    if (found) return found;
  }
  return null;
}
