import { defineAction, z } from '../../../src/scripts/index.ts';
import { pathOf, runKey, stripeRequest } from '../api.ts';
import { invoiceSummary, type StripeInvoice, summaryOf } from '../invoicing.ts';

/** Voids an open (or uncollectible) invoice: it can no longer be paid. */
export default defineAction({
  name: 'void-invoice',
  description: 'Voids an open or uncollectible Stripe invoice.',
  input: z.object({ invoiceId: z.string().min(1).max(255) }),
  output: invoiceSummary,
  async exec(ctx, input) {
    const invoice = await stripeRequest<StripeInvoice>(ctx, {
      method: 'POST',
      path: pathOf`/v1/invoices/${input.invoiceId}/void`,
      idempotencyKey: await runKey(ctx, 'void'),
    });
    return summaryOf(invoice);
  },
});
