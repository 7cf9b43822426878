import { defineWebhookHandler, type PaymentRecord, paymentModel } from '../../../../src/scripts/index.ts';
import { type StripeCharge, toPayment } from '../../models.ts';
import { recordOf, stripeEvent } from './_event.ts';

/**
 * `charge.refunded` moves the `payments` record (a charge, see ../../models.ts) and emits
 * `payment.refunded` with the total refunded so far. A charge only ever gains refunds, so an
 * event whose `amount_refunded` is below the stored one arrived out of order and changes nothing.
 * Events carry a charge's `refunds` list only when an API version embeds it; without it the
 * refunds already stored are kept (the sync reads the full list).
 */
export default defineWebhookHandler({
  name: 'payments',
  description: 'charge.refunded updates the payments record and emits payment.refunded',
  events: ['charge.refunded'],
  models: { payments: paymentModel },
  async handle(ctx, event) {
    const parsed = stripeEvent<StripeCharge>(event.payload, 'charge', ctx.log);
    const payment = parsed && recordOf(ctx.log, paymentModel, () => toPayment(parsed.object));
    if (!parsed || !payment) return;
    const charge = parsed.object;
    const stored = await ctx.records.get('payments', charge.id);
    if (stored && stored.amountRefunded > charge.amount_refunded) {
      ctx.log.info({ paymentId: charge.id }, 'stale refund event: the record has more refunded');
      return;
    }
    const record: PaymentRecord = {
      ...payment,
      refunds: charge.refunds?.data ? payment.refunds : (stored?.refunds ?? []),
    };
    await ctx.records.save('payments', [record]);
    ctx.events.emit('payment.refunded', {
      paymentId: record.id,
      amount: record.amount,
      amountRefunded: record.amountRefunded,
      currency: record.currency,
      fullyRefunded: charge.refunded || record.amountRefunded >= record.amount,
      metadata: record.metadata,
    });
  },
});
