import { defineProvider } from '../../src/scripts/index.ts';

/**
 * PayPal REST: each merchant connects with the client id and secret of their own REST app; the
 * engine exchanges them for access tokens (client credentials grant). Live and sandbox differ
 * only by host, chosen in the connection config.
 */
export default defineProvider({
  name: 'paypal',
  displayName: 'PayPal',
  description: 'Orders, captures and invoices through a PayPal REST app.',
  categories: ['payments'],
  logo: 'logo.svg',
  docsUrl: 'https://developer.paypal.com/api/rest/',
  connectionConfig: [
    {
      key: 'apiHost',
      label: 'Environment',
      options: [
        { value: 'api-m.paypal.com', label: 'Live' },
        { value: 'api-m.sandbox.paypal.com', label: 'Sandbox' },
      ],
      pattern: '^api-m\\.(sandbox\\.)?paypal\\.com$',
      default: 'api-m.paypal.com',
      example: 'api-m.sandbox.paypal.com',
    },
    {
      key: 'webhookId',
      label: 'Webhook ID',
      required: false,
      pattern: '^[A-Z0-9]+$',
      example: '1JE4291016473214C',
      help: 'The ID PayPal shows for the webhook of this app; needed to verify its events.',
    },
  ],
  auth: {
    mode: 'oauth2_client_credentials',
    tokenUrl: 'https://${apiHost}/v1/oauth2/token',
    tokenEndpointAuth: 'client_secret_basic',
    credentialsFrom: 'connection',
    clientIdInput: { label: 'Client ID', secret: false },
    clientSecretInput: { label: 'Secret', secret: true },
  },
  proxy: { baseUrl: 'https://${apiHost}', headers: { Authorization: 'Bearer ${accessToken}' } },
  // Invoicing and transaction search page by number; transaction search reports total_pages.
  pagination: {
    type: 'page',
    pageParam: 'page',
    startPage: 1,
    limitParam: 'page_size',
    limit: 100,
    totalPagesPath: 'total_pages',
  },
  webhooks: {
    // Signatures are RSA over the transmission headers with a certificate PayPal hosts; PayPal's
    // verify-webhook-signature API checks them for us, called with the connection's own
    // credentials (developer.paypal.com/docs/api/webhooks/v1/#verify-webhook-signature_post).
    verification: {
      scheme: 'provider_api',
      request: {
        method: 'POST',
        path: '/v1/notifications/verify-webhook-signature',
        body: {
          auth_algo: '{header:paypal-auth-algo}',
          cert_url: '{header:paypal-cert-url}',
          transmission_id: '{header:paypal-transmission-id}',
          transmission_sig: '{header:paypal-transmission-sig}',
          transmission_time: '{header:paypal-transmission-time}',
          webhook_id: '{config:webhookId}',
          webhook_event: '{body}',
        },
      },
      verdict: { path: 'verification_status', equals: 'SUCCESS' },
    },
    routing: { from: 'url' },
    eventIdPath: 'id',
    eventTypePath: 'event_type',
    keepHeaders: ['paypal-*'],
  },
});
