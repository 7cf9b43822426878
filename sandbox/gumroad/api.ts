/**
 * The Gumroad API v2 resources of the emulator: GET /v2/user, /v2/products, /v2/sales. Each
 * request passes, in order: an injected 429 or 500, bearer authentication (Doorkeeper's: the
 * `Authorization` header or an `access_token` parameter), the scope check, the rate limit, an
 * injected delay; then the resource answers `{ success: true, … }` or Gumroad's error shapes
 * (`{ success: false, message }`; `{ status: 400, error }` for bad parameters).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFormEncoded, readBody, sendJson } from '../http/respond.ts';
import type { Handler } from '../http/router.ts';
import type { OAuthSandboxContext } from '../oauth/context.ts';
import type { AccessCheck } from '../oauth/tokens.ts';
import type { GumroadFaults } from './faults.ts';
import { productJson, saleJson, userJson } from './json.ts';
import type { Licenses } from './licenses.ts';
import { nextPageUrl, salesPage } from './listing.ts';
import { GUMROAD_RESOURCES, ResourceSubscriptions } from './resource-subscriptions.ts';
import type { GumroadSandboxStats } from './stats.ts';
import type { GumroadStore } from './store.ts';
import { SUBSCRIBERS_PAGE_SIZE, type SubscriberChanges, subscribersOf } from './subscribers.ts';

type Authenticated = Extract<AccessCheck, { ok: true }>;

/** What the API handlers share: the OAuth sandbox's context (tokens, clock, limiter) and the emulator's own state. */
export interface GumroadApiState {
  readonly oauth: OAuthSandboxContext;
  readonly store: GumroadStore;
  readonly faults: GumroadFaults;
  readonly stats: GumroadSandboxStats;
  readonly pageSize: number;
  readonly subscriptions: ResourceSubscriptions;
  readonly licenses: Licenses;
  readonly subscriberChanges: SubscriberChanges;
}

/** Doorkeeper's messages for a token it refuses. */
const TOKEN_ERRORS = {
  unknown: 'The access token is invalid',
  expired: 'The access token expired',
  revoked: 'The access token was revoked',
} as const;

/** Scopes that may read sales (Gumroad also lets its internal `account` scope through). */
const SALES_SCOPES = ['view_sales', 'account'];

/** One handler for every path under /v2/. */
export function createGumroadApi(state: GumroadApiState): Handler {
  return async (req, res, url) => {
    const { stats, faults } = state;
    stats.requests++;
    stats.byPath[url.pathname] = (stats.byPath[url.pathname] ?? 0) + 1;

    const failure = faults.takeFailure();
    if (failure) {
      if (failure.status === 429) {
        stats.injected.tooManyRequests++;
        sendJson(
          res,
          429,
          { success: false, message: 'Too many requests. Please retry later.' },
          {
            'Retry-After': String(failure.retryAfterSeconds),
          },
        );
      } else {
        stats.injected.serverErrors++;
        sendJson(res, 500, { success: false, message: 'Something went wrong on our end.' });
      }
      return;
    }

    const route = url.pathname;
    // License verification is public at Gumroad: a product's buyers' apps call it without a token.
    if (route === '/v2/licenses/verify' && req.method === 'POST') {
      verifyLicense(state, res, await parameters(req, url));
      return;
    }
    const auth = authenticate(state, req, res, url);
    if (!auth) return;
    const subscribersOfProduct = /^\/v2\/products\/([^/]+)\/subscribers$/.exec(route)?.[1];
    const readsSales =
      route === '/v2/sales' ||
      route.startsWith('/v2/resource_subscriptions') ||
      subscribersOfProduct !== undefined;
    if (readsSales && !auth.scope.some((scope) => SALES_SCOPES.includes(scope))) {
      stats.forbidden++;
      sendJson(
        res,
        403,
        { success: false, message: 'Access to this resource requires scope "view_sales".' },
        { 'WWW-Authenticate': 'Bearer realm="Doorkeeper", error="insufficient_scope"' },
      );
      return;
    }
    if (!admit(state, res, auth.grant.id)) return;
    state.oauth.stats.recordAccepted({
      at: state.oauth.clock.now(),
      method: req.method ?? 'GET',
      path: route,
      grantId: auth.grant.id,
    });
    if (await faults.takeDelay()) stats.injected.delayed++;
    if (res.destroyed) return;

    if (route === '/v2/resource_subscriptions' || route.startsWith('/v2/resource_subscriptions/')) {
      await resourceSubscriptions(state, req, res, url);
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 404, { success: false, error: 'Not found' });
      return;
    }
    if (route === '/v2/user') {
      answer(state, res, { success: true, user: userJson() }, undefined);
      return;
    }
    if (route === '/v2/products') {
      // Sales counts are part of a product only for tokens that may see sales.
      const withSales = auth.scope.some((scope) => SALES_SCOPES.includes(scope));
      const products = state.store
        .aliveProducts()
        .map((product) => productJson(product, withSales ? state.store.salesTotals(product) : undefined));
      answer(state, res, { success: true, products }, 'products');
      return;
    }
    if (route === '/v2/sales') return listSales(state, res, url);
    if (subscribersOfProduct !== undefined)
      return listSubscribers(state, res, url, decodeURIComponent(subscribersOfProduct));
    sendJson(res, 404, { success: false, error: 'Not found' });
  };
}

