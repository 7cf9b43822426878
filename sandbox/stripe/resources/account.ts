/** `GET /v1/account` (the account acted on) and `GET /v1/accounts/:id` (a platform's connected account). */
import { StripeApiError } from '../errors.ts';
import { accountJson } from '../objects/account.ts';
import type { RouteTable } from '../routes.ts';

export function accountRoutes(routes: RouteTable): void {
  routes.add('GET', '/v1/account', ({ scope, params }) => {
    params.done();
    return accountJson(scope.account.info);
  });

  routes.add('GET', '/v1/accounts/:id', ({ scope, params, path, caller }) => {
    params.done();
    const id = path.id as string;
    if (id === scope.account.id) return accountJson(scope.account.info);
    const account = scope.core.accounts.get(id);
    if (!account || !scope.core.accounts.connection(caller.id, id)) {
      throw new StripeApiError(
        403,
        'invalid_request_error',
        `The provided key does not have access to account '${id}' (or that account does not exist). Application access may have been revoked.`,
        { code: 'account_invalid' },
      );
    }
    return accountJson(account.info);
  });
}
