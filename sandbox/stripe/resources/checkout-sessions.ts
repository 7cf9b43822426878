/**
 * `/v1/checkout/sessions` in `payment` mode: create (line items by `price` or `price_data`,
 * `payment_intent_data[application_fee_amount]` on connected accounts), retrieve, list (by
 * `payment_intent`, `customer`, `status`, `payment_link`), expire, and the line items.
 */
import { nowSeconds } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { arrayPage, listPage } from '../list.ts';
import {
  type CheckoutSessionRecord,
  checkoutLineJson,
  checkoutSessionJson,
} from '../objects/checkout-session.ts';
import { createSession, expireSession } from '../ops/checkout.ts';
import { applyMetadata } from '../params.ts';
import type { Call, RouteTable } from '../routes.ts';
import { readApplicationFee } from './application-fee-params.ts';
import { readLineItems } from './line-items.ts';
import { find } from './lookup.ts';

function sessionOf(call: Call): CheckoutSessionRecord {
  return find(call.scope.account.checkoutSessions, call.path.id as string, 'checkout.session');
}

export function checkoutRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/checkout/sessions', (call) => {
    const { scope, params } = call;
    const mode = params.enumeration('mode', ['payment', 'setup', 'subscription'] as const);
    if (mode !== 'payment') {
      throw invalidRequest('The emulator supports Checkout Sessions in `payment` mode only.', {
        param: 'mode',
      });
    }
    const lines = readLineItems(scope, params);
    const customer = params.string('customer');
    if (customer !== undefined) find(scope.account.customers, customer, 'customer', 'customer');
    const customerEmail = params.string('customer_email');
    if (customer !== undefined && customerEmail !== undefined) {
      throw invalidRequest('You may only specify one of these parameters: customer, customer_email.', {
        code: 'parameters_exclusive',
      });
    }
    const total = lines.reduce((sum, line) => sum + line.price.unitAmount * line.quantity, 0);
    const intentData = params.object('payment_intent_data');
    const paymentIntentData = {
      applicationFeeAmount: intentData ? readApplicationFee(call, intentData, total) : null,
      description: intentData?.string('description') ?? null,
      metadata: applyMetadata({}, intentData?.metadata()),
    };
    const expiresAt = params.integer('expires_at');
    const now = nowSeconds(scope);
    if (expiresAt !== undefined && (expiresAt < now + 30 * 60 || expiresAt > now + 24 * 60 * 60)) {
      throw invalidRequest('The `expires_at` timestamp must be between 30 minutes and 24 hours from now.', {
        param: 'expires_at',
      });
    }
    const fields = {
      lines,
      successUrl: params.string('success_url') ?? null,
      cancelUrl: params.string('cancel_url') ?? null,
      customer: customer ?? null,
      customerEmail: customerEmail ?? null,
      customerCreation:
        params.enumeration('customer_creation', ['always', 'if_required'] as const) ?? 'if_required',
      clientReferenceId: params.string('client_reference_id') ?? null,
      metadata: applyMetadata({}, params.metadata()),
      paymentIntentData,
      paymentLink: null,
      platform: paymentIntentData.applicationFeeAmount === null ? null : (call.platform?.id ?? null),
      expiresAt: expiresAt ?? null,
    };
    params.enumeration('ui_mode', ['hosted', 'hosted_page'] as const);
    params.stringList('payment_method_types');
    params.boolean('allow_promotion_codes');
    params.enumeration('billing_address_collection', ['auto', 'required'] as const);
    params.enumeration('submit_type', ['auto', 'book', 'donate', 'pay'] as const);
    params.string('locale');
    params.done();
    return checkoutSessionJson(createSession(scope, fields), scope);
  });

  routes.add('GET', '/v1/checkout/sessions/:id', (call) => {
    call.params.done();
    return checkoutSessionJson(sessionOf(call), call.scope);
  });

  routes.add('POST', '/v1/checkout/sessions/:id/expire', (call) => {
    const session = sessionOf(call);
    call.params.done();
    expireSession(call.scope, session);
    return checkoutSessionJson(session, call.scope);
  });

  routes.add('GET', '/v1/checkout/sessions/:id/line_items', (call) => {
    const session = sessionOf(call);
    const url = `/v1/checkout/sessions/${session.id}/line_items`;
    return arrayPage(session.lines, call.params, url, 'line item', (line) =>
      checkoutLineJson(line, session.currency, call.scope),
    );
  });

  routes.add('GET', '/v1/checkout/sessions', ({ scope, params }) => {
    const intent = params.string('payment_intent');
    const customer = params.string('customer');
    const link = params.string('payment_link');
    const status = params.enumeration('status', ['open', 'complete', 'expired'] as const);
    const filter = (session: CheckoutSessionRecord) =>
      (intent === undefined || session.paymentIntent === intent) &&
      (customer === undefined || session.customer === customer) &&
      (link === undefined || session.paymentLink === link) &&
      (status === undefined || session.status === status);
    return listPage(
      scope.account.checkoutSessions,
      params,
      { url: '/v1/checkout/sessions', noun: 'checkout.session', filter },
      (session) => checkoutSessionJson(session, scope),
    );
  });
}
