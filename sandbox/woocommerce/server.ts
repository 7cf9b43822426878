/**
 * A WooCommerce store emulator on loopback, written from the REST API v3 reference
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/): `/wp-json/wc/v3/` products, orders,
 * customers and webhooks; consumer key/secret authentication — HTTP basic (or `consumer_key` /
 * `consumer_secret` in the query) only when the site is served over HTTPS (`tls: true`, a site
 * behind a TLS terminator), OAuth 1.0a one-legged signatures over plain HTTP (./oauth1.ts);
 * read/write permissions per key; `page`/`per_page` (at most 100) with `X-WP-Total` and
 * `X-WP-TotalPages`; `modified_after`/`modified_before` with `dates_are_gmt`;
 * WordPress's error bodies (`{ code, message, data: { status } }`); faults on demand (429 with
 * `Retry-After` and the `RateLimit-*` headers of a store that limits, 500, late and cut answers);
 * webhooks pinged at creation and signed per ./webhooks.ts. The official
 * `@woocommerce/woocommerce-rest-api` SDK drives it in contract.test.ts.
 *
 * @example
 * const store = await startWooCommerceSandbox({ seed: { products: 3, orders: 2, customers: 2 } });
 * const api = new WooCommerceRestApi({ url: store.url, consumerKey: store.consumerKey, consumerSecret: store.consumerSecret, version: 'wc/v3' });
 * const { data, headers } = await api.get('products', { per_page: 2 }); // OAuth 1.0a over http
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArmedFaults, answerWithFault } from '../http/faults.ts';
import { listen } from '../http/listen.ts';
import { readBody } from '../http/respond.ts';
import { checkOAuth1 } from './oauth1.ts';
import { type SeedOptions, WcStore, wcDate } from './store.ts';
import {
  WC_WEBHOOK_TOPICS,
  type WcCustomer,
  type WcError,
  type WcOrder,
  type WcOrderStatus,
  type WcProduct,
  type WcWebhook,
  type WcWebhookTopic,
} from './types.ts';
import { deliverEvent, ping, type WcDelivery } from './webhooks.ts';

export const WC_API_PREFIX = '/wp-json/wc/v3';
const USER_AGENT = 'WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)';
const ORDER_STATUSES: readonly WcOrderStatus[] = [
  'pending',
  'processing',
  'on-hold',
  'completed',
  'cancelled',
  'refunded',
  'failed',
  'trash',
  'checkout-draft',
];

export interface WooCommerceSandboxOptions {
  /** Served as HTTPS (behind a TLS terminator): basic auth accepted, OAuth not needed. Default false. */
  tls?: boolean;
  /** The read/write key (default random `ck_…`/`cs_…`). */
  consumerKey?: string;
  consumerSecret?: string;
  seed?: Partial<SeedOptions>;
  now?: () => Date;
  port?: number;
}

export interface WooCommerceSandboxControl {
  readonly products: ReadonlyMap<number, WcProduct>;
  readonly orders: ReadonlyMap<number, WcOrder>;
  readonly customers: ReadonlyMap<number, WcCustomer>;
  /** Webhooks at the store, by id (their secrets are not shown, as the API does not show them). */
  readonly webhooks: ReadonlyMap<number, WcWebhook>;
  /** Every POST made to a delivery URL (pings and events), oldest first. */
  readonly deliveries: readonly WcDelivery[];
  /** Authenticated requests by `METHOD /resource` (`GET /products`), how each was authenticated, and their parameters (credentials and signatures left out). */
  readonly requests: ReadonlyArray<ReceivedWcRequest>;
  /** The shop manager changes an order's status: `order.updated` goes to the webhooks that take it. */
  setOrderStatus(id: number, status: WcOrderStatus): Promise<WcDelivery[]>;
  /** The shop manager edits a product: `product.updated` goes out. */
  updateProduct(id: number, change: Partial<WcProduct>): Promise<WcDelivery[]>;
  /** A buyer checks out: the order is created and `order.created` goes out. */
  placeOrder(
    input: Parameters<WcStore['addOrder']>[0],
  ): Promise<{ order: WcOrder; deliveries: WcDelivery[] }>;
  /** Adds a key with only `read` permission (writes answer 401). */
  addReadOnlyKey(): { consumerKey: string; consumerSecret: string };
  /** Revokes every key, as deleting them in WooCommerce → Settings → Advanced → REST API does. */
  revokeKeys(): void;
  readonly faults: ArmedFaults;
}

