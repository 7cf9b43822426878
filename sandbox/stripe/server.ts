/**
 * A Stripe emulator on loopback, written from Stripe's API reference: API v1 with Stripe's
 * objects, ids, list pagination, form-encoded parameters, errors, idempotency keys, rate limits
 * and `Stripe-Account` scoping; Connect OAuth; webhook delivery signed as Stripe signs; the pages
 * Stripe hosts for buyers. It imports nothing from the engine, so it can disagree with it.
 *
 * @example
 * const stripe = await startStripeSandbox();
 * const client = new Stripe(stripe.platform.secretKey, { host: '127.0.0.1', port: stripe.port, protocol: 'http' });
 * const { accountId } = stripe.control.connectAccount();
 * await client.customers.create({ email: 'a@example.com' }, { stripeAccount: accountId });
 * await stripe.close();
 */
import { listen } from '../http/listen.ts';
import { Router } from '../http/router.ts';
import { AccountRegistry, type PlatformAccount, type PlatformOptions } from './accounts.ts';
import { createStripeApi } from './api.ts';
import { type StripeClock, type StripeCore, systemClock } from './context.ts';
import { createControl, type StripeSandboxControl } from './control.ts';
import { StripeFaults } from './faults.ts';
import { mountConnectOAuth, OAuthDecisions } from './oauth.ts';
import { mountPages } from './pages.ts';
import { ApiRateLimiter, type StripeRateLimit, TEST_MODE_RATE_LIMIT } from './rate-limit.ts';
import { accountRoutes } from './resources/account.ts';
import { applicationFeeRoutes } from './resources/application-fees.ts';
import { chargeRoutes } from './resources/charges.ts';
import { checkoutRoutes } from './resources/checkout-sessions.ts';
import { customerRoutes } from './resources/customers.ts';
import { eventRoutes } from './resources/events.ts';
import { invoiceItemRoutes } from './resources/invoice-items.ts';
import { invoicePaymentRoutes } from './resources/invoice-payments.ts';
import { invoiceRoutes } from './resources/invoices.ts';
import { paymentIntentRoutes } from './resources/payment-intents.ts';
import { paymentLinkRoutes } from './resources/payment-links.ts';
import { priceRoutes } from './resources/prices.ts';
import { productRoutes } from './resources/products.ts';
import { refundRoutes } from './resources/refunds.ts';
import { subscriptionItemRoutes } from './resources/subscription-items.ts';
import { subscriptionRoutes } from './resources/subscriptions.ts';
import { webhookEndpointRoutes } from './resources/webhook-endpoints.ts';
import { RouteTable } from './routes.ts';
import { StripeSandboxStats } from './stats.ts';
import { type WebhookDeliveryOptions, WebhookDispatcher } from './webhook-delivery.ts';

export interface StripeSandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Time for `created`, signatures, idempotency keys, codes and rate limits (default the system clock). */
  clock?: StripeClock;
  /** Platform accounts, each with its keys and Connect client id (default one with generated keys). */
  accounts?: PlatformOptions[];
  /** Per account and second; default Stripe's test mode (25 reads, 25 writes); false for none. */
  rateLimit?: StripeRateLimit | false;
  webhookDelivery?: WebhookDeliveryOptions;
}

export interface StripeSandbox {
  /** `http://127.0.0.1:<port>`: the base URL for api.stripe.com and connect.stripe.com alike. */
  readonly url: string;
  readonly port: number;
  /** The first platform account (its `secretKey`, `clientId`…). */
  readonly platform: PlatformAccount;
  readonly accounts: readonly PlatformAccount[];
  readonly control: StripeSandboxControl;
  readonly stats: StripeSandboxStats;
  close(): Promise<void>;
}

/** The routes of API v1, one module per resource. */
export function stripeRoutes(): RouteTable {
  const routes = new RouteTable();
  for (const mount of [
    customerRoutes,
    productRoutes,
    priceRoutes,
    invoiceItemRoutes,
    invoiceRoutes,
    invoicePaymentRoutes,
    paymentIntentRoutes,
    chargeRoutes,
    refundRoutes,
    applicationFeeRoutes,
    subscriptionRoutes,
    subscriptionItemRoutes,
    checkoutRoutes,
    paymentLinkRoutes,
    webhookEndpointRoutes,
    eventRoutes,
    accountRoutes,
  ]) {
    mount(routes);
  }
  return routes;
}

export async function startStripeSandbox(options: StripeSandboxOptions = {}): Promise<StripeSandbox> {
  const clock = options.clock ?? systemClock;
  const accounts = new AccountRegistry();
  const stats = new StripeSandboxStats();
  const rateLimit = options.rateLimit === undefined ? TEST_MODE_RATE_LIMIT : options.rateLimit;
  const core: StripeCore = {
    clock,
    origin: '',
    accounts,
    stats,
    faults: new StripeFaults(),
    webhooks: new WebhookDispatcher(clock, accounts, stats, options.webhookDelivery ?? {}),
    limiter: rateLimit === false ? undefined : new ApiRateLimiter(rateLimit, clock),
  };
  const created = Math.floor(clock.now() / 1000);
  const platforms = options.accounts ?? [{}];
  if (platforms.length === 0) throw new Error('accounts: give at least one platform account');
  for (const platform of platforms) accounts.addPlatform(platform, created);

  const decisions = new OAuthDecisions();
  const router = new Router();
  router.prefix('/v1/', createStripeApi(core, stripeRoutes()));
  mountConnectOAuth(router, core, decisions);
  mountPages(router, core);

  const listening = await listen(router.handle, {
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  core.origin = listening.origin;
  return {
    url: listening.origin,
    port: listening.port,
    platform: accounts.platforms[0] as PlatformAccount,
    accounts: accounts.platforms,
    control: createControl(core, decisions),
    stats,
    async close() {
      core.faults.clear();
      core.webhooks.close();
      await listening.close();
    },
  };
}
