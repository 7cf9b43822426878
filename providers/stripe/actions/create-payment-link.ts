import { defineAction, z } from '../../../src/scripts/index.ts';
import { runKey, stripeRequest } from '../api.ts';
import { applicationFeeInput, checkoutLineInput, metadataInput } from '../checkout.ts';

interface StripePaymentLink {
  id: string;
  url: string;
  active: boolean;
  application_fee_amount: number | null;
  application_fee_percent: number | null;
}

/**
 * A reusable Payment Link on the connected account, with the platform's fee as
 * `application_fee_amount` or `application_fee_percent` (Payment Links take either). Payment
 * Links take Prices only, so a line priced inline first becomes a Price (with its product).
 */
export default defineAction({
  name: 'create-payment-link',
  description:
    'Creates a Stripe Payment Link on the connected account, optionally with a platform fee (amount or percent); returns its URL.',
  input: z.object({
    lines: z.array(checkoutLineInput).min(1).max(20),
    applicationFee: applicationFeeInput.optional(),
    redirectUrl: z.url().optional(),
    metadata: metadataInput.optional(),
  }),
  output: z.object({
    paymentLinkId: z.string(),
    url: z.string(),
    active: z.boolean(),
    applicationFeeAmount: z.number().int().nullable(),
    applicationFeePercent: z.number().nullable(),
  }),
  async exec(ctx, input) {
    const lineItems: Array<{ price: string; quantity: number }> = [];
    for (const [index, line] of input.lines.entries()) {
      if ('priceId' in line) {
        lineItems.push({ price: line.priceId, quantity: line.quantity });
        continue;
      }
      const price = await stripeRequest<{ id: string }>(ctx, {
        method: 'POST',
        path: '/v1/prices',
        params: { currency: line.currency, unit_amount: line.unitAmount, product_data: { name: line.title } },
        idempotencyKey: await runKey(ctx, `price:${index}`),
      });
      lineItems.push({ price: price.id, quantity: line.quantity });
    }
    const fee = input.applicationFee;
    const link = await stripeRequest<StripePaymentLink>(ctx, {
      method: 'POST',
      path: '/v1/payment_links',
      params: {
        line_items: lineItems,
        application_fee_amount: fee && 'amount' in fee ? fee.amount : undefined,
        application_fee_percent: fee && 'percent' in fee ? fee.percent : undefined,
        after_completion: input.redirectUrl
          ? { type: 'redirect', redirect: { url: input.redirectUrl } }
          : undefined,
        metadata: input.metadata,
      },
      idempotencyKey: await runKey(ctx, 'payment-link'),
    });
    return {
      paymentLinkId: link.id,
      url: link.url,
      active: link.active,
      applicationFeeAmount: link.application_fee_amount,
      applicationFeePercent: link.application_fee_percent,
    };
  },
});
