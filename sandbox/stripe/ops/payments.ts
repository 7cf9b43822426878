/**
 * Making a payment: a payment intent confirmed with a test card becomes a charge that succeeds
 * or is declined (Stripe's 402 card error), and on a connected account an
 * `application_fee_amount` becomes an application fee in the platform's account. Invoices,
 * checkout sessions and the payment intents API all pay through here.
 */
import type { PlatformAccount } from '../accounts.ts';
import { type Decline, testCard } from '../cards.ts';
import { nowSeconds, type Scope, scopeOf } from '../context.ts';
import { docUrl, StripeApiError } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { base62, newId } from '../ids.ts';
import { type ApplicationFeeRecord, applicationFeeJson } from '../objects/application-fee.ts';
import { type ChargeRecord, chargeJson } from '../objects/charge.ts';
import { type PaymentIntentRecord, paymentIntentJson } from '../objects/payment-intent.ts';
import type { AccountState } from '../state.ts';

export interface PaymentIntentFields {
  amount: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  applicationFeeAmount: number | null;
  paymentMethod: string | null;
  receiptEmail: string | null;
}

export function createPaymentIntent(scope: Scope, fields: PaymentIntentFields): PaymentIntentRecord {
  const id = newId('pi');
  const intent: PaymentIntentRecord = {
    id,
    created: nowSeconds(scope),
    seq: scope.account.nextSeq(),
    ...fields,
    status: fields.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    amountReceived: 0,
    latestCharge: null,
    clientSecret: `${id}_secret_${base62(25)}`,
    lastPaymentError: null,
    canceledAt: null,
  };
  scope.account.paymentIntents.add(intent);
  recordEvent(scope, 'payment_intent.created', paymentIntentJson(intent, scope));
  return intent;
}

export interface PaymentOutcome {
  readonly charge: ChargeRecord;
  /** The 402 to answer with when the card was declined. */
  readonly declined: StripeApiError | undefined;
}

/** Who pays: the details a charge shows in `billing_details`. */
export interface Payer {
  email: string | null;
  name: string | null;
}

/** Confirms `intent`: one charge, and the intent succeeds or waits for another payment method. */
export function confirmPaymentIntent(
  scope: Scope,
  intent: PaymentIntentRecord,
  options: {
    paymentMethod?: string | null | undefined;
    platform: PlatformAccount | undefined;
    payer?: Payer;
  },
): PaymentOutcome {
  const { account } = scope;
  const method = options.paymentMethod ?? intent.paymentMethod ?? 'pm_card_visa';
  const card = testCard(method);
  const decline: Decline | undefined =
    card.decline ?? (intent.customer === null ? undefined : account.failingCustomers.get(intent.customer));
  const charge: ChargeRecord = {
    id: newId('ch'),
    created: nowSeconds(scope),
    seq: account.nextSeq(),
    amount: intent.amount,
    amountRefunded: 0,
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    metadata: { ...intent.metadata },
    paymentIntent: intent.id,
    // Stripe turns a test token such as pm_card_visa into a payment method of its own.
    paymentMethod: method.startsWith('pm_card_') ? newId('pm') : method,
    card,
    status: decline ? 'failed' : 'succeeded',
    failure: decline ? { code: decline.code, message: decline.message, ...declineCode(decline) } : null,
    applicationFee: null,
    applicationFeeAmount: decline ? null : intent.applicationFeeAmount,
    balanceTransaction: decline ? null : newId('txn'),
    receiptEmail: intent.receiptEmail,
    refunds: [],
    billingEmail: options.payer?.email ?? null,
    billingName: options.payer?.name ?? null,
  };
  account.charges.add(charge);
  // The token stays on the intent, so confirming again with it declines again.
  intent.paymentMethod = method;
  intent.latestCharge = charge.id;
  if (decline) {
    intent.status = 'requires_payment_method';
    intent.lastPaymentError = {
      code: decline.code,
      message: decline.message,
      charge: charge.id,
      ...declineCode(decline),
    };
    recordEvent(scope, 'charge.failed', chargeJson(charge, scope));
    const intentJson = paymentIntentJson(intent, scope);
    recordEvent(scope, 'payment_intent.payment_failed', intentJson);
    const declined = new StripeApiError(402, 'card_error', decline.message, {
      code: decline.code,
      ...declineCode(decline),
      extra: { charge: charge.id, payment_intent: intentJson, doc_url: docUrl(decline.code) },
    });
    return { charge, declined };
  }
  if (intent.applicationFeeAmount !== null && options.platform) {
    const fee = collectApplicationFee(scope, options.platform, charge, intent.applicationFeeAmount);
    charge.applicationFee = fee.id;
  }
  intent.status = 'succeeded';
  intent.amountReceived = intent.amount;
  intent.lastPaymentError = null;
  recordEvent(scope, 'charge.succeeded', chargeJson(charge, scope));
  recordEvent(scope, 'payment_intent.succeeded', paymentIntentJson(intent, scope));
  return { charge, declined: undefined };
}

function declineCode(decline: Decline): { declineCode?: string } {
  return decline.declineCode === undefined ? {} : { declineCode: decline.declineCode };
}

/** The platform's fee on a charge made on a connected account, kept in the platform's account. */
function collectApplicationFee(
  scope: Scope,
  platform: PlatformAccount,
  charge: ChargeRecord,
  amount: number,
): ApplicationFeeRecord {
  const platformState = scope.core.accounts.get(platform.id) as AccountState;
  const fee: ApplicationFeeRecord = {
    id: newId('fee'),
    created: nowSeconds(scope),
    seq: platformState.nextSeq(),
    account: scope.account.id,
    application: platform.clientId,
    amount,
    amountRefunded: 0,
    charge: charge.id,
    currency: charge.currency,
    refunds: [],
  };
  platformState.applicationFees.add(fee);
  const platformScope = scopeOf(scope.core, platformState, scope.request);
  recordEvent(platformScope, 'application_fee.created', applicationFeeJson(fee, platformScope));
  return fee;
}