function listSales(state: GumroadApiState, res: ServerResponse, url: URL): void {
  const page = salesPage(state.store, url.searchParams, state.pageSize);
  if (!page.ok) {
    state.stats.badRequests++;
    sendJson(res, 400, { status: 400, error: page.message });
    return;
  }
  const now = state.oauth.clock.now();
  const sales = page.indexes.map((index) => saleJson(state.store.sale(index), now));
  const body: Record<string, unknown> = { success: true, sales };
  if (page.nextPageKey !== null) {
    body.next_page_key = page.nextPageKey;
    body.next_page_url = nextPageUrl(url, page.nextPageKey);
  }
  if (answer(state, res, body, 'sales')) {
    state.stats.salesServed += sales.length;
    state.stats.salesPages++;
  }
}

/** GET /v2/products/:id/subscribers: all at once, or pages of 100 with `paginated=true`. */
function listSubscribers(state: GumroadApiState, res: ServerResponse, url: URL, productId: string): void {
  const product = state.store.productById(productId);
  if (!product) {
    sendJson(res, 404, { success: false, message: 'The product was not found.' });
    return;
  }
  let subscribers = subscribersOf(state.store, product, state.subscriberChanges);
  const body: Record<string, unknown> = { success: true };
  const paginated = ['true', '1'].includes(url.searchParams.get('paginated') ?? '');
  const email = url.searchParams.get('email')?.trim();
  if (email) subscribers = subscribers.filter((s) => s.email === email);
  if (paginated) {
    const key = url.searchParams.get('page_key');
    const start = key === null ? 0 : Number.parseInt(key, 10);
    if (!(Number.isSafeInteger(start) && start >= 0)) {
      state.stats.badRequests++;
      sendJson(res, 400, { status: 400, error: 'Invalid page_key.' });
      return;
    }
    const end = start + SUBSCRIBERS_PAGE_SIZE;
    if (end < subscribers.length) body.next_page_key = String(end);
    subscribers = subscribers.slice(start, end);
  }
  body.subscribers = subscribers;
  answer(state, res, body, undefined);
}

/** PUT (subscribe), GET (list one resource's) and DELETE /:id of /v2/resource_subscriptions. */
async function resourceSubscriptions(
  state: GumroadApiState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { subscriptions } = state;
  const id = /^\/v2\/resource_subscriptions\/([^/]+)$/.exec(url.pathname)?.[1];
  if (id !== undefined && req.method === 'DELETE') {
    if (!subscriptions.remove(decodeURIComponent(id))) {
      sendJson(res, 404, { success: false, message: 'The resource_subscription was not found.' });
      return;
    }
    answer(
      state,
      res,
      { success: true, message: 'The resource_subscription was deleted successfully.' },
      undefined,
    );
    return;
  }
  if (id !== undefined || (req.method !== 'PUT' && req.method !== 'GET')) {
    sendJson(res, 404, { success: false, error: 'Not found' });
    return;
  }
  const params = await parameters(req, url);
  const resource = params.get('resource_name') ?? '';
  if (!ResourceSubscriptions.isResource(resource)) {
    state.stats.badRequests++;
    sendJson(res, 400, {
      success: false,
      message: `Valid resource_name must be one of ${GUMROAD_RESOURCES.join(', ')}.`,
    });
    return;
  }
  if (req.method === 'GET') {
    answer(state, res, { success: true, resource_subscriptions: subscriptions.list(resource) }, undefined);
    return;
  }
  const postUrl = params.get('post_url') ?? '';
  if (!URL.canParse(postUrl)) {
    state.stats.badRequests++;
    sendJson(res, 400, { success: false, message: 'Invalid post_url.' });
    return;
  }
  answer(
    state,
    res,
    { success: true, resource_subscription: subscriptions.add(resource, postUrl) },
    undefined,
  );
}

