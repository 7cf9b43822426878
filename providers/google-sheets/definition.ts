import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Google Sheets API v4 with Google's OAuth. `access_type=offline` and `prompt=consent` make Google
 * return a refresh token on every consent, not only the first one.
 */
export default defineProvider({
  name: 'google-sheets',
  displayName: 'Google Sheets',
  description: 'Read and append rows in Google Sheets spreadsheets.',
  categories: ['spreadsheets', 'productivity'],
  logo: 'logo.svg',
  docsUrl: 'https://developers.google.com/sheets/api/reference/rest',
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    revokeUrl: 'https://oauth2.googleapis.com/revoke',
    revokeRequest: { body: { token: '${refreshToken}' } },
    defaultScopes: ['https://www.googleapis.com/auth/spreadsheets'],
    tokenEndpointAuth: 'client_secret_post',
    pkce: true,
    authorizationParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
    refresh: true,
    tokenExpiresInDefault: 3600,
  },
  proxy: { baseUrl: 'https://sheets.googleapis.com/v4', headers: { Authorization: 'Bearer ${accessToken}' } },
  pagination: { type: 'cursor', cursorParam: 'pageToken', cursorPath: 'nextPageToken' },
  // Per-user quota: 60 read and 60 write requests per minute per project.
  rateLimit: { requests: 60, windowSeconds: 60 },
});
