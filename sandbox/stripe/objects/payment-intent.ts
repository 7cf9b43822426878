/** Payment intents. */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'processing'
  | 'succeeded'
  | 'canceled';

export interface PaymentIntentRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  readonly amount: number;
  readonly currency: string;
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  status: PaymentIntentStatus;
  amountReceived: number;
  readonly applicationFeeAmount: number | null;
  paymentMethod: string | null;
  latestCharge: string | null;
  readonly clientSecret: string;
  receiptEmail: string | null;
  lastPaymentError: { code: string; declineCode?: string; message: string; charge: string } | null;
  canceledAt: number | null;
}

export function paymentIntentJson(
  intent: PaymentIntentRecord,
  _view: View,
): StripeJson<Stripe.PaymentIntent> {
  const error = intent.lastPaymentError;
  return {
    id: intent.id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: intent.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: intent.amountReceived,
    application: null,
    application_fee_amount: intent.applicationFeeAmount,
    automatic_payment_methods: null,
    canceled_at: intent.canceledAt,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: intent.clientSecret,
    confirmation_method: 'automatic',
    created: intent.created,
    currency: intent.currency,
    customer: intent.customer,
    customer_account: null,
    description: intent.description,
    excluded_payment_method_types: null,
    last_payment_error: error && {
      type: 'card_error',
      charge: error.charge,
      code: error.code,
      ...(error.declineCode === undefined ? {} : { decline_code: error.declineCode }),
      doc_url: `https://stripe.com/docs/error-codes/${error.code.replaceAll('_', '-')}`,
      message: error.message,
    },
    latest_charge: intent.latestCharge,
    livemode: false,
    managed_payments: null,
    metadata: { ...intent.metadata },
    next_action: null,
    on_behalf_of: null,
    payment_method: intent.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: null,
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: intent.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: intent.status,
    transfer_data: null,
    transfer_group: null,
  };
}
