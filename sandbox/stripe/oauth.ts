/**
 * Stripe Connect OAuth (connect.stripe.com in production), mounted on the emulator's server:
 * the authorize redirect (oauth-authorize.ts), and the token and deauthorize endpoints
 * (oauth-token.ts), sharing one store of authorization codes.
 */
import type { Router } from '../http/router.ts';
import type { StripeCore } from './context.ts';
import { mountAuthorize } from './oauth-authorize.ts';
import type { CodeRecord, OAuthDecisions } from './oauth-shared.ts';
import { mountTokenEndpoints } from './oauth-token.ts';

export { OAuthDecisions } from './oauth-shared.ts';

export function mountConnectOAuth(router: Router, core: StripeCore, decisions: OAuthDecisions): void {
  const codes = new Map<string, CodeRecord>();
  mountAuthorize(router, core, decisions, codes);
  mountTokenEndpoints(router, core, codes);
}
