import { defineProvider } from '../../src/scripts/index.ts';

/** Gmail API v1 with Google's OAuth (read-only by default: reply tracking needs nothing more). */
export default defineProvider({
  name: 'gmail',
  displayName: 'Gmail',
  description: 'Read messages and threads of a Gmail mailbox, e.g. to track replies.',
  categories: ['email', 'productivity'],
  logo: 'logo.svg',
  docsUrl: 'https://developers.google.com/gmail/api/reference/rest',
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    revokeUrl: 'https://oauth2.googleapis.com/revoke',
    revokeRequest: { body: { token: '${refreshToken}' } },
    defaultScopes: ['https://www.googleapis.com/auth/gmail.readonly'],
    tokenEndpointAuth: 'client_secret_post',
    pkce: true,
    authorizationParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
    refresh: true,
    tokenExpiresInDefault: 3600,
  },
  proxy: {
    baseUrl: 'https://gmail.googleapis.com/gmail/v1',
    headers: { Authorization: 'Bearer ${accessToken}' },
  },
  pagination: {
    type: 'cursor',
    cursorParam: 'pageToken',
    cursorPath: 'nextPageToken',
    resultsPath: 'messages',
    limitParam: 'maxResults',
    limit: 500,
  },
  // Gmail meters 250 quota units per user per second; list and get cost 5 units each.
  rateLimit: { requests: 50, windowSeconds: 1 },
});
