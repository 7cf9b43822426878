/**
 * A Shopify emulator on loopback, written from Shopify's references: the authorization-code grant
 * (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant)
 * with the shop's HMAC on the redirect, offline access tokens sent as `X-Shopify-Access-Token`,
 * the Admin GraphQL API at `/admin/api/{version}/graphql.json` with its calculated query cost
 * (./cost.ts, reported in `extensions.cost`, THROTTLED answers), and uninstalling through
 * `DELETE /admin/api_permissions/current.json`. Every path is under `/shops/{shop}`: a
 * definition's `https://${shop}` origin is overridden with `http://127.0.0.1:<port>/shops/${shop}`.
 *
 * @example
 * const shopify = await startShopifySandbox({ shop: 'acme.myshopify.com' });
 * shopify.control.store.addProduct({ title: 'Mug' });
 * const client = createAdminApiClient({ storeDomain: shopify.storeDomain, apiVersion: '2025-07', accessToken: shopify.control.issueToken() });
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen } from '../http/listen.ts';
import { readBody, redirect, sendJson } from '../http/respond.ts';
import { CostBucket, type QueryCost, type ShopifyBucketOptions, SINGLE_QUERY_MAX_COST } from './cost.ts';
import { GraphqlError, type GraphqlRequest, listPage, present, requestedCost, rootField } from './graphql.ts';
import { type Resource, type ShopifyOrder, ShopStore } from './store.ts';
import { deliver, type ShopifyDelivery, type ShopifyWebhookSubscription, topicName } from './webhooks.ts';

/**
 * The versions the API answers at `now`: the four stable quarterly releases of the last 12
 * months, the next release candidate and `unstable` (https://shopify.dev/docs/api/usage/versioning).
 * An older one answers 404 here (Shopify falls it forward; a pinned client should not rely on that).
 */
export function supportedApiVersions(now: Date): string[] {
  const year = now.getUTCFullYear();
  const quarter = Math.floor(now.getUTCMonth() / 3);
  const name = (offset: number) => {
    const index = year * 4 + quarter + offset;
    return `${Math.floor(index / 4)}-${String((index % 4) * 3 + 1).padStart(2, '0')}`;
  };
  return [name(-3), name(-2), name(-1), name(0), name(1), 'unstable'];
}

export interface ShopifySandboxOptions {
  /** The one shop this emulator serves (default `acme.myshopify.com`). */
  shop?: string;
  clientId?: string;
  clientSecret?: string;
  bucket?: ShopifyBucketOptions;
  now?: () => Date;
  host?: string;
  port?: number;
}

export interface ShopifyDraftOrder {
  id: string;
  name: string;
  status: 'OPEN' | 'INVOICE_SENT' | 'COMPLETED';
  email: string | null;
  invoiceUrl: string;
  tags: string[];
  lineItems: Array<{ variantId: string; quantity: number }>;
  totalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
}

export interface ShopifySandboxStats {
  /** GraphQL requests answered, THROTTLED ones included. */
  graphqlRequests: number;
  throttled: number;
  /** Points charged (actual costs). */
  pointsSpent: number;
}

export interface ShopifySandboxControl {
  readonly store: ShopStore;
  /** Access tokens in force (uninstalling removes the app's). */
  readonly tokens: ReadonlySet<string>;
  /** An offline access token for the shop, as an install would grant. */
  issueToken(): string;
  stats(reset?: boolean): ShopifySandboxStats;
  /** Draft orders made through the API, oldest first. */
  readonly draftOrders: readonly ShopifyDraftOrder[];
  /** Webhook subscriptions made through the API, oldest first. */
  readonly subscriptions: readonly ShopifyWebhookSubscription[];
  /** Every webhook POSTed so far. */
  readonly deliveries: readonly ShopifyDelivery[];
  /** Delivers `payload` for `topic` (`orders/updated`) to every subscription of that topic. */
  emit(topic: string, payload: unknown): Promise<ShopifyDelivery[]>;
  /** Delivers a privacy or lifecycle topic to a URL (Shopify takes those from the app's settings). */
  deliverTo(url: string, topic: string, payload: unknown): Promise<ShopifyDelivery>;
  /** An order as the REST-shaped webhook payload Shopify sends for `orders/*` topics. */
  orderPayload(order: ShopifyOrder): Record<string, unknown>;
  /** Uninstalls the app: tokens revoked, subscriptions removed, `app/uninstalled` delivered. */
  uninstall(): Promise<ShopifyDelivery[]>;
}

