import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Square by OAuth (code flow). The token endpoint takes a JSON body and answers with an absolute
 * `expires_at` (access tokens last 30 days); revocation is Square's own call, authenticated with
 * `Authorization: Client <secret>`.
 */
export default defineProvider({
  name: 'square',
  displayName: 'Square',
  description: 'Payments, orders, customers, catalog and invoices of a Square seller.',
  categories: ['payments', 'commerce'],
  logo: 'logo.svg',
  docsUrl: 'https://developer.squareup.com/docs/oauth-api/overview',
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://connect.squareup.com/oauth2/authorize',
    tokenUrl: 'https://connect.squareup.com/oauth2/token',
    revokeUrl: 'https://connect.squareup.com/oauth2/revoke',
    revokeRequest: {
      format: 'json',
      body: { client_id: '${clientId}', merchant_id: '${merchantId}' },
      headers: { Authorization: 'Client ${clientSecret}' },
    },
    defaultScopes: [
      'MERCHANT_PROFILE_READ',
      'PAYMENTS_READ',
      'ORDERS_READ',
      'CUSTOMERS_READ',
      'ITEMS_READ',
      'INVOICES_READ',
    ],
    tokenEndpointAuth: 'client_secret_post',
    tokenRequestFormat: 'json',
    refresh: true,
    tokenResponse: { expiresAtPath: 'expires_at' },
    connectionMetadata: {
      tokenResponse: { merchantId: { path: 'merchant_id', example: 'ML2PMZQ1N2ZHT' } },
    },
  },
  proxy: {
    baseUrl: 'https://connect.squareup.com/v2',
    // Pin the API version so response shapes do not change under the syncs.
    headers: { Authorization: 'Bearer ${accessToken}', 'Square-Version': '2025-01-23' },
  },
  pagination: {
    type: 'cursor',
    cursorParam: 'cursor',
    cursorPath: 'cursor',
    limitParam: 'limit',
    limit: 100,
  },
  webhooks: {
    // Signature key of the app's webhook subscription; the signed content starts with the
    // notification URL exactly as registered.
    verification: { scheme: 'hmac', preset: 'square' },
    routing: { from: 'body', path: 'merchant_id', connectionKey: 'merchantId' },
    eventIdPath: 'event_id',
    eventTypePath: 'type',
    keepHeaders: ['x-square-*'],
  },
});
