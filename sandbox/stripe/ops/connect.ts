/**
 * Connections between a platform and the accounts it acts for. Connecting records
 * `account.application.authorized` and disconnecting `account.application.deauthorized`, both in
 * the connected account and delivered to the platform's Connect endpoints (the latter before the
 * connection ends, so the platform still hears of it).
 */
import type { Connection, PlatformAccount } from '../accounts.ts';
import { type StripeCore, scopeOf } from '../context.ts';
import { recordEvent } from '../events.ts';
import { applicationJson } from '../objects/account.ts';
import type { AccountState } from '../state.ts';

export function connectAccount(
  core: StripeCore,
  platform: PlatformAccount,
  account: AccountState,
  scope: Connection['scope'],
): Connection {
  const connection = core.accounts.connect(platform.id, account.id, scope);
  const application = applicationJson(platform.clientId, platform.name);
  recordEvent(scopeOf(core, account), 'account.application.authorized', application, undefined, platform.id);
  return connection;
}

/** Ends the connection; false when there was none. */
export function disconnectAccount(core: StripeCore, platform: PlatformAccount, accountId: string): boolean {
  const account = core.accounts.get(accountId);
  if (!account || !core.accounts.connection(platform.id, accountId)) return false;
  const application = applicationJson(platform.clientId, platform.name);
  recordEvent(
    scopeOf(core, account),
    'account.application.deauthorized',
    application,
    undefined,
    platform.id,
  );
  return core.accounts.deauthorize(platform.id, accountId);
}
