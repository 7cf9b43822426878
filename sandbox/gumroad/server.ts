/**
 * A Gumroad emulator on loopback: Gumroad's OAuth endpoints (/oauth/authorize, /oauth/token,
 * access tokens that never expire) on the generic OAuth sandbox, and API v2's user, products and
 * sales with Gumroad's field names, page_key pagination, filters, rate limit and error bodies.
 * Sales are generated from their index, so a million cost no memory; a revision changes exactly
 * 1 % of them, and sales and product deletions can be added at runtime.
 *
 * @example
 * const gumroad = await startGumroadSandbox({ sales: 25, products: 3 });
 * const token = gumroad.issueAccessToken();
 * await fetch(`${gumroad.url}/v2/sales`, { headers: { authorization: `Bearer ${token}` } });
 * gumroad.control.setRevision(1);      // 1 % of sales now refunded or partially refunded
 * gumroad.control.faults.truncate(1);  // the next list answer is cut mid-array
 * await gumroad.close();
 */
import type { OAuthSandboxClient } from '../oauth/clients.ts';
import type { OAuthSandboxContext } from '../oauth/context.ts';
import type { RateLimitOptions } from '../oauth/rate-limit.ts';
import { type OAuthSandbox, startOAuthSandbox } from '../oauth/server.ts';
import { type SandboxClock, wallClock } from '../oauth/tokens.ts';
import { createGumroadApi } from './api.ts';
import { type GumroadFaultControl, GumroadFaults } from './faults.ts';
import { pingJson, saleJson } from './json.ts';
import { Licenses } from './licenses.ts';
import {
  type GumroadPing,
  type GumroadResource,
  type GumroadResourceSubscription,
  ResourceSubscriptions,
} from './resource-subscriptions.ts';
import { GumroadSandboxStats } from './stats.ts';
import { GumroadStore } from './store.ts';
import { SubscriberChanges, subscribersOf, subscriptionId } from './subscribers.ts';

/** Gumroad's page size for /v2/sales (Api::V2::SalesController::RESULTS_PER_PAGE). */
export const GUMROAD_PAGE_SIZE = 10;

/** Gumroad's published OAuth scopes. */
export const GUMROAD_SCOPES = [
  'view_profile',
  'edit_products',
  'view_sales',
  'mark_sales_as_shipped',
  'refund_sales',
];

/** Options of `startGumroadSandbox`; every one has a default. */
export interface GumroadSandboxOptions {
  /** Initial sales (default 100). */
  sales?: number;
  /** Products (default 5); sales are spread over them. */
  products?: number;
  /** Sales per /v2/sales page (default Gumroad's 10). */
  pageSize?: number;
  /** Start at this revision (default 0). */
  revision?: number;
  /** Time of the first and the last initial sale (default 2024-01-01 and 2025-12-31, UTC). */
  firstSaleAt?: number | Date;
  lastSaleAt?: number | Date;
  /** Default Gumroad's 120 per 60 s, counted per server; false turns it off. */
  rateLimit?: RateLimitOptions | false;
  /** OAuth clients (add more with `oauth.control.addClient`). */
  clients?: OAuthSandboxClient[];
  /** Time for `timestamp`, added sales and rate limits (default the system clock). */
  clock?: SandboxClock;
  host?: string;
  port?: number;
}

/** State changes at runtime. */
export interface GumroadSandboxControl {
  readonly revision: number;
  /** Moves every sale to revision `revision` (0 restores the original data). */
  setRevision(revision: number): void;
  /** Adds `count` sales made now (sandbox clock) or at `at`; returns their Gumroad ids. */
  addSales(count: number, options?: { at?: number | Date }): string[];
  /**
   * Adds one sale made now (sandbox clock) and pings it to every `sale` subscription, as Gumroad
   * does when a buyer pays; answers the sale's id and the pings sent.
   */
  sell(): Promise<{ saleId: string; pings: GumroadPing[] }>;
  /** Pings sale `index` (0 = oldest) as it is now to every subscription of `resource`. */
  ping(resource: GumroadResource, index: number): Promise<GumroadPing[]>;
  /**
   * Cancels the membership that sale `index` belongs to (now, sandbox clock) and pings
   * `cancellation` with that sale; answers the subscription's id and the pings sent.
   */
  cancelMembership(index: number): Promise<{ subscriptionId: string; pings: GumroadPing[] }>;
  /** The subscribers of a membership product as the API lists them now. */
  subscribers(productId: string): Array<Record<string, unknown>>;
  /** Every resource subscription (PUT /v2/resource_subscriptions), oldest first. */
  readonly subscriptions: GumroadResourceSubscription[];
  /** Every ping sent, oldest first. */
  readonly pings: readonly GumroadPing[];
  /** Uses counted for sale `index`'s license key by POST /v2/licenses/verify. */
  licenseUses(index: number): number;
  /** Removes a product from /v2/products (its sales stay); throws for an unknown or deleted id. */
  deleteProduct(id: string): void;
  /** Replaces the API rate limit; null removes it. */
  setRateLimit(limit: RateLimitOptions | null): void;
  readonly faults: GumroadFaultControl;
}

/** A running Gumroad emulator. */
export interface GumroadSandbox {
  /** `http://127.0.0.1:<port>`: the base-URL override for both gumroad.com and api.gumroad.com. */
  readonly url: string;
  readonly endpoints: { authorize: string; token: string; revoke: string; api: string };
  readonly control: GumroadSandboxControl;
  readonly stats: GumroadSandboxStats;
  /** The OAuth sandbox underneath (its stats count token requests; its control revokes tokens). */
  readonly oauth: OAuthSandbox;
  /** Sales in the account now (initial plus added). */
  readonly saleCount: number;
  /** Ids of the products not deleted, newest first (as /v2/products lists them). */
  productIds(): string[];
  /** The sale at `index` (0 = oldest) as /v2/sales serves it now, for test expectations. */
  sale(index: number): Record<string, unknown>;
  /** An access token without going through the OAuth flow (default scope view_sales). */
  issueAccessToken(scope?: readonly string[]): string;
  close(): Promise<void>;
}

