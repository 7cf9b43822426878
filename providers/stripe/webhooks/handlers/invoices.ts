import {
  defineWebhookHandler,
  type InvoiceRecord,
  invoiceModel,
  invoiceStatusMayMove,
  type ScriptEventType,
} from '../../../../src/scripts/index.ts';
import { type StripeInvoice, toInvoice } from '../../models.ts';
import { recordOf, stripeEvent } from './_event.ts';

/** Stripe's invoice events and the typed event each one emits. */
const EMITS = {
  'invoice.finalized': 'invoice.finalized',
  'invoice.sent': 'invoice.sent',
  'invoice.paid': 'invoice.paid',
  'invoice.payment_failed': 'invoice.payment_failed',
  'invoice.voided': 'invoice.voided',
  'invoice.marked_uncollectible': 'invoice.uncollectible',
} as const satisfies Record<string, ScriptEventType>;

type StripeInvoiceEvent = keyof typeof EMITS;

/**
 * Invoice webhooks move the `invoices` record at once, from the invoice in the event, and emit
 * the typed event with the invoice's metadata (where the host keeps its buyer and rollup ids).
 *
 * Stripe sends events late, more than once and out of order
 * (https://docs.stripe.com/webhooks#event-ordering). A redelivery of one event carries its id,
 * which the inbound layer drops as a duplicate before any handler runs. An event whose invoice is
 * behind the stored record (a `finalized` arriving after `paid`, which the sync may have seen
 * first too) changes nothing and emits nothing: statuses only move forward
 * (`invoiceStatusMayMove`). Any other event is a distinct fact and is emitted, even when the
 * record already shows it (a sync may have stored the paid invoice before its webhook came).
 */
export default defineWebhookHandler({
  name: 'invoices',
  description: 'Invoice webhooks update the invoices record and emit invoice.* events',
  events: Object.keys(EMITS),
  models: { invoices: invoiceModel },
  async handle(ctx, event) {
    const parsed = stripeEvent<StripeInvoice>(event.payload, 'invoice', ctx.log);
    const invoice = parsed && recordOf(ctx.log, invoiceModel, () => toInvoice(parsed.object));
    if (!parsed || !invoice) return;
    const { object, createdAt, type } = parsed;
    const stored = await ctx.records.get('invoices', object.id);
    if (stored && !invoiceStatusMayMove(stored.status, invoice.status)) {
      ctx.log.info(
        { invoiceId: object.id, stored: stored.status, reported: invoice.status },
        'stale invoice event: the record is further along',
      );
      return;
    }
    // Events embed at most ten lines (`lines.has_more`); the sync stores them all.
    const lines = object.lines?.has_more && stored ? stored.lines : invoice.lines;
    const record: InvoiceRecord = { ...invoice, lines };
    await ctx.records.save('invoices', [record]);

    const fields = {
      invoiceId: record.id,
      number: record.number,
      amount: record.total,
      currency: record.currency,
      url: record.hostedUrl ?? null,
      status: record.status,
      customerId: record.customerId,
      metadata: record.metadata,
    };
    const emits = EMITS[type as StripeInvoiceEvent];
    if (emits === 'invoice.paid') ctx.events.emit(emits, { ...fields, paidAt: record.paidAt ?? createdAt });
    else ctx.events.emit(emits, fields);
  },
});
