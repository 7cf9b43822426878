/** Refunds of a charge. */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface RefundRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  readonly amount: number;
  readonly currency: string;
  readonly charge: string;
  readonly paymentIntent: string;
  readonly customer: string | null;
  readonly reason: RefundReason | null;
  metadata: Record<string, string>;
  readonly balanceTransaction: string;
  readonly paymentMethod: string;
}

export function refundJson(refund: RefundRecord, _view: View): StripeJson<Stripe.Refund> {
  return {
    id: refund.id,
    object: 'refund',
    amount: refund.amount,
    balance_transaction: refund.balanceTransaction,
    charge: refund.charge,
    created: refund.created,
    currency: refund.currency,
    customer: refund.customer,
    customer_account: null,
    destination_details: {
      type: 'card',
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
    },
    metadata: { ...refund.metadata },
    payment_intent: refund.paymentIntent,
    payment_method: refund.paymentMethod,
    reason: refund.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}