/** Starts a Gumroad emulator on loopback (a free port unless `port` is given). */
export async function startGumroadSandbox(options: GumroadSandboxOptions = {}): Promise<GumroadSandbox> {
  const clock = options.clock ?? wallClock;
  const pageSize = options.pageSize ?? GUMROAD_PAGE_SIZE;
  if (!(Number.isSafeInteger(pageSize) && pageSize > 0))
    throw new Error('pageSize must be a positive integer');
  const store = new GumroadStore({
    sales: options.sales ?? 100,
    products: options.products ?? 5,
    firstSaleAt: toMs(options.firstSaleAt ?? Date.UTC(2024, 0, 1)),
    lastSaleAt: toMs(options.lastSaleAt ?? Date.UTC(2025, 11, 31)),
  });
  if (options.revision) store.setRevision(options.revision);
  const faults = new GumroadFaults();
  const subscriptions = new ResourceSubscriptions();
  const licenses = new Licenses();
  const subscriberChanges = new SubscriberChanges();
  const stats = new GumroadSandboxStats();
  let context: OAuthSandboxContext | undefined;

  const oauth = await startOAuthSandbox({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.clients ? { clients: options.clients } : {}),
    clock,
    // Gumroad's tokens do not expire (no expires_in); refresh tokens are issued all the same.
    accessTokenTtlSeconds: null,
    scopes: GUMROAD_SCOPES,
    defaultScopes: ['view_profile'],
    ...(options.rateLimit === false
      ? {}
      : { rateLimit: options.rateLimit ?? { requests: 120, windowSeconds: 60 } }),
    routes: (router, ctx) => {
      context = ctx;
      router.prefix(
        '/v2/',
        createGumroadApi({
          oauth: ctx,
          store,
          faults,
          stats,
          pageSize,
          subscriptions,
          licenses,
          subscriberChanges,
        }),
      );
    },
  });
  const ctx = context as OAuthSandboxContext;

  const control: GumroadSandboxControl = {
    get revision() {
      return store.revision;
    },
    setRevision: (revision) => store.setRevision(revision),
    addSales(count, added = {}) {
      const at = added.at === undefined ? clock.now() : toMs(added.at);
      const now = clock.now();
      return store.addSales(count, at).map((index) => saleJson(store.sale(index), now).id as string);
    },
    async sell() {
      const [index] = store.addSales(1, clock.now()) as [number];
      const sale = saleJson(store.sale(index), clock.now());
      return { saleId: sale.id as string, pings: await subscriptions.ping('sale', pingJson(sale)) };
    },
    ping(resource, index) {
      if (!(Number.isSafeInteger(index) && index >= 0 && index < store.saleCount)) {
        throw new RangeError(`no sale at index ${index}`);
      }
      return subscriptions.ping(resource, pingJson(saleJson(store.sale(index), clock.now())));
    },
    async cancelMembership(index) {
      if (!(Number.isSafeInteger(index) && index >= 0 && index < store.saleCount)) {
        throw new RangeError(`no sale at index ${index}`);
      }
      const facts = store.sale(index);
      if (facts.product.recurrence === null) throw new Error(`sale ${index} is not of a membership`);
      const id = subscriptionId(facts.buyer, facts.product);
      subscriberChanges.set(id, 'cancelled', clock.now());
      const ping = { ...pingJson(saleJson(facts, clock.now())), cancelled: true };
      return { subscriptionId: id, pings: await subscriptions.ping('cancellation', ping) };
    },
    subscribers(productId) {
      const product = store.productById(productId);
      if (!product) throw new Error(`no product ${productId}`);
      return subscribersOf(store, product, subscriberChanges);
    },
    get subscriptions() {
      return subscriptions.all();
    },
    get pings() {
      return subscriptions.pings;
    },
    licenseUses: (index) => licenses.uses(index),
    deleteProduct(id) {
      if (!store.deleteProduct(id)) throw new Error(`no product ${id} to delete`);
    },
    setRateLimit: (limit) => oauth.control.setRateLimit(limit),
    faults,
  };

  return {
    url: oauth.url,
    endpoints: {
      authorize: oauth.endpoints.authorize,
      token: oauth.endpoints.token,
      revoke: oauth.endpoints.revoke,
      api: `${oauth.url}/v2`,
    },
    control,
    stats,
    oauth,
    get saleCount() {
      return store.saleCount;
    },
    productIds: () => store.aliveProducts().map((product) => product.id),
    sale(index) {
      if (!(Number.isSafeInteger(index) && index >= 0 && index < store.saleCount)) {
        throw new RangeError(`no sale at index ${index}`);
      }
      return saleJson(store.sale(index), clock.now());
    },
    issueAccessToken(scope = ['view_sales']) {
      const grant = ctx.tokens.createGrant({
        clientId: 'gumroad-sandbox-direct',
        subject: ctx.settings.subject,
        scope,
        grantType: 'authorization_code',
      });
      return ctx.tokens.issueTokens(grant, scope, undefined).accessToken;
    },
    async close() {
      faults.clear();
      await oauth.close();
    },
  };
}

function toMs(value: number | Date): number {
  return value instanceof Date ? value.getTime() : value;
}
