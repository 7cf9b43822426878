/** `/v1/application_fees` of a platform: retrieve, list (by `charge`, `created`), and a fee's refunds. */
import { arrayPage, listPage } from '../list.ts';
import { type ApplicationFeeRecord, applicationFeeJson, feeRefundJson } from '../objects/application-fee.ts';
import type { RouteTable } from '../routes.ts';
import { find } from './lookup.ts';

export function applicationFeeRoutes(routes: RouteTable): void {
  routes.add('GET', '/v1/application_fees/:id', ({ scope, params, path }) => {
    params.done();
    return applicationFeeJson(
      find(scope.account.applicationFees, path.id as string, 'application fee'),
      scope,
    );
  });

  routes.add('GET', '/v1/application_fees', ({ scope, params }) => {
    const charge = params.string('charge');
    const filter = (fee: ApplicationFeeRecord) => charge === undefined || fee.charge === charge;
    return listPage(
      scope.account.applicationFees,
      params,
      { url: '/v1/application_fees', noun: 'application fee', filter },
      (fee) => applicationFeeJson(fee, scope),
    );
  });

  routes.add('GET', '/v1/application_fees/:id/refunds', ({ scope, params, path }) => {
    const fee = find(scope.account.applicationFees, path.id as string, 'application fee');
    // Newest first, like every other list.
    const refunds = [...fee.refunds].reverse();
    return arrayPage(refunds, params, `/v1/application_fees/${fee.id}/refunds`, 'fee refund', (refund) =>
      feeRefundJson(refund, fee),
    );
  });
}
