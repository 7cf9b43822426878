import { defineAction, z } from '../../../src/scripts/index.ts';
import { runKey, stripeRequest } from '../api.ts';
import { metadataInput } from '../checkout.ts';

interface StripeRefund {
  id: string;
  status: string | null;
  amount: number;
  currency: string;
  charge: string | null;
  payment_intent: string | null;
}

/**
 * Refunds a payment (a PaymentIntent or a Charge), in full or in part. On a connected account's
 * payment, `refundApplicationFee` gives the platform's fee back too (in proportion), and
 * `reverseTransfer` pulls a destination charge's transfer back, as Stripe documents both.
 */
export default defineAction({
  name: 'refund-payment',
  description:
    'Refunds a Stripe payment in full or in part, optionally refunding the platform fee (refund_application_fee).',
  input: z
    .object({
      paymentIntentId: z.string().min(1).max(255).optional(),
      chargeId: z.string().min(1).max(255).optional(),
      /** In minor units; the whole remaining amount when left out. */
      amount: z.number().int().min(1).optional(),
      reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
      refundApplicationFee: z.boolean().optional(),
      reverseTransfer: z.boolean().optional(),
      metadata: metadataInput.optional(),
    })
    .refine((input) => (input.paymentIntentId === undefined) !== (input.chargeId === undefined), {
      message: 'give exactly one of paymentIntentId and chargeId',
      path: ['paymentIntentId'],
    }),
  output: z.object({
    refundId: z.string(),
    status: z.string().nullable(),
    amount: z.number().int(),
    currency: z.string(),
    chargeId: z.string().nullable(),
    paymentIntentId: z.string().nullable(),
  }),
  async exec(ctx, input) {
    const refund = await stripeRequest<StripeRefund>(ctx, {
      method: 'POST',
      path: '/v1/refunds',
      params: {
        payment_intent: input.paymentIntentId,
        charge: input.chargeId,
        amount: input.amount,
        reason: input.reason,
        refund_application_fee: input.refundApplicationFee,
        reverse_transfer: input.reverseTransfer,
        metadata: input.metadata,
      },
      idempotencyKey: await runKey(ctx, 'refund'),
    });
    return {
      refundId: refund.id,
      status: refund.status,
      amount: refund.amount,
      currency: refund.currency,
      chargeId: refund.charge,
      paymentIntentId: refund.payment_intent,
    };
  },
});
