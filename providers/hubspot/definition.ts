import { defineProvider } from '../../src/scripts/index.ts';

/**
 * HubSpot CRM by OAuth. Access tokens last 30 minutes; the account (portal) id comes from the
 * token-info endpoint and routes webhook events, which arrive in batches of up to 100.
 */
export default defineProvider({
  name: 'hubspot',
  displayName: 'HubSpot',
  description: 'Contacts, companies and deals in HubSpot CRM.',
  categories: ['crm', 'marketing'],
  logo: 'logo.svg',
  docsUrl: 'https://developers.hubspot.com/docs/api/oauth-quickstart-guide',
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://app.hubspot.com/oauth/authorize',
    tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    // HubSpot revokes by deleting the refresh token; the URL carries the token, so logs must redact it.
    revokeUrl: 'https://api.hubapi.com/oauth/v1/refresh-tokens/${refreshToken}',
    revokeRequest: { method: 'DELETE', format: 'none' },
    defaultScopes: [
      'oauth',
      'crm.objects.contacts.read',
      'crm.objects.contacts.write',
      'crm.objects.deals.read',
      'crm.objects.deals.write',
    ],
    tokenEndpointAuth: 'client_secret_post',
    refresh: true,
    tokenExpiresInDefault: 1800,
    connectionMetadata: {
      request: {
        url: 'https://api.hubapi.com/oauth/v1/access-tokens/${accessToken}',
        fields: {
          hubId: { path: 'hub_id', example: '62515' },
          hubDomain: { path: 'hub_domain', example: 'acme.hubspot.com' },
        },
      },
    },
  },
  proxy: { baseUrl: 'https://api.hubapi.com', headers: { Authorization: 'Bearer ${accessToken}' } },
  pagination: {
    type: 'cursor',
    cursorParam: 'after',
    cursorPath: 'paging.next.after',
    resultsPath: 'results',
    limitParam: 'limit',
    limit: 100,
  },
  // Public OAuth apps: 110 requests per 10 seconds per account.
  rateLimit: { requests: 110, windowSeconds: 10, headers: { remaining: 'x-hubspot-ratelimit-remaining' } },
  webhooks: {
    verification: { scheme: 'hmac', preset: 'hubspot_v3' },
    routing: { from: 'body', path: 'portalId', connectionKey: 'hubId' },
    batch: { itemsPath: '$' },
    eventIdPath: 'eventId',
    eventTypePath: 'subscriptionType',
    keepHeaders: ['x-hubspot-*'],
  },
});
