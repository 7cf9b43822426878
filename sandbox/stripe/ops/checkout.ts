/**
 * Checkout in `payment` mode: a session totals its line items; completing it (the buyer pays on
 * the session page, or a test calls `control.completeCheckoutSession`) creates the customer if
 * asked, makes the payment — with the platform's application fee on a connected account — and
 * records `checkout.session.completed`. A payment link opens such a session for each buyer.
 */
import { nowSeconds, type Scope } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { base62 } from '../ids.ts';
import {
  type CheckoutLineRecord,
  type CheckoutSessionRecord,
  checkoutSessionJson,
} from '../objects/checkout-session.ts';
import type { PaymentLinkRecord } from '../objects/payment-link.ts';
import type { PriceRecord } from '../objects/price.ts';
import type { ProductRecord } from '../objects/product.ts';
import { createCustomer } from '../resources/customers.ts';
import { confirmPaymentIntent, createPaymentIntent } from './payments.ts';

export interface SessionFields {
  lines: { price: PriceRecord; quantity: number }[];
  successUrl: string | null;
  cancelUrl: string | null;
  customer: string | null;
  customerEmail: string | null;
  customerCreation: CheckoutSessionRecord['customerCreation'];
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  paymentIntentData: CheckoutSessionRecord['paymentIntentData'];
  paymentLink: string | null;
  platform: string | null;
  expiresAt: number | null;
}

const DAY = 24 * 60 * 60;

export function createSession(scope: Scope, fields: SessionFields): CheckoutSessionRecord {
  const currency = fields.lines[0]?.price.currency;
  if (currency === undefined) {
    throw invalidRequest('Missing required param: line_items.', {
      code: 'parameter_missing',
      param: 'line_items',
    });
  }
  const lines: CheckoutLineRecord[] = [];
  let total = 0;
  for (const [index, { price, quantity }] of fields.lines.entries()) {
    if (price.currency !== currency) {
      throw invalidRequest('All line items must use the same currency.', {
        param: `line_items[${index}][price]`,
      });
    }
    if (price.recurring) {
      throw invalidRequest(
        'You must be in `subscription` mode to use recurring prices; the emulator supports `payment` mode only.',
        { param: `line_items[${index}][price]` },
      );
    }
    const product = scope.account.products.get(price.product) as ProductRecord | undefined;
    lines.push({ id: `li_${base62(24)}`, price: price.id, quantity, description: product?.name ?? price.id });
    total += price.unitAmount * quantity;
  }
  const fee = fields.paymentIntentData.applicationFeeAmount;
  if (fee !== null && fee > total) {
    throw invalidRequest('The application fee cannot be greater than the total.', {
      param: 'payment_intent_data[application_fee_amount]',
    });
  }
  const created = nowSeconds(scope);
  const session: CheckoutSessionRecord = {
    id: `cs_test_${base62(58)}`,
    created,
    seq: scope.account.nextSeq(),
    currency,
    lines,
    amountTotal: total,
    successUrl: fields.successUrl,
    cancelUrl: fields.cancelUrl,
    customer: fields.customer,
    customerEmail: fields.customerEmail,
    customerCreation: fields.customerCreation,
    clientReferenceId: fields.clientReferenceId,
    metadata: fields.metadata,
    paymentIntentData: fields.paymentIntentData,
    paymentLink: fields.paymentLink,
    platform: fields.platform,
    expiresAt: fields.expiresAt ?? created + DAY,
    status: 'open',
    paymentStatus: 'unpaid',
    paymentIntent: null,
    customerDetails: null,
  };
  scope.account.checkoutSessions.add(session);
  return session;
}

export interface Buyer {
  email?: string | undefined;
  name?: string | undefined;
  /** A test payment method (`pm_card_chargeDeclined`…); the default pays. */
  paymentMethod?: string | undefined;
}

/** The buyer pays: a 402 `StripeApiError` is thrown when the card is declined. */
export function completeSession(scope: Scope, session: CheckoutSessionRecord, buyer: Buyer = {}): void {
  if (session.status !== 'open') {
    throw invalidRequest(`This Checkout Session is ${session.status} and can no longer be paid.`);
  }
  const existing = session.customer === null ? undefined : scope.account.customers.get(session.customer);
  const email = session.customerEmail ?? buyer.email ?? existing?.email ?? 'buyer@example.com';
  const name = buyer.name ?? existing?.name ?? 'Sandbox Buyer';
  const intent = createPaymentIntent(scope, {
    amount: session.amountTotal,
    currency: session.currency,
    customer: existing?.id ?? null,
    description: session.paymentIntentData.description,
    metadata: { ...session.paymentIntentData.metadata },
    applicationFeeAmount: session.paymentIntentData.applicationFeeAmount,
    paymentMethod: buyer.paymentMethod ?? null,
    receiptEmail: email,
  });
  const platform = session.platform === null ? undefined : scope.core.accounts.platform(session.platform);
  const outcome = confirmPaymentIntent(scope, intent, { platform, payer: { email, name } });
  if (outcome.declined) throw outcome.declined;
  if (!existing && session.customerCreation === 'always') {
    const customer = createCustomer(scope, { email, name });
    session.customer = customer.id;
    intent.customer = customer.id;
  }
  session.status = 'complete';
  session.paymentStatus = 'paid';
  session.paymentIntent = intent.id;
  session.customerDetails = { email, name };
  recordEvent(scope, 'checkout.session.completed', checkoutSessionJson(session, scope));
}

export function expireSession(scope: Scope, session: CheckoutSessionRecord): void {
  if (session.status !== 'open') {
    throw invalidRequest(
      `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
    );
  }
  session.status = 'expired';
  recordEvent(scope, 'checkout.session.expired', checkoutSessionJson(session, scope));
}

/** A session for one buyer of a payment link, with the link's fee and payment intent data. */
export function sessionForLink(scope: Scope, link: PaymentLinkRecord): CheckoutSessionRecord {
  const lines = link.lines.map((line) => ({
    price: scope.account.prices.get(line.price) as PriceRecord,
    quantity: line.quantity,
  }));
  const total = lines.reduce((sum, line) => sum + line.price.unitAmount * line.quantity, 0);
  const fee =
    link.applicationFeeAmount ??
    (link.applicationFeePercent === null ? null : Math.round((total * link.applicationFeePercent) / 100));
  return createSession(scope, {
    lines,
    successUrl: link.redirectUrl,
    cancelUrl: null,
    customer: null,
    customerEmail: null,
    customerCreation: 'if_required',
    clientReferenceId: null,
    metadata: {},
    paymentIntentData: {
      applicationFeeAmount: fee,
      description: link.paymentIntentData?.description ?? null,
      metadata: { ...(link.paymentIntentData?.metadata ?? {}) },
    },
    paymentLink: link.id,
    platform: link.platform,
    expiresAt: null,
  });
}
