import { defineProvider } from '../../src/scripts/index.ts';

/** Gumroad API v2 (OAuth 2.0 served by Doorkeeper). */
export default defineProvider({
  name: 'gumroad',
  displayName: 'Gumroad',
  description: 'Sales, products and subscribers of a Gumroad creator account.',
  categories: ['commerce', 'payments'],
  logo: 'logo.svg',
  docsUrl: 'https://gumroad.com/api',
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://gumroad.com/oauth/authorize',
    tokenUrl: 'https://gumroad.com/oauth/token',
    // The default scope only reads the profile; sales need view_sales.
    defaultScopes: ['view_sales'],
    tokenEndpointAuth: 'client_secret_post',
    // Access tokens do not expire (expires_in is null); refresh tokens are issued all the same,
    // so the engine keeps them and refreshes only if an expiry ever appears.
    refresh: true,
  },
  proxy: { baseUrl: 'https://api.gumroad.com/v2', headers: { Authorization: 'Bearer ${accessToken}' } },
  // /sales pages with page_key; the deprecated page number times out on large accounts.
  pagination: { type: 'cursor', cursorParam: 'page_key', cursorPath: 'next_page_key', resultsPath: 'sales' },
  // Gumroad publishes no number; 120 per minute is what a production integration was held to.
  rateLimit: { requests: 120, windowSeconds: 60 },
  webhooks: {
    // Resource-subscription pings are unsigned form posts, so a secret token in the per-connection
    // URL is all that authenticates them. No event id either: a sale ping and a refund ping carry
    // the same sale_id, so dedupe falls back to a hash of the body.
    verification: { scheme: 'url_token' },
    routing: { from: 'url' },
    bodyFormat: 'form',
    eventTypePath: 'resource_name',
  },
});
