import { defineProvider } from '../../src/scripts/index.ts';

const SHOP_DOMAIN = '^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$';

/**
 * The Admin API version every call is pinned to: the latest stable quarterly release. Shopify
 * supports each version for at least 12 months (https://shopify.dev/docs/api/usage/versioning).
 */
export const SHOPIFY_API_VERSION = '2026-10';

/**
 * Shopify Admin GraphQL API (REST is legacy for new public apps since 2024-10:
 * https://shopify.dev/docs/api/admin-rest), every query a POST to `/graphql.json` of the pinned
 * version. Every URL is per shop: `shop` holds the full `*.myshopify.com` domain,
 * exactly as Shopify sends it in the install query and the x-shopify-shop-domain header, and its
 * pattern is checked before any URL is rendered. Offline access tokens do not expire.
 */
export default defineProvider({
  name: 'shopify',
  displayName: 'Shopify',
  description: 'Products, orders, customers and inventory of a Shopify store.',
  categories: ['commerce'],
  logo: 'logo.svg',
  docsUrl:
    'https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant',
  connectionConfig: [
    {
      key: 'shop',
      label: 'Shop domain',
      pattern: SHOP_DOMAIN,
      example: 'acme-store.myshopify.com',
      help: "Your store's myshopify.com domain.",
    },
  ],
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://${shop}/admin/oauth/authorize',
    tokenUrl: 'https://${shop}/admin/oauth/access_token',
    // Uninstalling the app is how a Shopify token is revoked.
    revokeUrl: 'https://${shop}/admin/api_permissions/current.json',
    revokeRequest: {
      method: 'DELETE',
      format: 'none',
      headers: { 'X-Shopify-Access-Token': '${accessToken}' },
    },
    // Reads for the syncs; write_products, write_inventory and write_draft_orders for the actions.
    defaultScopes: [
      'read_products',
      'write_products',
      'read_orders',
      'read_customers',
      'read_inventory',
      'write_inventory',
      'write_draft_orders',
    ],
    scopeSeparator: ',',
    tokenEndpointAuth: 'client_secret_post',
    refresh: false,
    install: { configKey: 'shop', shopPattern: SHOP_DOMAIN, hmacEncoding: 'hex' },
  },
  proxy: {
    baseUrl: `https://\${shop}/admin/api/${SHOPIFY_API_VERSION}`,
    headers: { 'X-Shopify-Access-Token': '${accessToken}' },
  },
  // Calculated query cost (https://shopify.dev/docs/api/admin-graphql#rate-limits): a bucket per
  // app and store; a Standard plan refills 100 points per second into 2,000 (a single query may
  // ask at most 1,000). Every answer's `extensions.cost` reports the store's own figures, which
  // the proxy reads; a query refused for want of points carries the THROTTLED error code.
  rateLimit: {
    cost: {
      maximum: 2000,
      restoreRate: 100,
      paths: {
        maximum: 'extensions.cost.throttleStatus.maximumAvailable',
        available: 'extensions.cost.throttleStatus.currentlyAvailable',
        restoreRate: 'extensions.cost.throttleStatus.restoreRate',
        requested: 'extensions.cost.requestedQueryCost',
        errors: 'errors',
        errorCode: 'extensions.code',
      },
      throttledCodes: ['THROTTLED'],
      estimateBy: 'query',
    },
  },
  webhooks: {
    // HMAC keyed by the app's client secret, base64 of the raw body.
    verification: { scheme: 'hmac', preset: 'shopify' },
    routing: { from: 'header', header: 'x-shopify-shop-domain', connectionKey: 'shop' },
    eventIdHeader: 'x-shopify-webhook-id',
    eventTypeHeader: 'x-shopify-topic',
    // API version, triggered-at and event id headers, for the host reading the stored event.
    keepHeaders: ['x-shopify-*'],
  },
});
