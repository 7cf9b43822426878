import { defineAction, z } from '../../../src/scripts/index.ts';
import { runKey } from '../api.ts';
import {
  buildFinalizedInvoice,
  collectionInput,
  createdEventOf,
  invoiceLineInput,
  invoiceSummary,
  oneCurrency,
  summaryOf,
} from '../invoicing.ts';

/**
 * A finalized invoice for a customer: its lines (title, quantity, unit amount, currency), a memo,
 * `send_invoice` with days until due (default 7) or `charge_automatically`. Answers the number,
 * the hosted invoice URL and the PDF link; emits `invoice.created`.
 */
export default defineAction({
  name: 'create-invoice',
  description:
    'Creates and finalizes a Stripe invoice for a customer from line items; returns its hosted URL and PDF link.',
  input: z
    .object({
      customerId: z.string().min(1).max(255),
      lines: z.array(invoiceLineInput).min(1).max(250),
      memo: z.string().max(1500).optional(),
      footer: z.string().max(5000).optional(),
      metadata: z.record(z.string().max(40), z.string().max(500)).optional(),
    })
    .and(collectionInput)
    .refine((input) => oneCurrency(input.lines), {
      message: 'all lines of an invoice share one currency',
      path: ['lines'],
    }),
  output: invoiceSummary,
  async exec(ctx, input) {
    const invoice = await buildFinalizedInvoice(ctx, {
      customerId: input.customerId,
      lines: input.lines,
      collectionMethod: input.collectionMethod,
      daysUntilDue: input.daysUntilDue,
      description: input.memo,
      footer: input.footer,
      metadata: input.metadata,
      keyOf: (step) => runKey(ctx, step),
    });
    ctx.events.emit('invoice.created', createdEventOf(invoice));
    return summaryOf(invoice);
  },
});
