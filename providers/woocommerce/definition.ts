import { defineProvider } from '../../src/scripts/index.ts';

/**
 * WooCommerce REST API v3 on the merchant's own WordPress site, with a consumer key and secret
 * sent as HTTP basic credentials (WooCommerce accepts basic auth over HTTPS only).
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
      pattern: '^https://[a-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~-]+)*/?$',
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
      help: 'WooCommerce → Settings → Advanced → REST API → Add key (Read/Write).',
    },
    password: { label: 'Consumer secret', secret: true, pattern: '^cs_[A-Za-z0-9]+$' },
    test: { path: '/products?per_page=1' },
  },
  proxy: {
    baseUrl: '${storeUrl}/wp-json/wc/v3',
    basicAuth: { username: '${username}', password: '${password}' },
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
    // Webhooks are created per store (through the API), each with its own secret and our
    // per-connection URL; the signature is base64 HMAC-SHA256 of the raw body.
    verification: { scheme: 'hmac', preset: 'woocommerce' },
    routing: { from: 'url' },
    eventIdHeader: 'x-wc-webhook-delivery-id',
    eventTypeHeader: 'x-wc-webhook-topic',
    // Source, resource, event and webhook id headers of the delivery.
    keepHeaders: ['x-wc-webhook-*'],
  },
});
