/**
 * What tests and demos change at runtime: connections, bulk data, payments that decline, buyers
 * completing Checkout, faults, the rate limit and webhook delivery. Objects are found by id in
 * whichever account holds them (ids are unique across the emulator).
 */
import type Stripe from 'stripe';
import type { Connection, PlatformAccount } from './accounts.ts';
import { type Decline, GENERIC_DECLINE } from './cards.ts';
import { nowSeconds, type StripeCore, scopeOf } from './context.ts';
import type { Pause } from './faults.ts';
import type { StripeJson } from './json.ts';
import type { OAuthDecisions } from './oauth.ts';
import { checkoutSessionJson } from './objects/checkout-session.ts';
import { type Buyer, completeSession, sessionForLink } from './ops/checkout.ts';
import { connectAccount, disconnectAccount } from './ops/connect.ts';
import { ApiRateLimiter, type StripeRateLimit } from './rate-limit.ts';
import { type SeedInvoiceOptions, type SeedSpan, seedCustomers, seedInvoices } from './seed.ts';
import type { AccountState } from './state.ts';
import type { WebhookDelivery } from './webhook-delivery.ts';

export interface ConnectedAccount {
  readonly accountId: string;
  /** The platform's OAuth access token for it (a secret key of the connected account). */
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly publishableKey: string;
}

export interface StripeSandboxControl {
  /** Connects a new account (or `accountId`) to a platform (default the first) without OAuth. */
  connectAccount(options?: {
    platform?: string;
    accountId?: string;
    email?: string;
    name?: string;
    scope?: Connection['scope'];
  }): ConnectedAccount;
  /** The account's owner disconnects the platform: `account.application.deauthorized`. */
  disconnectAccount(accountId: string, platform?: string): boolean;
  /** The next `count` OAuth authorizations are denied (`error=access_denied`). */
  denyNextAuthorization(count?: number): void;
  /** The next OAuth authorization connects this existing account instead of a new one. */
  authorizeAs(accountId: string): void;
  /** Adds `count` customers dated over the past (no events); returns their ids. */
  seedCustomers(count: number, options?: SeedSpan & { account?: string }): string[];
  /** Adds `count` invoices over the account's customers (no events); returns their ids. */
  seedInvoices(count: number, options?: SeedInvoiceOptions & { account?: string }): string[];
  /** Every payment of this customer declines (Stripe's 402 card error) until `succeedPayments`. */
  failPayments(customerId: string, decline?: Decline): void;
  succeedPayments(customerId: string): void;
  /** A buyer pays a checkout session; returns the completed session. Throws the 402 if declined. */
  completeCheckoutSession(sessionId: string, buyer?: Buyer): StripeJson<Stripe.Checkout.Session>;
  /** A buyer pays through a payment link (a new session each time); returns that session. */
  completePaymentLink(linkId: string, buyer?: Buyer): StripeJson<Stripe.Checkout.Session>;
  /** The next `count` API requests answer 429 `rate_limit`. */
  tooManyRequests(count: number): void;
  /** The next `count` API requests answer `status` (default 500). */
  serverErrors(count: number, status?: 500 | 502 | 503): void;
  /** Holds the next request after it claimed its idempotency key (for 409 tests). */
  pauseNext(): Pause;
  /** Replaces the rate limit (false: none). Counting starts afresh. */
  setRateLimit(limit: StripeRateLimit | false): void;
  /** Sends every webhook delivery that is due by the emulator clock, and waits. */
  deliverPending(): Promise<WebhookDelivery[]>;
  /** Every webhook delivery so far, with its attempts. */
  readonly webhookDeliveries: readonly WebhookDelivery[];
}

export function createControl(core: StripeCore, decisions: OAuthDecisions): StripeSandboxControl {
  const platformOf = (id?: string): PlatformAccount => {
    const platform = id === undefined ? core.accounts.platforms[0] : core.accounts.platform(id);
    if (!platform) throw new Error(`no platform ${id ?? ''}`);
    return platform;
  };
  const accountOf = (id?: string): AccountState => {
    const account = core.accounts.get(id ?? platformOf().id);
    if (!account) throw new Error(`no account ${id}`);
    return account;
  };
  /** The object `pick` finds for this id, in whichever account holds it. */
  const locate = <T>(id: string, pick: (account: AccountState) => T | undefined) => {
    for (const account of core.accounts.all()) {
      const found = pick(account);
      if (found !== undefined) return { account, found };
    }
    throw new Error(`no object ${id} in any account`);
  };

  return {
    connectAccount(options = {}) {
      const platform = platformOf(options.platform);
      const account =
        options.accountId === undefined
          ? core.accounts.createConnectedAccount(
              { email: options.email ?? null, name: options.name ?? null },
              nowSeconds({ core }),
            )
          : accountOf(options.accountId);
      const connection = connectAccount(core, platform, account, options.scope ?? 'read_write');
      return {
        accountId: account.id,
        accessToken: connection.accessToken,
        refreshToken: connection.refreshToken,
        publishableKey: connection.publishableKey,
      };
    },
    disconnectAccount: (accountId, platform) => disconnectAccount(core, platformOf(platform), accountId),
    denyNextAuthorization(count = 1) {
      decisions.denials = count;
    },
    authorizeAs(accountId) {
      accountOf(accountId);
      decisions.nextAccount = accountId;
    },
    seedCustomers: (count, options = {}) => seedCustomers(core, accountOf(options.account), count, options),
    seedInvoices: (count, options = {}) => seedInvoices(core, accountOf(options.account), count, options),
    failPayments(customerId, decline = GENERIC_DECLINE) {
      locate(customerId, (a) => a.customers.get(customerId)).account.failingCustomers.set(
        customerId,
        decline,
      );
    },
    succeedPayments(customerId) {
      locate(customerId, (a) => a.customers.get(customerId)).account.failingCustomers.delete(customerId);
    },
    completeCheckoutSession(sessionId, buyer) {
      const { account, found: session } = locate(sessionId, (a) => a.checkoutSessions.get(sessionId));
      const scope = scopeOf(core, account);
      completeSession(scope, session, buyer);
      return checkoutSessionJson(session, scope);
    },
    completePaymentLink(linkId, buyer) {
      const { account, found: link } = locate(linkId, (a) => a.paymentLinks.get(linkId));
      const scope = scopeOf(core, account);
      const session = sessionForLink(scope, link);
      completeSession(scope, session, buyer);
      return checkoutSessionJson(session, scope);
    },
    tooManyRequests: (count) => core.faults.tooManyRequests(count),
    serverErrors: (count, status) => core.faults.serverErrors(count, status),
    pauseNext: () => core.faults.pauseNext(),
    setRateLimit(limit) {
      core.limiter = limit === false ? undefined : new ApiRateLimiter(limit, core.clock);
    },
    deliverPending: () => core.webhooks.deliverPending(),
    get webhookDeliveries() {
      return core.webhooks.deliveries;
    },
  };
}
