/**
 * Application fees: what a platform collects on a payment made on a connected account with
 * `application_fee_amount`. They live in the platform's account, naming the connected account.
 */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';
import { embeddedList } from '../list.ts';

export interface FeeRefundRecord {
  readonly id: string;
  readonly created: number;
  readonly amount: number;
  readonly metadata: Record<string, string>;
}

export interface ApplicationFeeRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  /** The connected account the payment was made on. */
  readonly account: string;
  /** The platform's Connect client id (`ca_…`). */
  readonly application: string;
  readonly amount: number;
  amountRefunded: number;
  readonly charge: string;
  readonly currency: string;
  readonly refunds: FeeRefundRecord[];
}

export function feeRefundJson(
  refund: FeeRefundRecord,
  fee: ApplicationFeeRecord,
): StripeJson<Stripe.FeeRefund> {
  return {
    id: refund.id,
    object: 'fee_refund',
    amount: refund.amount,
    balance_transaction: null,
    created: refund.created,
    currency: fee.currency,
    fee: fee.id,
    metadata: { ...refund.metadata },
  };
}

export function applicationFeeJson(
  fee: ApplicationFeeRecord,
  _view: View,
): StripeJson<Stripe.ApplicationFee> {
  const refunds = [...fee.refunds].reverse().map((refund) => feeRefundJson(refund, fee));
  return {
    id: fee.id,
    object: 'application_fee',
    account: fee.account,
    amount: fee.amount,
    amount_refunded: fee.amountRefunded,
    application: fee.application,
    balance_transaction: null,
    charge: fee.charge,
    created: fee.created,
    currency: fee.currency,
    fee_source: { type: 'charge', charge: fee.charge },
    livemode: false,
    originating_transaction: null,
    refunded: fee.amountRefunded === fee.amount,
    refunds: embeddedList(refunds, `/v1/application_fees/${fee.id}/refunds`),
  };
}