/** POST /v2/licenses/verify: the sale of a product's license key, counting the use by default. */
function verifyLicense(state: GumroadApiState, res: ServerResponse, params: URLSearchParams): void {
  const productId = params.get('product_id');
  const permalink = params.get('product_permalink');
  const key = (params.get('license_key') ?? '').trim().toUpperCase();
  const index = key === '' ? undefined : state.licenses.find(key, state.store.saleCount);
  const sale = index === undefined ? undefined : state.store.sale(index);
  const matches =
    sale !== undefined &&
    (productId === null ? permalink === sale.product.permalink : productId === sale.product.id);
  if (index === undefined || !matches) {
    sendJson(res, 404, { success: false, message: 'That license does not exist for the provided product.' });
    return;
  }
  const increment = params.get('increment_uses_count') !== 'false';
  const uses = increment ? state.licenses.increment(index) : state.licenses.uses(index);
  state.stats.licenseVerifications++;
  const json = saleJson(sale as NonNullable<typeof sale>, state.oauth.clock.now());
  answer(
    state,
    res,
    {
      success: true,
      uses,
      purchase: {
        seller_id: json.seller_id,
        product_id: json.product_id,
        product_name: json.product_name,
        permalink: json.product_permalink,
        email: json.email,
        price: json.price,
        gumroad_fee: json.gumroad_fee,
        currency: 'usd',
        quantity: json.quantity,
        order_number: json.order_id,
        sale_id: json.id,
        sale_timestamp: json.created_at,
        license_key: json.license_key,
        refunded: json.refunded,
        disputed: json.disputed,
        dispute_won: json.dispute_won,
        chargebacked: json.chargedback,
        id: json.id,
        created_at: json.created_at,
        ...(json.subscription_id === undefined ? {} : { subscription_id: json.subscription_id }),
      },
    },
    undefined,
  );
}

/** A request's parameters: the query, then a form body's (Rails merges both). */
async function parameters(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  const body = await readBody(req);
  if (body.length > 0 && isFormEncoded(req)) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.set(name, value);
  }
  return params;
}

/** Sends a 200 answer, cut off mid-array when a truncation is armed; true when sent whole. */
function answer(
  state: GumroadApiState,
  res: ServerResponse,
  body: Record<string, unknown>,
  listField: 'sales' | 'products' | undefined,
): boolean {
  const payload = JSON.stringify(body);
  if (listField && state.faults.takeTruncation()) {
    state.stats.injected.truncated++;
    const arrayStart = payload.indexOf(`"${listField}":[`) + listField.length + 4;
    // Cut halfway through the array: the headers are valid, the JSON is not.
    const cut = Buffer.from(
      payload.slice(0, Math.max(arrayStart, Math.floor((arrayStart + payload.length) / 2))),
    );
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': cut.length });
    res.end(cut);
    return false;
  }
  state.stats.ok++;
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
  return true;
}

/** Doorkeeper's bearer check; answers 401 and returns undefined when the token is refused. */
function authenticate(
  state: GumroadApiState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Authenticated | undefined {
  const header = /^Bearer +(\S+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1];
  const token = header ?? url.searchParams.get('access_token') ?? undefined;
  const check: AccessCheck = token ? state.oauth.tokens.checkAccess(token) : { ok: false, reason: 'unknown' };
  if (check.ok) return check;
  state.stats.unauthorized++;
  state.oauth.stats.api.unauthorized++;
  const message = TOKEN_ERRORS[check.reason];
  sendJson(
    res,
    401,
    { success: false, message: `${message}.` },
    {
      'WWW-Authenticate': `Bearer realm="Doorkeeper", error="invalid_token", error_description="${message}"`,
    },
  );
  return undefined;
}

/** The rate limit shared with the OAuth sandbox's `setRateLimit`; 429 with Retry-After past it. */
function admit(state: GumroadApiState, res: ServerResponse, grantId: string): boolean {
  const limiter = state.oauth.limiter;
  if (!limiter) return true;
  const decision = limiter.take(limiter.options.per === 'grant' ? grantId : 'server');
  if (decision.ok) return true;
  state.stats.rateLimited++;
  state.oauth.stats.tooManyRequests++;
  sendJson(
    res,
    429,
    { success: false, message: 'Too many requests. Please retry later.' },
    { 'Retry-After': String(decision.retryAfterSeconds) },
  );
  return false;
}
