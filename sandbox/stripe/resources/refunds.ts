/**
 * `/v1/refunds`: create (of a `charge` or a `payment_intent`'s charge, optionally with
 * `refund_application_fee`), retrieve, update metadata, list (by `charge`, `payment_intent`).
 */
import { invalidRequest, parameterMissing } from '../errors.ts';
import { listPage } from '../list.ts';
import { type RefundRecord, refundJson } from '../objects/refund.ts';
import { refundCharge } from '../ops/refunds.ts';
import { applyMetadata } from '../params.ts';
import type { RouteTable } from '../routes.ts';
import { find } from './lookup.ts';

export function refundRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/refunds', (call) => {
    const { scope, params } = call;
    const chargeId = params.string('charge');
    const intentId = params.string('payment_intent');
    if (chargeId !== undefined && intentId !== undefined) {
      throw invalidRequest('You may only specify one of these parameters: charge, payment_intent.', {
        code: 'parameters_exclusive',
      });
    }
    let charge =
      chargeId === undefined ? undefined : find(scope.account.charges, chargeId, 'charge', 'charge');
    if (intentId !== undefined) {
      const intent = find(scope.account.paymentIntents, intentId, 'payment_intent', 'payment_intent');
      if (intent.status !== 'succeeded' || intent.latestCharge === null) {
        throw invalidRequest(
          `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
          {
            param: 'payment_intent',
          },
        );
      }
      charge = find(scope.account.charges, intent.latestCharge, 'charge', 'payment_intent');
    }
    if (!charge) throw parameterMissing('charge');
    const request = {
      amount: params.nonNegative('amount'),
      reason: params.enumeration('reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const),
      metadata: applyMetadata({}, params.metadata()),
      refundApplicationFee: params.boolean('refund_application_fee') ?? false,
      platform: call.platform,
    };
    params.boolean('reverse_transfer');
    params.done();
    return refundJson(refundCharge(scope, charge, request), scope);
  });

  routes.add('GET', '/v1/refunds/:id', ({ scope, params, path }) => {
    params.done();
    return refundJson(find(scope.account.refunds, path.id as string, 'refund'), scope);
  });

  routes.add('POST', '/v1/refunds/:id', ({ scope, params, path }) => {
    const refund = find(scope.account.refunds, path.id as string, 'refund');
    const metadata = params.metadata();
    params.done();
    refund.metadata = applyMetadata(refund.metadata, metadata);
    return refundJson(refund, scope);
  });

  routes.add('GET', '/v1/refunds', ({ scope, params }) => {
    const charge = params.string('charge');
    const intent = params.string('payment_intent');
    const filter = (refund: RefundRecord) =>
      (charge === undefined || refund.charge === charge) &&
      (intent === undefined || refund.paymentIntent === intent);
    return listPage(scope.account.refunds, params, { url: '/v1/refunds', noun: 'refund', filter }, (r) =>
      refundJson(r, scope),
    );
  });
}
