/**
 * `/v1/payment_links`: create (line items by `price`, `application_fee_amount` or
 * `application_fee_percent` on connected accounts, redirect after completion), retrieve, update
 * (`active`, metadata), list (by `active`), and the line items.
 */
import { invalidRequest } from '../errors.ts';
import { previousAttributes, recordEvent } from '../events.ts';
import { base62, newId } from '../ids.ts';
import { arrayPage, listPage } from '../list.ts';
import { checkoutLineJson } from '../objects/checkout-session.ts';
import { type PaymentLinkRecord, paymentLinkJson } from '../objects/payment-link.ts';
import { applyMetadata } from '../params.ts';
import type { Call, RouteTable } from '../routes.ts';
import { readApplicationFee, readApplicationFeePercent } from './application-fee-params.ts';
import { readLineItems } from './line-items.ts';
import { find } from './lookup.ts';

function linkOf(call: Call): PaymentLinkRecord {
  return find(call.scope.account.paymentLinks, call.path.id as string, 'payment_link');
}

export function paymentLinkRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/payment_links', (call) => {
    const { scope, params } = call;
    const lines = readLineItems(scope, params, false);
    const currency = (lines[0] as (typeof lines)[number]).price.currency;
    const total = lines.reduce((sum, line) => sum + line.price.unitAmount * line.quantity, 0);
    const feeAmount = readApplicationFee(call, params, total);
    const feePercent = readApplicationFeePercent(call, params);
    if (feeAmount !== null && feePercent !== null) {
      throw invalidRequest(
        'You may only specify one of these parameters: application_fee_amount, application_fee_percent.',
        {
          code: 'parameters_exclusive',
        },
      );
    }
    const after = params.object('after_completion');
    const afterType = after?.enumeration('type', ['hosted_confirmation', 'redirect'] as const);
    const redirectUrl =
      afterType === 'redirect' ? (after?.object('redirect')?.requiredString('url') ?? null) : null;
    after?.object('hosted_confirmation')?.string('custom_message');
    const intentData = params.object('payment_intent_data');
    const link: PaymentLinkRecord = {
      id: newId('plink'),
      created: Math.floor(scope.core.clock.now() / 1000),
      seq: scope.account.nextSeq(),
      code: `test_${base62(20)}`,
      currency,
      lines: lines.map((line) => ({
        id: `li_${base62(24)}`,
        price: line.price.id,
        quantity: line.quantity,
        description: scope.account.products.get(line.price.product)?.name ?? line.price.id,
      })),
      active: true,
      metadata: applyMetadata({}, params.metadata()),
      applicationFeeAmount: feeAmount,
      applicationFeePercent: feePercent,
      redirectUrl,
      paymentIntentData: intentData
        ? {
            description: intentData.string('description') ?? null,
            metadata: applyMetadata({}, intentData.metadata()),
          }
        : null,
      platform: feeAmount !== null || feePercent !== null ? (call.platform?.id ?? null) : null,
    };
    params.done();
    scope.account.paymentLinks.add(link);
    const json = paymentLinkJson(link, scope);
    recordEvent(scope, 'payment_link.created', json);
    return json;
  });

  routes.add('GET', '/v1/payment_links/:id', (call) => {
    call.params.done();
    return paymentLinkJson(linkOf(call), call.scope);
  });

  routes.add('POST', '/v1/payment_links/:id', (call) => {
    const { scope, params } = call;
    const link = linkOf(call);
    const active = params.boolean('active');
    const metadata = params.metadata();
    params.done();
    const before = paymentLinkJson(link, scope);
    if (active !== undefined) link.active = active;
    link.metadata = applyMetadata(link.metadata, metadata);
    const after = paymentLinkJson(link, scope);
    const previous = previousAttributes(before, after);
    if (previous) recordEvent(scope, 'payment_link.updated', after, previous);
    return after;
  });

  routes.add('GET', '/v1/payment_links/:id/line_items', (call) => {
    const link = linkOf(call);
    return arrayPage(
      link.lines,
      call.params,
      `/v1/payment_links/${link.id}/line_items`,
      'line item',
      (line) => checkoutLineJson(line, link.currency, call.scope),
    );
  });

  routes.add('GET', '/v1/payment_links', ({ scope, params }) => {
    const active = params.boolean('active');
    const filter = (link: PaymentLinkRecord) => active === undefined || link.active === active;
    return listPage(
      scope.account.paymentLinks,
      params,
      { url: '/v1/payment_links', noun: 'payment_link', filter },
      (l) => paymentLinkJson(l, scope),
    );
  });
}
