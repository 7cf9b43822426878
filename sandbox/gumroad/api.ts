/**
 * The Gumroad API v2 resources of the emulator: GET /v2/user, /v2/products, /v2/sales. Each
 * request passes, in order: an injected 429 or 500, bearer authentication (Doorkeeper's: the
 * `Authorization` header or an `access_token` parameter), the scope check, the rate limit, an
 * injected delay; then the resource answers `{ success: true, … }` or Gumroad's error shapes
 * (`{ success: false, message }`; `{ status: 400, error }` for bad parameters).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.ts';
import type { Handler } from '../http/router.ts';
import type { OAuthSandboxContext } from '../oauth/context.ts';
import type { AccessCheck } from '../oauth/tokens.ts';
import type { GumroadFaults } from './faults.ts';
import { productJson, saleJson, userJson } from './json.ts';
import { nextPageUrl, salesPage } from './listing.ts';
import type { GumroadSandboxStats } from './stats.ts';
import type { GumroadStore } from './store.ts';

type Authenticated = Extract<AccessCheck, { ok: true }>;

/** What the API handlers share: the OAuth sandbox's context (tokens, clock, limiter) and the emulator's own state. */
export interface GumroadApiState {
  readonly oauth: OAuthSandboxContext;
  readonly store: GumroadStore;
  readonly faults: GumroadFaults;
  readonly stats: GumroadSandboxStats;
  readonly pageSize: number;
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

    const auth = authenticate(state, req, res, url);
    if (!auth) return;
    const route = url.pathname;
    if (route === '/v2/sales' && !auth.scope.some((scope) => SALES_SCOPES.includes(scope))) {
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
