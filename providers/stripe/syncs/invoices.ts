/**
 * Stripe invoices with their lines: listed by `created`, then every `invoice.*` event (finalized,
 * sent, paid, voided, marked uncollectible, updated…) applies the invoice as it became, and
 * `invoice.deleted` (a deleted draft) soft-deletes its record (see ../incremental.ts). An invoice
 * embeds its first 10 lines; the rest are read from `GET /v1/invoices/:id/lines`.
 */
import { defineSync, invoiceModel } from '../../../src/scripts/index.ts';
import { allOf, runStripeSync, stripeCheckpoint } from '../incremental.ts';
import { type StripeInvoice, type StripeInvoiceLine, type StripeList, toInvoice } from '../models.ts';

export default defineSync({
  name: 'invoices',
  description: 'Invoices of the Stripe account with status, amounts, hosted page, PDF and lines.',
  models: { invoices: invoiceModel },
  frequency: '15m',
  checkpoint: stripeCheckpoint,
  exec: (ctx) =>
    runStripeSync<'invoices', StripeInvoice>(ctx, {
      model: 'invoices',
      path: '/v1/invoices',
      events: { type: 'invoice.*' },
      async toRecords(ctx, invoices) {
        const records = [];
        for (const invoice of invoices) {
          const embedded = invoice.lines as StripeList<StripeInvoiceLine> | undefined;
          const lines = embedded?.has_more
            ? await allOf(ctx, embedded, `/v1/invoices/${encodeURIComponent(invoice.id)}/lines`)
            : undefined;
          records.push(toInvoice(invoice, lines));
        }
        return records;
      },
      effectOf(event) {
        const object = event.data.object;
        if (object.object !== 'invoice') return null;
        if (event.type === 'invoice.deleted') return { id: object.id, kind: 'delete' };
        return { id: object.id, kind: 'save', object };
      },
    }),
});
