import { defineProvider } from '../../src/scripts/index.ts';

const SHOP_DOMAIN = '^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$';

/**
 * Shopify Admin REST API. Every URL is per shop: `shop` holds the full `*.myshopify.com` domain,
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
    defaultScopes: ['read_products', 'read_orders', 'read_customers', 'read_inventory'],
    scopeSeparator: ',',
    tokenEndpointAuth: 'client_secret_post',
    refresh: false,
    install: { configKey: 'shop', shopPattern: SHOP_DOMAIN, hmacEncoding: 'hex' },
  },
  proxy: {
    baseUrl: 'https://${shop}/admin/api/2025-07',
    headers: { 'X-Shopify-Access-Token': '${accessToken}' },
  },
  pagination: { type: 'link_header', rel: 'next', limitParam: 'limit', limit: 250 },
  // Leaky bucket: 40 requests, draining 2 per second (Plus stores get twice that).
  rateLimit: { requests: 2, windowSeconds: 1, burst: 40 },
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
