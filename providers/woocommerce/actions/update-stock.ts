/**
 * Sets a product's (or one of its variations') stock with `PUT /products/{id}` or
 * `PUT /products/{id}/variations/{variation}` (`manage_stock: true`, `stock_quantity`). The
 * quantity is absolute, so the call is idempotent and may be retried as it is.
 */
import { defineAction, z } from '../../../src/scripts/index.ts';
import { wooRequest } from '../api.ts';

const input = z.object({
  productId: z.string().regex(/^\d+$/, 'a WooCommerce product id'),
  variationId: z.string().regex(/^\d+$/).optional(),
  /** Units in stock from now on (negative for backorders). */
  quantity: z.number().int(),
});

const output = z.object({
  productId: z.string(),
  variationId: z.string().nullable(),
  stockQuantity: z.number().int().nullable(),
  stockStatus: z.string(),
});

export default defineAction({
  name: 'update-stock',
  description: "Sets a product's or variation's stock quantity (stock management turned on).",
  input,
  output,
  resumable: true,
  async exec(ctx, change) {
    const path =
      change.variationId === undefined
        ? `/products/${change.productId}`
        : `/products/${change.productId}/variations/${change.variationId}`;
    const updated = await wooRequest<{ stock_quantity: number | null; stock_status: string }>(ctx, {
      method: 'PUT',
      path,
      body: { manage_stock: true, stock_quantity: change.quantity },
      maxAttempts: 3,
    });
    return {
      productId: change.productId,
      variationId: change.variationId ?? null,
      stockQuantity: updated.stock_quantity,
      stockStatus: updated.stock_status,
    };
  },
});
