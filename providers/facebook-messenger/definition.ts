import { defineProvider } from '../../src/scripts/index.ts';

const GRAPH = 'https://graph.facebook.com/v23.0';

/**
 * Messenger Platform through a Facebook Page. Facebook Login's code gives a short-lived user token
 * (an hour or two, no refresh tokens); the token exchange trades it for a long-lived one (about 60
 * days, `fb_exchange_token`), and the Page's access token, read with that one, has no expiry
 * (https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived). The
 * Send API takes the Page token, so the connection follows its expiry: none. When Meta stops
 * accepting it (error 190: password changed, app removed, logged out) the connection turns
 * `reauth_required`. Webhooks are signed with the app secret and arrive in `entry` batches, one
 * entry per Page.
 */
export default defineProvider({
  name: 'facebook-messenger',
  displayName: 'Messenger',
  description: 'Send messages (such as checkout links) to buyers from a Facebook Page.',
  categories: ['messaging'],
  logo: 'logo.svg',
  docsUrl: 'https://developers.facebook.com/docs/messenger-platform',
  connectionConfig: [
    {
      key: 'pageId',
      label: 'Facebook Page ID',
      pattern: '^[0-9]+$',
      example: '104862345678901',
      help: 'The Page that sends the messages: Page → About → Page transparency → Page ID.',
    },
  ],
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://www.facebook.com/v23.0/dialog/oauth',
    tokenUrl: `${GRAPH}/oauth/access_token`,
    revokeUrl: `${GRAPH}/me/permissions`,
    revokeRequest: { method: 'DELETE', format: 'none', headers: { Authorization: 'Bearer ${accessToken}' } },
    defaultScopes: ['pages_messaging', 'pages_show_list', 'pages_manage_metadata'],
    scopeSeparator: ',',
    tokenEndpointAuth: 'client_secret_post',
    refresh: false,
    // Meta documents this call as a GET with the app secret in the query.
    tokenExchange: {
      method: 'GET',
      url: `${GRAPH}/oauth/access_token`,
      query: {
        grant_type: 'fb_exchange_token',
        client_id: '${clientId}',
        client_secret: '${clientSecret}',
        fb_exchange_token: '${accessToken}',
      },
    },
    // The proxy sends the Page token, which never expires; the user token's 60 days do not count.
    connectionExpiry: 'never',
    connectionMetadata: {
      request: {
        url: `${GRAPH}/\${pageId}?fields=access_token,name`,
        headers: { Authorization: 'Bearer ${accessToken}' },
        fields: {
          pageAccessToken: { path: 'access_token', example: 'EAAGm0PX4ZCpsBAexample', secret: true },
          pageName: { path: 'name', example: 'Acme Live Sales' },
        },
      },
    },
  },
  proxy: {
    baseUrl: GRAPH,
    headers: { Authorization: 'Bearer ${pageAccessToken}' },
    // Graph answers a token it no longer accepts with code 190, HTTP 400 (401 on some endpoints).
    credentialsRejected: { status: [400, 401], path: 'error.code', values: [190] },
  },
  pagination: { type: 'next_url', nextUrlPath: 'paging.next', resultsPath: 'data' },
  webhooks: {
    // Meta signs like GitHub (`X-Hub-Signature-256: sha256=<hex>`), keyed by the app secret.
    verification: { scheme: 'hmac', preset: 'github', secretFrom: 'client_secret' },
    routing: { from: 'body', path: 'id', connectionKey: 'pageId' },
    batch: { itemsPath: 'entry' },
    handshake: { kind: 'hub_challenge' },
    // The SHA-1 signature Meta still sends beside the SHA-256 one.
    keepHeaders: ['x-hub-signature'],
  },
});
