import { defineProvider } from '../../src/scripts/index.ts';

const GRAPH = 'https://graph.facebook.com/v23.0';

/**
 * Messenger Platform through a Facebook Page. Facebook Login yields a user token (no refresh
 * tokens); right after the exchange the engine asks the Graph API for the chosen Page's access
 * token, which is what the Send API takes. Webhooks are signed with the app secret and arrive in
 * `entry` batches, one entry per Page.
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
  proxy: { baseUrl: GRAPH, headers: { Authorization: 'Bearer ${pageAccessToken}' } },
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
