/**
 * Authentication of API calls as Stripe does it: the key as a bearer token, or as the user name
 * of Basic auth (the password empty), then the account acted on — the key's own, or with a
 * `Stripe-Account` (or `Stripe-Context`) header a connected account the key's platform may reach.
 */
import type { IncomingMessage } from 'node:http';
import type { AccountRegistry, PlatformAccount } from './accounts.ts';
import { StripeApiError } from './errors.ts';
import type { AccountState } from './state.ts';

export type Authenticated = {
  ok: true;
  caller: AccountState;
  account: AccountState;
  platform: PlatformAccount | undefined;
  scope: 'read_write' | 'read_only';
  /** The `Stripe-Account` value to echo. */
  stripeAccount: string | undefined;
};

export type AuthResult = Authenticated | { ok: false; error: StripeApiError };

const NO_KEY =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

/** The key of an `Authorization` header (Bearer, or Basic with the key as user name). */
export function apiKeyOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return (colon === -1 ? decoded : decoded.slice(0, colon)) || undefined;
}

/** `sk_test_****wxyz`: how Stripe quotes a key back. */
export function maskKey(key: string): string {
  const prefix = /^[a-z]+_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}${'*'.repeat(Math.max(4, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

export function authenticate(accounts: AccountRegistry, req: IncomingMessage): AuthResult {
  const key = apiKeyOf(req.headers.authorization);
  if (key === undefined) return { ok: false, error: unauthorized(NO_KEY) };
  const owner = accounts.key(key);
  if (!owner) return { ok: false, error: unauthorized(`Invalid API Key provided: ${maskKey(key)}`) };
  if (owner.revoked) {
    return {
      ok: false,
      error: new StripeApiError(401, 'invalid_request_error', `Expired API Key provided: ${maskKey(key)}`, {
        code: 'api_key_expired',
      }),
    };
  }
  const caller = accounts.get(owner.accountId) as AccountState;
  const requested = headerValue(req, 'stripe-account') ?? headerValue(req, 'stripe-context');
  const viaToken = owner.platformId === undefined ? undefined : accounts.platform(owner.platformId);
  const tokenScope = viaToken ? accounts.connection(viaToken.id, caller.id)?.scope : undefined;
  if (requested === undefined || requested === caller.id) {
    return {
      ok: true,
      caller,
      account: caller,
      platform: viaToken,
      scope: tokenScope ?? 'read_write',
      stripeAccount: requested,
    };
  }
  const platform =
    caller.kind === 'platform' && owner.kind !== 'oauth' ? accounts.platform(caller.id) : undefined;
  const connection = platform ? accounts.connection(platform.id, requested) : undefined;
  const account = connection ? accounts.get(requested) : undefined;
  if (!platform || !connection || !account) {
    const message = `The provided key '${maskKey(key)}' does not have access to account '${requested}' (or that account does not exist). Application access may have been revoked.`;
    return {
      ok: false,
      error: new StripeApiError(403, 'invalid_request_error', message, { code: 'account_invalid' }),
    };
  }
  return { ok: true, caller, account, platform, scope: connection.scope, stripeAccount: requested };
}

function unauthorized(message: string): StripeApiError {
  return new StripeApiError(401, 'invalid_request_error', message);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() || undefined;
}

/** Read-only connections may not change anything. */
export function readOnlyRefusal(account: AccountState): StripeApiError {
  return new StripeApiError(
    403,
    'invalid_request_error',
    `This application does not have the required permissions for this endpoint on account '${account.id}'. Having the 'read_write' scope would allow this request to continue.`,
  );
}
