import { defineAction, PatchbayError, z } from '../../../src/scripts/index.ts';
import { runKey, stripeRequest } from '../api.ts';
import {
  applicationFeeInput,
  checkoutLineInput,
  feeAmountOf,
  inlineTotal,
  metadataInput,
} from '../checkout.ts';

interface StripeCheckoutSession {
  id: string;
  url: string | null;
  status: string | null;
  amount_total: number | null;
  currency: string | null;
  expires_at: number;
  payment_intent: string | null;
}

/**
 * A Checkout Session (`payment` mode) on the connected account, with the platform's fee as
 * `payment_intent_data[application_fee_amount]` (a percentage is computed into an amount from the
 * lines). Answers the page's URL to send the buyer.
 */
export default defineAction({
  name: 'create-checkout-session',
  description:
    'Creates a Stripe Checkout page for line items on the connected account, optionally with a platform fee; returns its URL.',
  input: z.object({
    lines: z.array(checkoutLineInput).min(1).max(100),
    successUrl: z.url(),
    cancelUrl: z.url().optional(),
    customerId: z.string().min(1).max(255).optional(),
    customerEmail: z.string().min(3).max(512).optional(),
    clientReferenceId: z.string().min(1).max(200).optional(),
    applicationFee: applicationFeeInput.optional(),
    metadata: metadataInput.optional(),
  }),
  output: z.object({
    sessionId: z.string(),
    url: z.string().nullable(),
    status: z.string().nullable(),
    amountTotal: z.number().int().nullable(),
    currency: z.string().nullable(),
    applicationFeeAmount: z.number().int().nullable(),
    expiresAt: z.number().int(),
  }),
  async exec(ctx, input) {
    let fee: number | undefined;
    if (input.applicationFee && 'amount' in input.applicationFee) fee = input.applicationFee.amount;
    if (input.applicationFee && 'percent' in input.applicationFee) {
      const total = inlineTotal(input.lines);
      if (total === null) {
        throw new PatchbayError(
          'action_input_invalid',
          'A platform fee in percent needs lines priced inline (title and unitAmount); with Price ids give applicationFee.amount',
          { details: { issues: [{ path: 'applicationFee.percent', message: 'needs inline-priced lines' }] } },
        );
      }
      fee = feeAmountOf(total, input.applicationFee.percent);
    }
    const session = await stripeRequest<StripeCheckoutSession>(ctx, {
      method: 'POST',
      path: '/v1/checkout/sessions',
      params: {
        mode: 'payment',
        line_items: input.lines.map((line) =>
          'priceId' in line
            ? { price: line.priceId, quantity: line.quantity }
            : {
                price_data: {
                  currency: line.currency,
                  unit_amount: line.unitAmount,
                  product_data: { name: line.title },
                },
                quantity: line.quantity,
              },
        ),
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
        customer: input.customerId,
        customer_email: input.customerEmail,
        client_reference_id: input.clientReferenceId,
        metadata: input.metadata,
        payment_intent_data:
          fee === undefined && input.metadata === undefined
            ? undefined
            : { application_fee_amount: fee, metadata: input.metadata },
      },
      idempotencyKey: await runKey(ctx, 'checkout-session'),
    });
    return {
      sessionId: session.id,
      url: session.url,
      status: session.status,
      amountTotal: session.amount_total,
      currency: session.currency,
      applicationFeeAmount: fee ?? null,
      expiresAt: session.expires_at,
    };
  },
});
