import { defineAction, PatchbayError, z } from '../../../src/scripts/index.ts';

/**
 * `POST /v2/licenses/verify` (https://gumroad.com/api#licenses): whether a license key belongs to
 * a sale of the product, and that sale's state. Gumroad counts a use on every verification unless
 * `increment_uses_count` is false; counting is opt-in here, because a retried count is a second
 * count (Gumroad has no idempotency key), so a counting call is sent once and never retried.
 * An unknown key is an answer (`valid: false`), not a failure; a refunded, disputed or ended sale
 * is `valid: true` with those flags, so the host decides what it accepts.
 */
const purchase = z.looseObject({
  sale_id: z.string(),
  product_id: z.string(),
  email: z.string().optional(),
  sale_timestamp: z.string().optional(),
  refunded: z.boolean().optional(),
  disputed: z.boolean().optional(),
  chargebacked: z.boolean().optional(),
  subscription_id: z.string().optional(),
  subscription_cancelled_at: z.string().nullable().optional(),
  subscription_ended_at: z.string().nullable().optional(),
  subscription_failed_at: z.string().nullable().optional(),
});

const NOT_FOUND = 'That license does not exist for the provided product.';

export default defineAction({
  name: 'verify-license',
  description: "Checks a license key against a Gumroad product and returns its sale's state and use count.",
  input: z.object({
    /** The product's id (Gumroad requires it for products made since January 2023). */
    productId: z.string().min(1).max(255),
    licenseKey: z.string().trim().min(1).max(255),
    /** Count this verification as a use (Gumroad's `increment_uses_count`). */
    incrementUses: z.boolean().default(false),
  }),
  output: z.discriminatedUnion('valid', [
    z.object({ valid: z.literal(false), reason: z.string() }),
    z.object({
      valid: z.literal(true),
      uses: z.number().int().min(0),
      saleId: z.string(),
      productId: z.string(),
      email: z.string().nullable(),
      purchasedAt: z.string().nullable(),
      refunded: z.boolean(),
      disputed: z.boolean(),
      chargebacked: z.boolean(),
      subscriptionId: z.string().nullable(),
      /** A membership that was cancelled, ended or failed to renew. */
      subscriptionInactive: z.boolean(),
    }),
  ]),
  async exec(ctx, input) {
    const response = await ctx.proxy.request({
      method: 'POST',
      path: '/licenses/verify',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        product_id: input.productId,
        license_key: input.licenseKey,
        increment_uses_count: String(input.incrementUses),
      }).toString(),
      ...(input.incrementUses ? { maxAttempts: 1 } : {}),
      signal: ctx.signal,
    });
    const text = await response.text();
    let body: { success?: unknown; message?: unknown; uses?: unknown; purchase?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Not Gumroad's JSON: the status below says what happened.
    }
    const message = typeof body.message === 'string' ? body.message : null;
    if (response.status === 404 && body.success === false) {
      return { valid: false as const, reason: message ?? NOT_FOUND };
    }
    const parsed = purchase.safeParse(body.purchase);
    if (
      response.status !== 200 ||
      body.success !== true ||
      !parsed.success ||
      typeof body.uses !== 'number'
    ) {
      throw new PatchbayError(
        'provider_error',
        `POST /licenses/verify: Gumroad answered ${response.status}${message ? ` (${message})` : ''}`,
        { details: { status: response.status, message } },
      );
    }
    const sale = parsed.data;
    return {
      valid: true as const,
      uses: body.uses,
      saleId: sale.sale_id,
      productId: sale.product_id,
      email: sale.email ?? null,
      purchasedAt: sale.sale_timestamp ?? null,
      refunded: sale.refunded ?? false,
      disputed: sale.disputed ?? false,
      chargebacked: sale.chargebacked ?? false,
      subscriptionId: sale.subscription_id ?? null,
      subscriptionInactive: Boolean(
        sale.subscription_cancelled_at || sale.subscription_ended_at || sale.subscription_failed_at,
      ),
    };
  },
});
