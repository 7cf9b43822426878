/** `/v1/charges`: retrieve, list (by `customer`, `payment_intent`, `created`), and a charge's refunds. */
import { listPage } from '../list.ts';
import { type ChargeRecord, chargeJson } from '../objects/charge.ts';
import { refundJson } from '../objects/refund.ts';
import type { RouteTable } from '../routes.ts';
import { find } from './lookup.ts';

export function chargeRoutes(routes: RouteTable): void {
  routes.add('GET', '/v1/charges/:id', ({ scope, params, path }) => {
    params.done();
    return chargeJson(find(scope.account.charges, path.id as string, 'charge'), scope);
  });

  routes.add('GET', '/v1/charges', ({ scope, params }) => {
    const customer = params.string('customer');
    const intent = params.string('payment_intent');
    const filter = (charge: ChargeRecord) =>
      (customer === undefined || charge.customer === customer) &&
      (intent === undefined || charge.paymentIntent === intent);
    return listPage(scope.account.charges, params, { url: '/v1/charges', noun: 'charge', filter }, (c) =>
      chargeJson(c, scope),
    );
  });

  routes.add('GET', '/v1/charges/:id/refunds', ({ scope, params, path }) => {
    const charge = find(scope.account.charges, path.id as string, 'charge');
    const filter = (refund: { charge: string }) => refund.charge === charge.id;
    return listPage(
      scope.account.refunds,
      params,
      { url: `/v1/charges/${charge.id}/refunds`, noun: 'refund', filter },
      (r) => refundJson(r, scope),
    );
  });
}
