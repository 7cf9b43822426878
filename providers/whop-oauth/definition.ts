import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Whop by OAuth 2.1 with PKCE (and OpenID Connect), for apps acting on behalf of Whop users.
 * Whop documents its OAuth endpoints as living under https://api.whop.com/oauth/; the authorize,
 * token and revoke paths below follow that base. Access tokens last one hour and every refresh
 * rotates the refresh token. Its connections run the `whop` scripts, so they name the company
 * they act on as the API-key variant does.
 */
export default defineProvider({
  name: 'whop-oauth',
  displayName: 'Whop (OAuth)',
  description: 'Act on behalf of a Whop user who signs in with Whop.',
  categories: ['payments', 'commerce'],
  logo: 'logo.svg',
  docsUrl: 'https://docs.whop.com/developer/guides/oauth',
  variantOf: 'whop',
  connectionConfig: [
    {
      key: 'companyId',
      label: 'Company ID',
      pattern: '^biz_[A-Za-z0-9]+$',
      example: 'biz_xxxxxxxxxxxxxx',
      help: 'The company whose members and payments to read; starts with biz_.',
    },
  ],
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://api.whop.com/oauth/authorize',
    tokenUrl: 'https://api.whop.com/oauth/token',
    revokeUrl: 'https://api.whop.com/oauth/revoke',
    defaultScopes: ['openid', 'profile', 'email'],
    tokenEndpointAuth: 'client_secret_post',
    pkce: true,
    refresh: true,
    rotatesRefreshToken: true,
    tokenExpiresInDefault: 3600,
  },
  proxy: {
    baseUrl: 'https://api.whop.com/api/v1',
    headers: { Authorization: 'Bearer ${accessToken}' },
    // A 401 that survives a forced refresh: the grant is gone, the user must sign in again.
    credentialsRejected: { status: [401] },
  },
  pagination: {
    type: 'cursor',
    cursorParam: 'after',
    cursorPath: 'page_info.end_cursor',
    hasMorePath: 'page_info.has_next_page',
    resultsPath: 'data',
  },
  rateLimit: { requests: 600, windowSeconds: 60 },
  webhooks: {
    verification: { scheme: 'standard_webhooks', headerPrefix: 'webhook', secretFrom: 'connection' },
    routing: { from: 'body', path: 'company_id', connectionKey: 'companyId' },
    eventIdHeader: 'webhook-id',
    eventTypePath: 'type',
  },
});
