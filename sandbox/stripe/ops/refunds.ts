/**
 * Refunding a charge, whole or in part. With `refund_application_fee` the platform's fee is
 * refunded too, in proportion to the amount refunded (all of what is left of it when the charge
 * is refunded in full), which records `application_fee.refunded` in the platform's account.
 */
import type { PlatformAccount } from '../accounts.ts';
import { nowSeconds, type Scope, scopeOf } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { previousAttributes, recordEvent } from '../events.ts';
import { newId } from '../ids.ts';
import { type ApplicationFeeRecord, applicationFeeJson } from '../objects/application-fee.ts';
import { type ChargeRecord, chargeJson } from '../objects/charge.ts';
import { type RefundReason, type RefundRecord, refundJson } from '../objects/refund.ts';
import type { AccountState } from '../state.ts';

export interface RefundRequest {
  amount?: number | undefined;
  reason?: RefundReason | undefined;
  metadata: Record<string, string>;
  refundApplicationFee: boolean;
  platform: PlatformAccount | undefined;
}

export function refundCharge(scope: Scope, charge: ChargeRecord, request: RefundRequest): RefundRecord {
  const remaining = charge.amount - charge.amountRefunded;
  if (charge.status !== 'succeeded') {
    throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, {
      code: 'charge_not_refundable',
    });
  }
  if (remaining === 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {
      code: 'charge_already_refunded',
    });
  }
  const amount = request.amount ?? remaining;
  if (amount > remaining) {
    throw invalidRequest(
      `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
      { code: 'amount_too_large', param: 'amount' },
    );
  }
  if (amount < 1) throw invalidRequest('Refund amount must be positive.', { param: 'amount' });
  if (request.refundApplicationFee && !request.platform) {
    throw invalidRequest('Only the application that created the charge can refund its application fee.', {
      param: 'refund_application_fee',
    });
  }
  const { account } = scope;
  const refund: RefundRecord = {
    id: newId('re'),
    created: nowSeconds(scope),
    seq: account.nextSeq(),
    amount,
    currency: charge.currency,
    charge: charge.id,
    paymentIntent: charge.paymentIntent,
    customer: charge.customer,
    reason: request.reason ?? null,
    metadata: request.metadata,
    balanceTransaction: newId('txn'),
    paymentMethod: charge.paymentMethod,
  };
  const before = chargeJson(charge, scope);
  account.refunds.add(refund);
  charge.refunds.push(refund.id);
  charge.amountRefunded += amount;
  const after = chargeJson(charge, scope);
  recordEvent(scope, 'charge.refunded', after, previousAttributes(before, after));
  recordEvent(scope, 'refund.created', refundJson(refund, scope));
  if (request.refundApplicationFee && request.platform && charge.applicationFee) {
    refundFee(scope, request.platform, charge, amount);
  }
  return refund;
}

function refundFee(scope: Scope, platform: PlatformAccount, charge: ChargeRecord, refunded: number): void {
  const platformState = scope.core.accounts.get(platform.id) as AccountState;
  const fee = platformState.applicationFees.get(charge.applicationFee as string) as
    | ApplicationFeeRecord
    | undefined;
  if (!fee) return;
  const left = fee.amount - fee.amountRefunded;
  const share =
    charge.amountRefunded === charge.amount
      ? left
      : Math.min(left, Math.floor((fee.amount * refunded) / charge.amount));
  if (share <= 0) return;
  fee.refunds.push({ id: newId('fr'), created: nowSeconds(scope), amount: share, metadata: {} });
  fee.amountRefunded += share;
  const platformScope = scopeOf(scope.core, platformState, scope.request);
  recordEvent(platformScope, 'application_fee.refunded', applicationFeeJson(fee, platformScope));
}
