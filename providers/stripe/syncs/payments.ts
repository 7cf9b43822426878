/**
 * Stripe payments: charges, each with its refunds and the platform's application fee (why charges
 * and not payment intents: ../models.ts). Listed by `created` with `expand[]=data.refunds` (a
 * charge lists its refunds only when asked; past 10 they are read from `GET /v1/refunds`). Then
 * every `charge.*` event — a charge that succeeded, failed, was refunded or updated, a refund or
 * a dispute of one — reads that charge again with its refunds, as the events do not carry them
 * (see ../incremental.ts).
 */
import { defineSync, paymentModel } from '../../../src/scripts/index.ts';
import { allOf, retrieveOrNull, runStripeSync, stripeCheckpoint } from '../incremental.ts';
import { type StripeCharge, type StripeList, type StripeRefund, toPayment } from '../models.ts';

export default defineSync({
  name: 'payments',
  description: 'Payments (charges) of the Stripe account with their refunds and application fees.',
  models: { payments: paymentModel },
  frequency: '15m',
  checkpoint: stripeCheckpoint,
  exec: (ctx) =>
    runStripeSync<'payments', StripeCharge>(ctx, {
      model: 'payments',
      path: '/v1/charges',
      query: { 'expand[]': ['data.refunds'] },
      events: { type: 'charge.*' },
      async toRecords(ctx, charges) {
        const records = [];
        for (const charge of charges) {
          const embedded = charge.refunds as StripeList<StripeRefund> | null | undefined;
          const refunds = embedded?.has_more
            ? await allOf(ctx, embedded, '/v1/refunds', { charge: charge.id })
            : undefined;
          records.push(toPayment(charge, refunds));
        }
        return records;
      },
      effectOf(event) {
        const object = event.data.object;
        if (object.object === 'charge') return { id: object.id, kind: 'refetch' };
        // charge.refund.updated and charge.dispute.*: a refund or a dispute naming its charge.
        const charge = object.charge;
        if (typeof charge === 'string') return { id: charge, kind: 'refetch' };
        if (
          typeof charge === 'object' &&
          charge !== null &&
          typeof (charge as { id?: unknown }).id === 'string'
        ) {
          return { id: (charge as { id: string }).id, kind: 'refetch' };
        }
        return null;
      },
      retrieve: (ctx, id) =>
        retrieveOrNull<StripeCharge>(ctx, `/v1/charges/${encodeURIComponent(id)}`, {
          'expand[]': ['refunds'],
        }),
    }),
});
