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
    // Signatures are RSA over transmission headers; PayPal's API checks them for us.
    verification: { scheme: 'paypal_api', webhookIdKey: 'webhookId' },
    routing: { from: 'url' },
    eventIdPath: 'id',
    eventTypePath: 'event_type',
  },
});
