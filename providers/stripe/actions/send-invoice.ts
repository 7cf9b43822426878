import { defineAction, z } from '../../../src/scripts/index.ts';
import { pathOf, runKey, stripeRequest } from '../api.ts';
import { invoiceSummary, type StripeInvoice, summaryOf } from '../invoicing.ts';

/** Emails a `send_invoice` invoice to its customer (Stripe finalizes a draft first). */
export default defineAction({
  name: 'send-invoice',
  description: 'Emails a Stripe invoice (collection method send_invoice) to its customer.',
  input: z.object({ invoiceId: z.string().min(1).max(255) }),
  output: invoiceSummary,
  async exec(ctx, input) {
    const invoice = await stripeRequest<StripeInvoice>(ctx, {
      method: 'POST',
      path: pathOf`/v1/invoices/${input.invoiceId}/send`,
      idempotencyKey: await runKey(ctx, 'send'),
    });
    return summaryOf(invoice);
  },
});
