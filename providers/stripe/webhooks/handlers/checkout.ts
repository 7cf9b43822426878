import { defineWebhookHandler, z } from '../../../../src/scripts/index.ts';
import { idOf } from '../../models.ts';
import { stripeEvent } from './_event.ts';

/** What the handler reads of a Checkout Session (https://docs.stripe.com/api/checkout/sessions/object). */
type Session = {
  id: string;
  payment_intent: string | { id: string; application_fee_amount?: number | null } | null;
  customer: string | { id: string } | null;
  customer_email: string | null;
  customer_details: { email: string | null } | null;
  amount_total: number | null;
  currency: string | null;
  metadata: Record<string, string> | null;
};

const currency = z.string().length(3);

/**
 * `checkout.session.completed` → `checkout.completed`: a buyer paid a Checkout page (a session
 * the host created, or one a payment link opened). Stripe's session names the payment intent but
 * not the platform fee, which is on the payment intent (and on the charge the `payments` sync
 * stores): `applicationFeeAmount` is read only when the payment intent is expanded in the event,
 * and is null otherwise. No record is written: sessions are not a commerce model.
 */
export default defineWebhookHandler({
  name: 'checkout',
  description: 'checkout.session.completed emits checkout.completed',
  events: ['checkout.session.completed'],
  models: {},
  async handle(ctx, event) {
    const parsed = stripeEvent<Session>(event.payload, 'checkout.session', ctx.log);
    if (!parsed) return;
    const session = parsed.object;
    const paymentIntent = session.payment_intent;
    ctx.events.emit('checkout.completed', {
      checkoutId: session.id,
      paymentId: idOf(paymentIntent),
      customerId: idOf(session.customer),
      customerEmail: session.customer_details?.email ?? session.customer_email ?? null,
      amount: session.amount_total ?? null,
      currency: currency.safeParse(session.currency).success ? session.currency : null,
      applicationFeeAmount:
        typeof paymentIntent === 'object' && paymentIntent !== null
          ? (paymentIntent.application_fee_amount ?? null)
          : null,
      metadata: session.metadata ?? {},
    });
  },
});
