import { defineWebhookHandler, paymentModel, z } from '../../../../src/scripts/index.ts';
import { WHOP_PAYMENT_EVENTS } from '../../events.ts';
import { toPayment, type WhopPayment } from '../../models.ts';

const envelope = z.object({
  data: z.looseObject({
    id: z.string().min(1),
    currency: z.string().length(3),
    substatus: z.string(),
    updated_at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'an instant'),
  }),
});

/**
 * A payment created, succeeded, failed or pending updates its `payments` record at once. An event
 * older than the stored record (by Whop's `updated_at`) is ignored: a late `payment.pending`
 * leaves a succeeded payment succeeded.
 */
export default defineWebhookHandler({
  name: 'payments',
  description: 'Whop payment events update payments records',
  events: WHOP_PAYMENT_EVENTS,
  models: { payments: paymentModel },
  async handle(ctx, event) {
    const parsed = envelope.safeParse(event.payload);
    if (!parsed.success) {
      ctx.log.warn({ type: event.type }, 'not a Whop payment event: left to the raw event');
      return;
    }
    const payment = parsed.data.data as unknown as WhopPayment;
    const stored = await ctx.records.get('payments', payment.id);
    const storedAt = Date.parse(
      String((stored?.raw as { updated_at?: unknown } | undefined)?.updated_at ?? ''),
    );
    if (stored && storedAt > Date.parse(payment.updated_at)) return;
    await ctx.records.save('payments', [toPayment(payment)]);
  },
});