export interface ShopifySandbox {
  readonly url: string;
  readonly port: number;
  readonly shop: string;
  /** `127.0.0.1:<port>/shops/<shop>`: what the official client takes as the store domain (over http). */
  readonly storeDomain: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly control: ShopifySandboxControl;
  close(): Promise<void>;
}

/** The shop's one location, where every item is stocked. */
export const LOCATION_ID = 'gid://shopify/Location/1';

const RESOURCES = new Set<string>(['products', 'customers', 'orders']);

export async function startShopifySandbox(options: ShopifySandboxOptions = {}): Promise<ShopifySandbox> {
  const shop = options.shop ?? 'acme.myshopify.com';
  const clientId = options.clientId ?? randomBytes(16).toString('hex');
  const clientSecret = options.clientSecret ?? `shpss_${randomBytes(16).toString('hex')}`;
  const now = options.now ?? (() => new Date());
  const store = new ShopStore({ now });
  const tokens = new Set<string>();
  const codes = new Map<string, string>();
  const buckets = new Map<string, CostBucket>();
  let stats: ShopifySandboxStats = { graphqlRequests: 0, throttled: 0, pointsSpent: 0 };
  const prefix = `/shops/${shop}`;
  const subscriptions: ShopifyWebhookSubscription[] = [];
  const deliveries: ShopifyDelivery[] = [];
  const deliverNow = async (url: string, topic: string, payload: unknown) => {
    const sent = await deliver({
      url,
      topic,
      payload,
      shop,
      secret: clientSecret,
      apiVersion: supportedApiVersions(now())[3] ?? 'unstable',
      now: now(),
    });
    deliveries.push(sent);
    return sent;
  };
  const emit = async (topic: string, payload: unknown) => {
    const targets = subscriptions.filter((subscription) => topicName(subscription.topic) === topic);
    return Promise.all(targets.map((subscription) => deliverNow(subscription.uri, topic, payload)));
  };

  const uninstall = async () => {
    tokens.clear();
    const sent = await emit('app/uninstalled', { id: 1, name: shop.split('.')[0], myshopify_domain: shop });
    subscriptions.length = 0;
    return sent;
  };

  /** The webhook mutations and listing; undefined when `name` is none of them. */
  const draftOrders: ShopifyDraftOrder[] = [];
  /** `draftOrderCreate`: lines of the shop's variants at their price, in the shop's currency. */
  const createDraftOrder = (args: Record<string, unknown>): Record<string, unknown> => {
    const input = (args.input ?? {}) as {
      lineItems?: Array<{ variantId?: unknown; quantity?: unknown }>;
      email?: string;
      tags?: string[];
    };
    const variants = store.products.flatMap((product) => product.variants);
    let total = 0;
    const lineItems: ShopifyDraftOrder['lineItems'] = [];
    for (const line of input.lineItems ?? []) {
      const variant = variants.find((entry) => entry.id === line.variantId);
      const quantity = Number(line.quantity);
      if (!variant || !Number.isInteger(quantity) || quantity < 1) {
        return {
          draftOrder: null,
          userErrors: [{ field: ['input', 'lineItems'], message: 'Variant not found or quantity invalid' }],
        };
      }
      total += Number(variant.price) * quantity;
      lineItems.push({ variantId: variant.id, quantity });
    }
    if (lineItems.length === 0) {
      return {
        draftOrder: null,
        userErrors: [{ field: ['input', 'lineItems'], message: 'Add at least 1 product' }],
      };
    }
    const id = store.nextId();
    const draft: ShopifyDraftOrder = {
      id: `gid://shopify/DraftOrder/${id}`,
      name: `#D${draftOrders.length + 1}`,
      status: 'OPEN',
      email: input.email ?? null,
      invoiceUrl: `https://${shop}/${id}/invoices/${randomBytes(8).toString('hex')}`,
      tags: input.tags ?? [],
      lineItems,
      totalPriceSet: { shopMoney: { amount: total.toFixed(2), currencyCode: store.currencyCode } },
    };
    draftOrders.push(draft);
    return { draftOrder: draft, userErrors: [] };
  };

  const adjustments = new Map<string, Record<string, unknown>>();
  /**
   * `inventoryAdjustQuantities` on the shop's one location: each change moves a variant's
   * `available` count. Since 2026-04 the `@idempotent(key:)` directive is required; a key seen
   * before answers the group it made, unchanged.
   */
  const adjustInventory = (
    args: Record<string, unknown>,
    request: GraphqlRequest,
  ): Record<string, unknown> => {
    const keyArg = /@idempotent\s*\(\s*key\s*:\s*(\$\w+|"[^"]*")\s*\)/.exec(request.query)?.[1];
    const key =
      keyArg === undefined
        ? undefined
        : keyArg.startsWith('$')
          ? request.variables[keyArg.slice(1)]
          : JSON.parse(keyArg);
    if (typeof key !== 'string' || key === '') {
      throw new GraphqlError('BAD_REQUEST', 'The @idempotent directive is required for this mutation.');
    }
    const seen = adjustments.get(key);
    if (seen) return seen;
    const input = (args.input ?? {}) as {
      reason?: string;
      name?: string;
      changes?: Array<Record<string, unknown>>;
    };
    const userErrors: Array<Record<string, unknown>> = [];
    const changes: Array<Record<string, unknown>> = [];
    for (const change of input.changes ?? []) {
      const variant = store.products
        .flatMap((product) => product.variants)
        .find((entry) => entry.inventoryItem.id === change.inventoryItemId);
      if (!variant || change.locationId !== LOCATION_ID) {
        userErrors.push({
          field: ['input', 'changes'],
          message: 'The specified inventory item could not be found.',
          code: 'ITEM_NOT_STOCKED_AT_LOCATION',
        });
        continue;
      }
      variant.inventoryQuantity = (variant.inventoryQuantity ?? 0) + Number(change.delta);
      changes.push({
        name: input.name ?? 'available',
        delta: Number(change.delta),
        quantityAfterChange: variant.inventoryQuantity,
        item: { id: variant.inventoryItem.id },
        location: { id: LOCATION_ID },
      });
    }
    const answer =
      userErrors.length > 0
        ? { inventoryAdjustmentGroup: null, userErrors }
        : {
            inventoryAdjustmentGroup: {
              id: `gid://shopify/InventoryAdjustmentGroup/${store.nextId()}`,
              reason: input.reason ?? 'correction',
              changes,
            },
            userErrors: [],
          };
    adjustments.set(key, answer);
    return answer;
  };

  const webhookOperation = (
    name: string,
    args: Record<string, unknown>,
    request: GraphqlRequest,
  ): Record<string, unknown> | undefined => {
    if (name === 'webhookSubscriptionCreate') {
      const input = (args.webhookSubscription ?? {}) as { uri?: unknown; callbackUrl?: unknown };
      const uri = typeof input.uri === 'string' ? input.uri : input.callbackUrl;
      if (typeof args.topic !== 'string' || typeof uri !== 'string' || !/^https?:\/\//.test(uri)) {
        return {
          webhookSubscriptionCreate: {
            webhookSubscription: null,
            userErrors: [{ field: ['webhookSubscription', 'uri'], message: 'Address is invalid' }],
          },
        };
      }
      if (subscriptions.some((existing) => existing.topic === args.topic && existing.uri === uri)) {
        return {
          webhookSubscriptionCreate: {
            webhookSubscription: null,
            userErrors: [
              {
                field: ['webhookSubscription', 'uri'],
                message: 'Address for this topic has already been taken',
              },
            ],
          },
        };
      }
      const subscription: ShopifyWebhookSubscription = {
        id: `gid://shopify/WebhookSubscription/${store.nextId()}`,
        topic: args.topic,
        uri,
        format: 'JSON',
        createdAt: store.timestamp(),
      };
      subscriptions.push(subscription);
      return { webhookSubscriptionCreate: { webhookSubscription: subscription, userErrors: [] } };
    }
    if (name === 'webhookSubscriptionDelete') {
      const index = subscriptions.findIndex((subscription) => subscription.id === args.id);
      if (index < 0) {
        return {
          webhookSubscriptionDelete: {
            deletedWebhookSubscriptionId: null,
            userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
          },
        };
      }
      subscriptions.splice(index, 1);
      return { webhookSubscriptionDelete: { deletedWebhookSubscriptionId: args.id, userErrors: [] } };
    }
    if (name === 'productUpdate') {
      const input = (args.product ?? {}) as {
        id?: unknown;
        title?: unknown;
        descriptionHtml?: unknown;
        status?: unknown;
      };
      const product = store.products.find((entry) => entry.id === input.id);
      if (!product) {
        return {
          productUpdate: {
            product: null,
            userErrors: [{ field: ['id'], message: 'Product does not exist' }],
          },
        };
      }
      if (typeof input.title === 'string') product.title = input.title;
      if (typeof input.descriptionHtml === 'string') product.descriptionHtml = input.descriptionHtml;
      if (input.status === 'ACTIVE' || input.status === 'ARCHIVED' || input.status === 'DRAFT')
        product.status = input.status;
      product.updatedAt = store.timestamp();
      return { productUpdate: { product: present(product), userErrors: [] } };
    }
    if (name === 'draftOrders') {
      const tag = typeof args.query === 'string' ? /tag:'?([^'\s]+)'?/.exec(args.query)?.[1] : undefined;
      const nodes = draftOrders.filter((draft) => tag === undefined || draft.tags.includes(tag));
      return {
        draftOrders: {
          nodes: nodes.slice(0, typeof args.first === 'number' ? args.first : 50),
          pageInfo: { hasNextPage: false, endCursor: null },
        },
      };
    }
    if (name === 'draftOrderCreate') return { draftOrderCreate: createDraftOrder(args) };
    if (name === 'inventoryAdjustQuantities')
      return { inventoryAdjustQuantities: adjustInventory(args, request) };
    if (name === 'webhookSubscriptions') {
      return {
        webhookSubscriptions: {
          nodes: subscriptions,
          pageInfo: { hasNextPage: false, endCursor: null },
        },
      };
    }
    return undefined;
  };

  const issueToken = () => {
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    tokens.add(token);
    return token;
  };

  const authorize = (res: ServerResponse, url: URL) => {
    const redirectUri = url.searchParams.get('redirect_uri');
    if (url.searchParams.get('client_id') !== clientId || !redirectUri) {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'Unknown client_id or missing redirect_uri',
      });
      return;
    }
    const code = randomBytes(16).toString('hex');
    codes.set(code, url.searchParams.get('scope') ?? '');
    const params = new URLSearchParams({
      code,
      host: Buffer.from(`admin.shopify.com/store/${shop.split('.')[0]}`).toString('base64url'),
      shop,
      state: url.searchParams.get('state') ?? '',
      timestamp: String(Math.floor(now().getTime() / 1000)),
    });
    // The redirect is signed like the install request: hex HMAC-SHA256 of the sorted parameters.
    const message = [...params]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    params.set('hmac', createHmac('sha256', clientSecret).update(message).digest('hex'));
    const target = new URL(redirectUri);
    for (const [key, value] of params) target.searchParams.set(key, value);
    redirect(res, target.toString());
  };

  const accessToken = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = (await readBody(req)).toString('utf8');
    const fields = (req.headers['content-type'] ?? '').includes('json')
      ? (JSON.parse(raw) as Record<string, string>)
      : Object.fromEntries(new URLSearchParams(raw));
    const scope = fields.code === undefined ? undefined : codes.get(fields.code);
    if (fields.client_id !== clientId || fields.client_secret !== clientSecret || scope === undefined) {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'The authorization code was not found or was already used',
      });
      return;
    }
    codes.delete(fields.code as string);
    sendJson(res, 200, { access_token: issueToken(), scope });
  };

  const authenticated = (req: IncomingMessage, res: ServerResponse): string | undefined => {
    const token = req.headers['x-shopify-access-token'];
    if (typeof token === 'string' && tokens.has(token)) return token;
    sendJson(res, 401, {
      errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    });
    return undefined;
  };

  const graphql = async (req: IncomingMessage, res: ServerResponse, token: string) => {
    let request: GraphqlRequest;
    try {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as {
        query?: unknown;
        variables?: unknown;
      };
      if (typeof body.query !== 'string') throw new Error('no query');
      request = { query: body.query, variables: (body.variables ?? {}) as Record<string, unknown> };
    } catch {
      sendJson(res, 400, { errors: { query: 'Required parameter missing or invalid' } });
      return;
    }
    stats.graphqlRequests += 1;
    let bucket = buckets.get(token);
    if (!bucket) {
      bucket = new CostBucket(options.bucket ?? {}, () => now().getTime());
      buckets.set(token, bucket);
    }
    const cost = (requested: number, actual: number | null): { cost: QueryCost } => ({
      cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() },
    });
    try {
      const { name, args } = rootField(request);
      const resource = RESOURCES.has(name) ? (name as Resource) : undefined;
      const requested =
        resource === undefined
          ? // A mutation costs 10 points, a single object 1.
            /^\s*mutation\b/.test(request.query)
            ? 10
            : 1
          : requestedCost(resource, request, typeof args.first === 'number' ? args.first : 0);
      if (requested > SINGLE_QUERY_MAX_COST) {
        sendJson(res, 200, {
          errors: [
            {
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).`,
              extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: SINGLE_QUERY_MAX_COST },
            },
          ],
          extensions: cost(requested, null),
        });
        return;
      }
      if (!bucket.take(requested)) {
        stats.throttled += 1;
        sendJson(res, 200, {
          errors: [
            {
              message: 'Throttled',
              extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
          extensions: cost(requested, null),
        });
        return;
      }
      let data: Record<string, unknown>;
      let actual = requested;
      const webhookData = resource ? undefined : webhookOperation(name, args, request);
      if (resource) {
        const page = listPage(store, resource, request, args);
        data = { [resource]: page.connection };
        actual = page.actual;
      } else if (webhookData !== undefined) {
        data = webhookData;
      } else if (name === 'shop') {
        data = {
          shop: { name: shop.split('.')[0], myshopifyDomain: shop, currencyCode: store.currencyCode },
        };
      } else {
        throw new GraphqlError('undefinedField', `Field '${name}' doesn't exist on type 'QueryRoot'`);
      }
      bucket.refund(requested - actual);
      stats.pointsSpent += actual;
      sendJson(res, 200, { data, extensions: cost(requested, actual) });
    } catch (error) {
      if (!(error instanceof GraphqlError)) throw error;
      sendJson(res, 200, { errors: [{ message: error.message, extensions: { code: error.code } }] });
    }
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (!url.pathname.startsWith(`${prefix}/`)) {
      sendJson(res, 404, { errors: 'Not Found' });
      return;
    }
    const path = url.pathname.slice(prefix.length);
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/admin/oauth/authorize') return authorize(res, url);
    if (method === 'POST' && path === '/admin/oauth/access_token') return accessToken(req, res);
    const version = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(path)?.[1];
    if (version !== undefined && method === 'POST') {
      if (!supportedApiVersions(now()).includes(version)) {
        sendJson(res, 404, { errors: 'Not Found' });
        return;
      }
      const token = authenticated(req, res);
      if (token) await graphql(req, res, token);
      return;
    }
    if (method === 'DELETE' && path === '/admin/api_permissions/current.json') {
      const token = authenticated(req, res);
      if (token) {
        // Uninstalling revokes every token of the app for the shop and deletes its webhook
        // subscriptions; Shopify still sends app/uninstalled to them.
        sendJson(res, 200, {});
        await uninstall();
      }
      return;
    }
    sendJson(res, 404, { errors: 'Not Found' });
  };

  const server = await listen(
    (req, res) => {
      handler(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { errors: 'Internal Server Error' });
        else res.destroy();
      });
    },
    { ...(options.host ? { host: options.host } : {}), ...(options.port ? { port: options.port } : {}) },
  );
  return {
    url: server.origin,
    port: server.port,
    shop,
    storeDomain: `${server.origin.replace(/^http:\/\//, '')}${prefix}`,
    clientId,
    clientSecret,
    control: {
      store,
      tokens,
      issueToken,
      subscriptions,
      draftOrders,
      deliveries,
      emit,
      deliverTo: deliverNow,
      orderPayload: (order) => orderPayload(order),
      uninstall,
      stats(reset) {
        const current = stats;
        if (reset) stats = { graphqlRequests: 0, throttled: 0, pointsSpent: 0 };
        return { ...current };
      },
    },
    close: () => server.close(),
  };
}

/** An order in the REST shape of `orders/*` webhook payloads: numeric ids beside the global ones. */
function orderPayload(order: ShopifyOrder): Record<string, unknown> {
  const numeric = (gid: string) => Number(gid.slice(gid.lastIndexOf('/') + 1));
  return {
    id: numeric(order.id),
    admin_graphql_api_id: order.id,
    name: order.name,
    email: order.email,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    cancelled_at: order.cancelledAt,
    currency: order.currencyCode,
    financial_status: order.displayFinancialStatus.toLowerCase(),
    fulfillment_status:
      order.displayFulfillmentStatus === 'UNFULFILLED' ? null : order.displayFulfillmentStatus.toLowerCase(),
    total_price: order.totalPriceSet.shopMoney.amount,
    customer: order.customer
      ? { id: numeric(order.customer.id), admin_graphql_api_id: order.customer.id }
      : null,
    line_items: order.lineItems.map((line) => ({
      id: numeric(line.id),
      admin_graphql_api_id: line.id,
      title: line.title,
      quantity: line.quantity,
      sku: line.sku,
      variant_id: line.variant ? numeric(line.variant.id) : null,
      product_id: null,
      price: line.originalUnitPriceSet.shopMoney.amount,
    })),
  };
}
