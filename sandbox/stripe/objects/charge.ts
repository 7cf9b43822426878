/** Charges: one payment attempt of a payment intent, with the test card's details. */
import type Stripe from 'stripe';
import type { TestCard } from '../cards.ts';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';

export interface ChargeRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  readonly amount: number;
  amountRefunded: number;
  readonly currency: string;
  readonly customer: string | null;
  readonly description: string | null;
  metadata: Record<string, string>;
  readonly paymentIntent: string;
  readonly paymentMethod: string;
  readonly card: TestCard;
  readonly status: 'succeeded' | 'failed';
  readonly failure: { code: string; message: string; declineCode?: string } | null;
  applicationFee: string | null;
  readonly applicationFeeAmount: number | null;
  readonly balanceTransaction: string | null;
  readonly receiptEmail: string | null;
  /** Ids of its refunds, oldest first. */
  readonly refunds: string[];
  readonly billingEmail: string | null;
  readonly billingName: string | null;
}

export function chargeJson(charge: ChargeRecord, view: View): StripeJson<Stripe.Charge> {
  const succeeded = charge.status === 'succeeded';
  return {
    id: charge.id,
    object: 'charge',
    amount: charge.amount,
    amount_captured: succeeded ? charge.amount : 0,
    amount_refunded: charge.amountRefunded,
    application: null,
    application_fee: charge.applicationFee,
    application_fee_amount: charge.applicationFeeAmount,
    balance_transaction: charge.balanceTransaction,
    billing_details: {
      address: null,
      email: charge.billingEmail,
      name: charge.billingName,
      phone: null,
      tax_id: null,
    },
    calculated_statement_descriptor: (view.account.info.name ?? 'STRIPE SANDBOX').slice(0, 22).toUpperCase(),
    captured: succeeded,
    created: charge.created,
    currency: charge.currency,
    customer: charge.customer,
    description: charge.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: charge.failure?.code ?? null,
    failure_message: charge.failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...charge.metadata },
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: succeeded ? 'approved_by_network' : 'declined_by_network',
      reason: succeeded ? null : (charge.failure?.declineCode ?? charge.failure?.code ?? null),
      risk_level: 'normal',
      seller_message: succeeded
        ? 'Payment complete.'
        : 'The bank did not return any further details with this decline.',
      type: succeeded ? 'authorized' : 'issuer_declined',
    },
    paid: succeeded,
    payment_intent: charge.paymentIntent,
    payment_method: charge.paymentMethod,
    payment_method_details: {
      type: 'card',
      card: {
        amount_authorized: succeeded ? charge.amount : null,
        authorization_code: null,
        brand: charge.card.brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
        country: 'US',
        electronic_commerce_indicator: null,
        exp_month: 12,
        exp_year: 2034,
        funding: 'credit',
        installments: null,
        last4: charge.card.last4,
        mandate: null,
        network: charge.card.brand,
        network_transaction_id: null,
        regulated_status: 'unregulated',
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
    },
    receipt_email: charge.receiptEmail,
    receipt_number: null,
    receipt_url: `${view.origin}/receipts/${view.account.id}/${charge.id}`,
    refunded: charge.amountRefunded === charge.amount && charge.amount > 0,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: charge.status,
    transfer_data: null,
    transfer_group: null,
  };
}
