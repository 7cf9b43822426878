/**
 * `/v1/payment_intents`: create (optionally `confirm=true`), retrieve, update, confirm, cancel,
 * list (by `customer`, `created`). `application_fee_amount` needs a direct charge on a connected
 * account (a `Stripe-Account` header or an OAuth access token), as at Stripe.
 */
import { nowSeconds } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { listPage } from '../list.ts';
import { type PaymentIntentRecord, paymentIntentJson } from '../objects/payment-intent.ts';
import { confirmPaymentIntent, createPaymentIntent } from '../ops/payments.ts';
import { applyMetadata } from '../params.ts';
import type { Call, RouteTable } from '../routes.ts';
import { readApplicationFee } from './application-fee-params.ts';
import { find } from './lookup.ts';
import { readCurrency } from './prices.ts';

/** Stripe's minimum charge amounts for the common currencies, in their smallest unit. */
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50 };

function intentOf(call: Call): PaymentIntentRecord {
  return find(call.scope.account.paymentIntents, call.path.id as string, 'payment_intent');
}

function confirm(call: Call, intent: PaymentIntentRecord, paymentMethod: string | undefined): object {
  if (intent.status === 'succeeded' || intent.status === 'canceled') {
    throw invalidRequest(
      `You cannot confirm this PaymentIntent because it has a status of ${intent.status}.`,
      { code: 'payment_intent_unexpected_state' },
    );
  }
  const outcome = confirmPaymentIntent(call.scope, intent, { paymentMethod, platform: call.platform });
  if (outcome.declined) throw outcome.declined;
  return paymentIntentJson(intent, call.scope);
}

export function paymentIntentRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/payment_intents', (call) => {
    const { scope, params } = call;
    const amount = params.requiredInteger('amount');
    const currency = readCurrency(params);
    if (amount < (MINIMUM_AMOUNT[currency] ?? 1)) {
      throw invalidRequest(
        `Amount must be at least ${MINIMUM_AMOUNT[currency] ?? 1} in the smallest ${currency} unit.`,
        {
          code: 'amount_too_small',
          param: 'amount',
        },
      );
    }
    const customer = params.string('customer');
    if (customer !== undefined) find(scope.account.customers, customer, 'customer', 'customer');
    // Manual capture is not emulated: only the automatic methods are accepted.
    params.enumeration('capture_method', ['automatic', 'automatic_async'] as const);
    const fields = {
      amount,
      currency,
      customer: customer ?? null,
      description: params.string('description') ?? null,
      metadata: applyMetadata({}, params.metadata()),
      applicationFeeAmount: readApplicationFee(call, params, amount),
      paymentMethod: params.string('payment_method') ?? null,
      receiptEmail: params.string('receipt_email') ?? null,
    };
    params.stringList('payment_method_types');
    params.object('automatic_payment_methods')?.boolean('enabled');
    params.string('return_url');
    params.boolean('off_session');
    const confirmNow = params.boolean('confirm') ?? false;
    params.done();
    const intent = createPaymentIntent(scope, fields);
    return confirmNow ? confirm(call, intent, undefined) : paymentIntentJson(intent, scope);
  });

  routes.add('GET', '/v1/payment_intents/:id', (call) => {
    call.params.string('client_secret');
    call.params.done();
    return paymentIntentJson(intentOf(call), call.scope);
  });

  routes.add('POST', '/v1/payment_intents/:id', (call) => {
    const { scope, params } = call;
    const intent = intentOf(call);
    const description = params.nullableString('description');
    const receiptEmail = params.nullableString('receipt_email');
    const metadata = params.metadata();
    params.done();
    if (description !== undefined) intent.description = description;
    if (receiptEmail !== undefined) intent.receiptEmail = receiptEmail;
    intent.metadata = applyMetadata(intent.metadata, metadata);
    return paymentIntentJson(intent, scope);
  });

  routes.add('POST', '/v1/payment_intents/:id/confirm', (call) => {
    const intent = intentOf(call);
    const paymentMethod = call.params.string('payment_method');
    call.params.string('return_url');
    call.params.boolean('off_session');
    call.params.done();
    return confirm(call, intent, paymentMethod);
  });

  routes.add('POST', '/v1/payment_intents/:id/cancel', (call) => {
    const intent = intentOf(call);
    call.params.enumeration('cancellation_reason', [
      'duplicate',
      'fraudulent',
      'requested_by_customer',
      'abandoned',
    ] as const);
    call.params.done();
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      throw invalidRequest(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
        {
          code: 'payment_intent_unexpected_state',
        },
      );
    }
    intent.status = 'canceled';
    intent.canceledAt = nowSeconds(call.scope);
    const json = paymentIntentJson(intent, call.scope);
    recordEvent(call.scope, 'payment_intent.canceled', json);
    return json;
  });

  routes.add('GET', '/v1/payment_intents', ({ scope, params }) => {
    const customer = params.string('customer');
    const filter = (intent: PaymentIntentRecord) => customer === undefined || intent.customer === customer;
    return listPage(
      scope.account.paymentIntents,
      params,
      { url: '/v1/payment_intents', noun: 'payment_intent', filter },
      (i) => paymentIntentJson(i, scope),
    );
  });
}