export interface ReceivedWcRequest {
  route: string;
  auth: 'basic' | 'query' | 'oauth1';
  params: Record<string, string>;
}

export interface WooCommerceSandbox {
  /** `http://127.0.0.1:<port>`: the store URL (WordPress at the root). */
  readonly url: string;
  readonly port: number;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly control: WooCommerceSandboxControl;
  close(): Promise<void>;
}

class WcRefusal extends Error {
  readonly status: number;
  readonly code: string;
  readonly params: Record<string, string> | undefined;
  constructor(status: number, code: string, message: string, params?: Record<string, string>) {
    super(message);
    this.status = status;
    this.code = code;
    this.params = params;
  }
}

function invalidParam(name: string, reason: string): WcRefusal {
  return new WcRefusal(400, 'rest_invalid_param', `Invalid parameter(s): ${name}`, { [name]: reason });
}

interface Key {
  secret: string;
  permissions: 'read' | 'read_write';
}

export async function startWooCommerceSandbox(
  options: WooCommerceSandboxOptions = {},
): Promise<WooCommerceSandbox> {
  const now = options.now ?? (() => new Date());
  const currency = 'USD';
  const currencyName = 'United States (US) dollar';
  const consumerKey = options.consumerKey ?? `ck_${randomBytes(20).toString('hex')}`;
  const consumerSecret = options.consumerSecret ?? `cs_${randomBytes(20).toString('hex')}`;
  const keys = new Map<string, Key>([[consumerKey, { secret: consumerSecret, permissions: 'read_write' }]]);
  const nonces = new Map<string, number>();
  const webhooks = new Map<number, WcWebhook>();
  const webhookSecrets = new Map<number, string>();
  const deliveries: WcDelivery[] = [];
  const requests: ReceivedWcRequest[] = [];
  const paramsOf = (url: URL) =>
    Object.fromEntries(
      [...url.searchParams].filter(([name]) => !name.startsWith('oauth_') && !name.startsWith('consumer_')),
    );
  const faults = new ArmedFaults();
  let nextWebhookId = 1;
  let siteUrl = '';
  let store: WcStore | undefined;
  const data = () => store as WcStore;

  /** Sends `resource` to every active webhook of `topic`; answers the deliveries made. */
  async function fire(topic: WcWebhookTopic, resource: unknown): Promise<WcDelivery[]> {
    const targets = [...webhooks.values()].filter((hook) => hook.status === 'active' && hook.topic === topic);
    const made = await Promise.all(
      targets.map((hook) =>
        deliverEvent(hook, webhookSecrets.get(hook.id) ?? '', siteUrl, resource, USER_AGENT),
      ),
    );
    deliveries.push(...made);
    return made;
  }
  /** Deliveries of API writes go out after the answer, as WooCommerce's queue sends them. */
  const fireLater = (topic: WcWebhookTopic, resource: unknown) => {
    const copy = structuredClone(resource);
    setImmediate(() => void fire(topic, copy));
  };

  function authenticate(req: IncomingMessage, url: URL): { key: Key; via: 'basic' | 'query' | 'oauth1' } {
    const header = req.headers.authorization ?? '';
    if (options.tls) {
      let key: string | undefined;
      let secret: string | undefined;
      let via: 'basic' | 'query' = 'basic';
      if (/^basic /i.test(header)) {
        const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        key = decoded.slice(0, colon);
        secret = decoded.slice(colon + 1);
      } else if (url.searchParams.has('consumer_key')) {
        key = url.searchParams.get('consumer_key') ?? '';
        secret = url.searchParams.get('consumer_secret') ?? '';
        via = 'query';
      }
      if (key !== undefined) {
        const found = keys.get(key);
        if (!found)
          throw new WcRefusal(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.');
        if (found.secret !== secret) {
          throw new WcRefusal(401, 'woocommerce_rest_authentication_error', 'Consumer secret is invalid.');
        }
        return { key: found, via };
      }
    } else if (url.searchParams.has('oauth_consumer_key')) {
      // The URL the client signed: the store's own address and the request's path and query.
      const signed = new URL(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`);
      const check = checkOAuth1(
        req.method ?? 'GET',
        signed,
        Math.floor(now().getTime() / 1000),
        (key) => keys.get(key)?.secret,
        (key, nonce, timestamp) => {
          const id = `${key}:${nonce}`;
          if (nonces.has(id)) return false;
          nonces.set(id, timestamp);
          return true;
        },
      );
      if (!check.ok) throw new WcRefusal(401, check.code, check.message);
      return { key: keys.get(check.consumerKey) as Key, via: 'oauth1' };
    }
    // No credentials WordPress accepts for this scheme: the request runs as a visitor.
    throw new WcRefusal(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', siteUrl);
    const method = (req.method ?? 'GET').toUpperCase();
    if (!url.pathname.startsWith(`${WC_API_PREFIX}/`)) {
      throw new WcRefusal(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
    // The store's currency (WooCommerce → Settings → General), a data endpoint of its own.
    if (url.pathname === `${WC_API_PREFIX}/data/currencies/current` && method === 'GET') {
      requests.push({ route: 'GET /data/currencies/current', auth: authenticate(req, url).via, params: {} });
      sendWc(res, 200, { code: currency, name: currencyName, symbol: '$' } as never);
      return;
    }
    const segments = url.pathname.slice(WC_API_PREFIX.length + 1).split('/');
    const resource = segments[0] ?? '';
    const id = segments[1] === undefined ? null : Number(segments[1]);
    if (segments.length > 2 || (id !== null && !Number.isInteger(id))) {
      throw new WcRefusal(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
    const route = `${method} /${resource}${id === null ? '' : '/{id}'}`;
    const auth = authenticate(req, url);
    const fault = faults.take(route);
    if (fault?.status === 429) {
      const limit = {
        'RateLimit-Limit': 25,
        'RateLimit-Remaining': 0,
        'RateLimit-Reset': fault.retryAfterSeconds,
      };
      const body: WcError = {
        code: 'rate_limit_exceeded',
        message: 'Too many requests. Please wait and try again.',
        data: { status: 429 },
      };
      sendWc(res, 429, body, { 'Retry-After': fault.retryAfterSeconds, ...limit });
      return;
    }
    if (fault?.status === 500) {
      sendWc(res, 500, {
        code: 'internal_server_error',
        message: 'There has been a critical error on this website.',
        data: { status: 500 },
      });
      return;
    }
    if (method !== 'GET' && auth.key.permissions === 'read') {
      throw new WcRefusal(
        401,
        'woocommerce_rest_authentication_error',
        'The API key provided does not have write permissions.',
      );
    }
    requests.push({ route, auth: auth.via, params: paramsOf(url) });
    const raw = method === 'GET' || method === 'DELETE' ? Buffer.alloc(0) : await readBody(req);
    const body = raw.length === 0 ? {} : parseBody(raw);
    const answer = await dispatch(method, resource, id, url.searchParams, body);
    const payload = JSON.stringify(answer.body);
    await answerWithFault(
      res,
      answer.status,
      { 'Content-Type': 'application/json; charset=UTF-8', ...answer.headers },
      payload,
      faults.takeAnswerFault(route),
    );
  }

  async function dispatch(
    method: string,
    resource: string,
    id: number | null,
    query: URLSearchParams,
    body: Record<string, unknown>,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string | number> }> {
    const s = data();
    switch (`${method} ${resource}${id === null ? '' : ' id'}`) {
      case 'GET products':
        return list([...s.products.values()], query, ['date', 'id', 'modified', 'title'], (p) => p.name);
      case 'GET products id':
        return {
          status: 200,
          body: found(s.products.get(id as number), 'woocommerce_rest_product_invalid_id'),
        };
      case 'POST products': {
        if (typeof body.name !== 'string') throw missing('name');
        const product = s.addProduct(productFields(body) as Partial<WcProduct> & { name: string });
        fireLater('product.created', product);
        return { status: 201, body: product };
      }
      case 'PUT products id': {
        found(s.products.get(id as number), 'woocommerce_rest_product_invalid_id');
        const product = s.updateProduct(id as number, productFields(body)) as WcProduct;
        fireLater('product.updated', product);
        return { status: 200, body: product };
      }
      case 'DELETE products id': {
        const product = found(s.products.get(id as number), 'woocommerce_rest_product_invalid_id');
        if (query.get('force') !== 'true') {
          throw new WcRefusal(
            501,
            'woocommerce_rest_trash_not_supported',
            'The product does not support trashing.',
          );
        }
        s.products.delete(product.id);
        fireLater('product.deleted', { id: product.id });
        return { status: 200, body: product };
      }
      case 'GET orders': {
        const status = query.get('status');
        const customer = query.get('customer');
        const orders = [...s.orders.values()].filter(
          (order) =>
            (status === null || status === 'any' || status.split(',').includes(order.status)) &&
            (customer === null || String(order.customer_id) === customer),
        );
        return list(orders, query, ['date', 'id', 'modified'], (o) => o.number);
      }
      case 'GET orders id':
        return {
          status: 200,
          body: found(s.orders.get(id as number), 'woocommerce_rest_shop_order_invalid_id'),
        };
      case 'POST orders': {
        const order = s.addOrder(orderFields(body, s));
        fireLater('order.created', order);
        return { status: 201, body: order };
      }
      case 'PUT orders id': {
        found(s.orders.get(id as number), 'woocommerce_rest_shop_order_invalid_id');
        const status = body.status;
        if (status !== undefined && !ORDER_STATUSES.includes(status as WcOrderStatus)) {
          throw invalidParam('status', `status is not one of ${ORDER_STATUSES.join(', ')}.`);
        }
        const order = s.setOrderStatus(
          id as number,
          (status as WcOrderStatus | undefined) ?? (s.orders.get(id as number) as WcOrder).status,
        ) as WcOrder;
        fireLater('order.updated', order);
        return { status: 200, body: order };
      }
      case 'GET customers': {
        const email = query.get('email');
        const customers = [...s.customers.values()].filter((c) => email === null || c.email === email);
        return list(customers, query, ['id', 'name', 'registered_date'], (c) => c.last_name);
      }
      case 'GET customers id':
        return { status: 200, body: found(s.customers.get(id as number), 'woocommerce_rest_invalid_id') };
      case 'GET webhooks':
        return list([...webhooks.values()], query, ['date', 'id', 'title'], (w) => w.name);
      case 'GET webhooks id':
        return {
          status: 200,
          body: found(webhooks.get(id as number), 'woocommerce_rest_webhook_invalid_id'),
        };
      case 'POST webhooks':
        return { status: 201, body: await createWebhook(body) };
      case 'PUT webhooks id': {
        const hook = found(webhooks.get(id as number), 'woocommerce_rest_webhook_invalid_id');
        if (body.delivery_url !== undefined) hook.delivery_url = checkedUrl(body.delivery_url);
        if (body.status !== undefined) {
          if (!['active', 'paused', 'disabled'].includes(String(body.status))) {
            throw invalidParam('status', 'status is not one of active, paused, disabled.');
          }
          hook.status = body.status as WcWebhook['status'];
        }
        if (body.topic !== undefined) Object.assign(hook, topicFields(body.topic));
        if (typeof body.secret === 'string') webhookSecrets.set(hook.id, body.secret);
        hook.date_modified = hook.date_modified_gmt = wcDate(now());
        return { status: 200, body: hook };
      }
      case 'DELETE webhooks id': {
        const hook = found(webhooks.get(id as number), 'woocommerce_rest_webhook_invalid_id');
        if (query.get('force') !== 'true') {
          throw new WcRefusal(
            501,
            'woocommerce_rest_trash_not_supported',
            'Webhooks do not support trashing.',
          );
        }
        webhooks.delete(hook.id);
        webhookSecrets.delete(hook.id);
        return { status: 200, body: hook };
      }
      default:
        throw new WcRefusal(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
  }

  async function createWebhook(body: Record<string, unknown>): Promise<WcWebhook> {
    if (body.topic === undefined) throw missing('topic');
    if (body.delivery_url === undefined) throw missing('delivery_url');
    const at = wcDate(now());
    const hook: WcWebhook = {
      id: nextWebhookId++,
      name: typeof body.name === 'string' ? body.name : `Webhook created on ${at}`,
      status: body.status === 'paused' || body.status === 'disabled' ? body.status : 'active',
      ...topicFields(body.topic),
      delivery_url: checkedUrl(body.delivery_url),
      date_created: at,
      date_created_gmt: at,
      date_modified: at,
      date_modified_gmt: at,
    };
    webhooks.set(hook.id, hook);
    webhookSecrets.set(
      hook.id,
      typeof body.secret === 'string' && body.secret !== '' ? body.secret : randomBytes(25).toString('hex'),
    );
    // WooCommerce pings the new webhook before it answers; the outcome only sets its pending flag.
    deliveries.push(await ping(hook, USER_AGENT));
    return hook;
  }

  const server = await listen(
    (req, res) =>
      void handle(req, res).catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof WcRefusal) {
          sendWc(res, error.status, {
            code: error.code,
            message: error.message,
            data: { status: error.status, ...(error.params ? { params: error.params } : {}) },
          });
          return;
        }
        sendWc(res, 500, { code: 'internal_server_error', message: String(error), data: { status: 500 } });
      }),
    { port: options.port ?? 0 },
  );
  siteUrl = server.origin;
  store = new WcStore(siteUrl, now);
  store.seed({ products: 0, orders: 0, customers: 0, ...options.seed });

  return {
    url: siteUrl,
    port: server.port,
    consumerKey,
    consumerSecret,
    control: {
      products: data().products,
      orders: data().orders,
      customers: data().customers,
      webhooks,
      deliveries,
      requests,
      faults,
      async setOrderStatus(id, status) {
        const order = data().setOrderStatus(id, status);
        if (!order) throw new Error(`no order ${id}`);
        return fire('order.updated', structuredClone(order));
      },
      async updateProduct(id, change) {
        const product = data().updateProduct(id, change);
        if (!product) throw new Error(`no product ${id}`);
        return fire('product.updated', structuredClone(product));
      },
      async placeOrder(input) {
        const order = data().addOrder({ ...input });
        return { order, deliveries: await fire('order.created', structuredClone(order)) };
      },
      addReadOnlyKey() {
        const key = `ck_${randomBytes(20).toString('hex')}`;
        const secret = `cs_${randomBytes(20).toString('hex')}`;
        keys.set(key, { secret, permissions: 'read' });
        return { consumerKey: key, consumerSecret: secret };
      },
      revokeKeys() {
        keys.clear();
      },
    },
    close: () => server.close(),
  };
}

function sendWc(
  res: ServerResponse,
  status: number,
  body: WcError,
  headers: Record<string, string | number> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function parseBody(raw: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new WcRefusal(400, 'rest_invalid_json', 'Invalid JSON body passed.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WcRefusal(400, 'rest_invalid_json', 'Invalid JSON body passed.');
  }
  return parsed as Record<string, unknown>;
}

function missing(name: string): WcRefusal {
  return new WcRefusal(400, 'rest_missing_callback_param', `Missing parameter(s): ${name}`, {
    [name]: `${name} is a required property.`,
  });
}

function found<T>(item: T | undefined, code: string): T {
  if (item === undefined) throw new WcRefusal(404, code, 'Invalid ID.');
  return item;
}

function checkedUrl(value: unknown): string {
  if (typeof value !== 'string' || !/^https?:\/\/\S+$/.test(value)) {
    throw invalidParam('delivery_url', 'delivery_url is not a valid URL.');
  }
  return value;
}

function topicFields(topic: unknown): Pick<WcWebhook, 'topic' | 'resource' | 'event' | 'hooks'> {
  if (!WC_WEBHOOK_TOPICS.includes(topic as WcWebhookTopic)) {
    throw invalidParam('topic', 'Webhook topic unknown. Please select a valid topic.');
  }
  const [resource = '', event = ''] = String(topic).split('.');
  return { topic: topic as WcWebhookTopic, resource, event, hooks: [`woocommerce_${event}_${resource}`] };
}

function productFields(body: Record<string, unknown>): Partial<WcProduct> {
  const change: Partial<WcProduct> = {};
  for (const name of [
    'name',
    'sku',
    'regular_price',
    'sale_price',
    'description',
    'short_description',
  ] as const) {
    if (body[name] !== undefined) change[name] = String(body[name]);
  }
  if (body.manage_stock !== undefined) change.manage_stock = body.manage_stock === true;
  if (body.stock_quantity !== undefined) {
    if (!Number.isInteger(body.stock_quantity))
      throw invalidParam('stock_quantity', 'stock_quantity is not of type integer.');
    change.stock_quantity = body.stock_quantity as number;
  }
  if (body.status !== undefined) change.status = body.status as WcProduct['status'];
  return change;
}

function orderFields(body: Record<string, unknown>, store: WcStore): Parameters<WcStore['addOrder']>[0] {
  const lines = Array.isArray(body.line_items) ? body.line_items : [];
  const items = lines.map((line: { product_id?: unknown; quantity?: unknown; variation_id?: unknown }) => {
    if (!Number.isInteger(line.product_id) || !store.products.has(line.product_id as number)) {
      throw new WcRefusal(400, 'woocommerce_rest_invalid_product_id', 'Product ID provided is invalid.');
    }
    if (!Number.isInteger(line.quantity) || (line.quantity as number) < 1) {
      throw new WcRefusal(
        400,
        'woocommerce_rest_invalid_quantity',
        'Product quantity must be a positive integer.',
      );
    }
    return {
      product_id: line.product_id as number,
      quantity: line.quantity as number,
      ...(Number.isInteger(line.variation_id) ? { variation_id: line.variation_id as number } : {}),
    };
  });
  const customerId = body.customer_id === undefined ? 0 : Number(body.customer_id);
  if (customerId !== 0 && !store.customers.has(customerId)) {
    throw new WcRefusal(400, 'woocommerce_rest_invalid_customer_id', 'Customer ID is invalid.');
  }
  const meta = Array.isArray(body.meta_data)
    ? (body.meta_data as Array<{ key?: unknown; value?: unknown }>).map((m) => ({
        key: String(m.key),
        value: String(m.value),
      }))
    : [];
  if (body.status !== undefined && !ORDER_STATUSES.includes(body.status as WcOrderStatus)) {
    throw invalidParam('status', `status is not one of ${ORDER_STATUSES.join(', ')}.`);
  }
  return {
    ...(body.status === undefined ? {} : { status: body.status as WcOrderStatus }),
    ...(typeof body.currency === 'string' ? { currency: body.currency } : {}),
    customer_id: customerId,
    ...(typeof body.billing === 'object' && body.billing !== null
      ? { billing: body.billing as Record<string, string> }
      : {}),
    line_items: items,
    set_paid: body.set_paid === true,
    ...(typeof body.payment_method === 'string' ? { payment_method: body.payment_method } : {}),
    ...(typeof body.payment_method_title === 'string'
      ? { payment_method_title: body.payment_method_title }
      : {}),
    meta_data: meta,
  };
}

interface Dated {
  id: number;
  date_created_gmt: string;
  date_modified_gmt: string;
}

/**
 * One page of a listing: `modified_after`/`modified_before`/`after`/`before` (GMT with
 * `dates_are_gmt=true`; the site zone, UTC here, otherwise), `orderby`/`order` (default newest
 * first), `page`/`per_page`/`offset`, with the total headers WordPress sends.
 */
function list<T extends Dated>(
  items: T[],
  query: URLSearchParams,
  orderings: readonly string[],
  title: (item: T) => string,
): { status: number; body: T[]; headers: Record<string, string | number> } {
  const perPage = intParam(query, 'per_page', 10);
  if (perPage < 1 || perPage > 100) {
    throw invalidParam('per_page', 'per_page must be between 1 (inclusive) and 100 (inclusive)');
  }
  const page = intParam(query, 'page', 1);
  if (page < 1) throw invalidParam('page', 'page must be greater than or equal to 1');
  const bound = (name: string) => {
    const value = query.get(name);
    if (value === null) return null;
    const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
    if (Number.isNaN(at)) throw invalidParam(name, `Invalid date.`);
    return at;
  };
  const gmt = (value: string) => Date.parse(`${value}Z`);
  const modifiedAfter = bound('modified_after');
  const modifiedBefore = bound('modified_before');
  const after = bound('after');
  const before = bound('before');
  const selected = items.filter(
    (item) =>
      (modifiedAfter === null || gmt(item.date_modified_gmt) > modifiedAfter) &&
      (modifiedBefore === null || gmt(item.date_modified_gmt) < modifiedBefore) &&
      (after === null || gmt(item.date_created_gmt) > after) &&
      (before === null || gmt(item.date_created_gmt) < before),
  );
  const orderby = query.get('orderby') ?? (orderings.includes('date') ? 'date' : 'id');
  if (!orderings.includes(orderby))
    throw invalidParam('orderby', `orderby is not one of ${orderings.join(', ')}.`);
  const direction = query.get('order') ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc')
    throw invalidParam('order', 'order is not one of asc, desc.');
  const keyOf = (item: T): string | number =>
    orderby === 'id'
      ? item.id
      : orderby === 'modified'
        ? item.date_modified_gmt
        : orderby === 'title' || orderby === 'name'
          ? title(item)
          : item.date_created_gmt;
  selected.sort((a, b) => {
    const [x, y] = [keyOf(a), keyOf(b)];
    const order = x < y ? -1 : x > y ? 1 : a.id - b.id;
    return direction === 'asc' ? order : -order;
  });
  const offset = query.has('offset') ? intParam(query, 'offset', 0) : (page - 1) * perPage;
  const total = selected.length;
  const totalPages = Math.ceil(total / perPage);
  return {
    status: 200,
    body: selected.slice(offset, offset + perPage),
    headers: { 'X-WP-Total': total, 'X-WP-TotalPages': totalPages },
  };
}

function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name);
  if (value === null) return fallback;
  if (!/^-?\d+$/.test(value)) throw invalidParam(name, `${name} is not of type integer.`);
  return Number(value);
}
