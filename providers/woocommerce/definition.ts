import { defineProvider } from '../../src/scripts/index.ts';

/**
 * WooCommerce REST API v3 on the merchant's own WordPress site
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication), with a consumer key
 * and secret: sent as HTTP basic credentials when the store URL is `https://` (WooCommerce
 * accepts basic auth over HTTPS only), and as an OAuth 1.0a one-legged HMAC-SHA256 signature in
 * the query string when it is plain `http://` (the secret itself never travels). Pages are
 * `page`/`per_page` (at most 100) with `X-WP-TotalPages`. WooCommerce itself sets no rate limit
 * (hosts and security plugins may: their 429s are retried after `Retry-After`).
 */
export default defineProvider({
  name: 'woocommerce',
  displayName: 'WooCommerce',
  description: 'Products, orders and customers of a WooCommerce store.',
  categories: ['commerce'],
  logo: 'logo.svg',
  docsUrl: 'https://woocommerce.github.io/woocommerce-rest-api-docs/',
  connectionConfig: [
    {
      key: 'storeUrl',
      label: 'Store URL',
      pattern: '^https?://[a-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~-]+)*/?$',
      example: 'https://shop.example.com',
      help: 'The address of the WordPress site, including a subdirectory if WordPress lives in one.',
    },
  ],
  auth: {
    mode: 'basic',
    username: {
      label: 'Consumer key',
      secret: true,
      pattern: '^ck_[A-Za-z0-9]+$',
      help: 'WooCommerce → Settings → Advanced → REST API → Add key, with Read/Write permissions.',
    },
    password: { label: 'Consumer secret', secret: true, pattern: '^cs_[A-Za-z0-9]+$' },
    // Webhooks need the shop manager's capability: a key that can list them can do what the
    // syncs read; writes are refused later to a read-only key (the store cannot say in advance).
    test: { path: '/webhooks?per_page=1' },
  },
  proxy: {
    baseUrl: '${storeUrl}/wp-json/wc/v3',
    basicAuth: {
      username: '${username}',
      password: '${password}',
      when: { value: '${storeUrl}', matches: '^https://' },
    },
    oauth1: {
      consumerKey: '${username}',
      consumerSecret: '${password}',
      signatureMethod: 'HMAC-SHA256',
      when: { value: '${storeUrl}', matches: '^http://' },
    },
    // A deleted or wrong key: "Consumer key is invalid." / "Invalid signature…" with this code.
    credentialsRejected: { status: [401], path: 'code', values: ['woocommerce_rest_authentication_error'] },
  },
  pagination: {
    type: 'page',
    pageParam: 'page',
    startPage: 1,
    limitParam: 'per_page',
    limit: 100,
    totalPagesHeader: 'x-wp-totalpages',
    resultsPath: '$',
  },
  webhooks: {
    // Webhooks are created per store (through the API), each with the secret we give it and our
    // per-connection URL; the signature is base64 HMAC-SHA256 of the raw body.
    verification: { scheme: 'hmac', preset: 'woocommerce' },
    routing: { from: 'url' },
    eventIdHeader: 'x-wc-webhook-delivery-id',
    eventTypeHeader: 'x-wc-webhook-topic',
    // The store pings a new webhook with an unsigned `webhook_id=<id>` form body.
    handshake: { kind: 'form_ping' },
    // Source, resource, event and webhook id headers of the delivery.
    keepHeaders: ['x-wc-webhook-*'],
  },
});
