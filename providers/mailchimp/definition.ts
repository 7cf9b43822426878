import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Mailchimp Marketing API. OAuth tokens have no scopes and never expire; every account lives in
 * one data center (`us6`…), read from the OAuth metadata endpoint after the token exchange and
 * used as the API host's first label.
 */
export default defineProvider({
  name: 'mailchimp',
  displayName: 'Mailchimp',
  description: 'Audiences, members, tags and campaigns of a Mailchimp account.',
  categories: ['marketing', 'email'],
  logo: 'logo.svg',
  docsUrl: 'https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/',
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://login.mailchimp.com/oauth2/authorize',
    tokenUrl: 'https://login.mailchimp.com/oauth2/token',
    defaultScopes: [],
    tokenEndpointAuth: 'client_secret_post',
    refresh: false,
    connectionMetadata: {
      request: {
        url: 'https://login.mailchimp.com/oauth2/metadata',
        headers: { Authorization: 'OAuth ${accessToken}' },
        fields: {
          dc: { path: 'dc', example: 'us6' },
          accountName: { path: 'accountname', example: 'Acme Records' },
        },
      },
    },
  },
  proxy: {
    baseUrl: 'https://${dc}.api.mailchimp.com/3.0',
    headers: { Authorization: 'Bearer ${accessToken}' },
  },
  pagination: {
    type: 'offset',
    offsetParam: 'offset',
    limitParam: 'count',
    limit: 1000,
    totalPath: 'total_items',
  },
  // Mailchimp limits simultaneous connections (10 per user), not requests per second.
  rateLimit: { concurrency: 10 },
  webhooks: {
    // List webhooks are unsigned form posts; Mailchimp checks the URL with a GET when it is added.
    verification: { scheme: 'url_token' },
    routing: { from: 'url' },
    bodyFormat: 'form',
    eventTypePath: 'type',
    handshake: { kind: 'get_ok' },
    keepHeaders: ['x-mailchimp-*'],
  },
});
