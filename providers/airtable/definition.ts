import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Airtable Web API by OAuth. PKCE is mandatory and a client that has a secret authenticates with
 * HTTP basic at the token endpoint. Access tokens last 60 minutes.
 */
export default defineProvider({
  name: 'airtable',
  displayName: 'Airtable',
  description: 'Two-way sync with records in Airtable bases.',
  categories: ['spreadsheets', 'productivity'],
  logo: 'logo.svg',
  docsUrl: 'https://airtable.com/developers/web/api/oauth-reference',
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://airtable.com/oauth2/v1/authorize',
    tokenUrl: 'https://airtable.com/oauth2/v1/token',
    defaultScopes: ['data.records:read', 'data.records:write', 'schema.bases:read', 'webhook:manage'],
    tokenEndpointAuth: 'client_secret_basic',
    pkce: true,
    refresh: true,
    rotatesRefreshToken: true,
    tokenExpiresInDefault: 3600,
    connectionMetadata: {
      request: {
        url: 'https://api.airtable.com/v0/meta/whoami',
        headers: { Authorization: 'Bearer ${accessToken}' },
        fields: { airtableUserId: { path: 'id', example: 'usrL2PNC5o3H4lBEi' } },
      },
    },
  },
  proxy: { baseUrl: 'https://api.airtable.com/v0', headers: { Authorization: 'Bearer ${accessToken}' } },
  pagination: {
    type: 'cursor',
    cursorParam: 'offset',
    cursorPath: 'offset',
    resultsPath: 'records',
    limitParam: 'pageSize',
    limit: 100,
  },
  // 5 requests per second per base (kept per connection here); after a 429 Airtable wants 30 s.
  rateLimit: { requests: 5, windowSeconds: 1, cooldownSeconds: 30 },
  webhooks: {
    // Pings only say "payloads are waiting"; the MAC key is the base64 macSecretBase64 returned
    // when the webhook was created for this connection.
    verification: {
      scheme: 'hmac',
      header: 'x-airtable-content-mac',
      encoding: 'hex',
      signature: { format: 'value', prefix: 'hmac-sha256=' },
      secretFrom: 'connection',
      secretEncoding: 'base64',
    },
    routing: { from: 'url' },
    keepHeaders: ['x-airtable-*'],
  },
});
