import { defineAction, z } from '../../../src/scripts/index.ts';
import { getInvoice, invoiceSummary, summaryOf } from '../invoicing.ts';

/** An invoice's current status, number, total and links. */
export default defineAction({
  name: 'get-invoice',
  description: 'Reads a Stripe invoice: status, number, total, hosted URL and PDF link.',
  input: z.object({ invoiceId: z.string().min(1).max(255) }),
  output: invoiceSummary.extend({ metadata: z.record(z.string(), z.string()) }),
  async exec(ctx, input) {
    const invoice = await getInvoice(ctx, input.invoiceId);
    return { ...summaryOf(invoice), metadata: invoice.metadata };
  },
});
