import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Stripe Connect, Standard accounts, by OAuth. Stripe recommends acting on a connected account
 * with the platform's secret key plus a `Stripe-Account` header rather than the access_token the
 * token endpoint also returns, so the proxy sends `${clientSecret}` (for Stripe's OAuth the client
 * secret *is* the platform secret key) and the connected account id kept from `stripe_user_id`.
 * Users who prefer to paste their own keys connect through the `stripe-api-key` variant.
 */
export default defineProvider({
  name: 'stripe',
  displayName: 'Stripe',
  description:
    'Payments, customers, invoices and subscriptions of a Stripe account connected to your platform.',
  categories: ['payments'],
  logo: 'logo.svg',
  docsUrl: 'https://docs.stripe.com/connect/oauth-reference',
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://connect.stripe.com/oauth/authorize',
    tokenUrl: 'https://connect.stripe.com/oauth/token',
    // Deauthorize is not RFC 7009: the platform key authenticates, the account id is posted.
    revokeUrl: 'https://connect.stripe.com/oauth/deauthorize',
    revokeRequest: {
      body: { client_id: '${clientId}', stripe_user_id: '${stripeAccountId}' },
      headers: { Authorization: 'Bearer ${clientSecret}' },
    },
    defaultScopes: ['read_write'],
    tokenEndpointAuth: 'client_secret_post',
    // Calls use the platform key, so the connected account's tokens never need refreshing.
    refresh: false,
    connectionMetadata: {
      tokenResponse: {
        stripeAccountId: { path: 'stripe_user_id', example: 'acct_1Nv0FGQ9RKHgCVdK' },
        livemode: { path: 'livemode', example: 'true' },
      },
    },
  },
  proxy: {
    baseUrl: 'https://api.stripe.com',
    headers: { Authorization: 'Bearer ${clientSecret}', 'Stripe-Account': '${stripeAccountId}' },
  },
  pagination: {
    type: 'cursor',
    cursorParam: 'starting_after',
    cursorFromLastItem: 'id',
    hasMorePath: 'has_more',
    resultsPath: 'data',
    limitParam: 'limit',
    limit: 100,
  },
  // https://docs.stripe.com/rate-limits: live mode allows 100 read and 100 write operations per
  // second, test mode 25 of each. Connect calls count against the platform (its key calls), so
  // every connection of the integration shares one budget, and the platform key's mode decides
  // which: a test-mode key (sk_test_/rk_test_) is paced at 25 per second. Reads and writes are
  // paced together, which keeps each under its own allowance.
  rateLimit: {
    requests: 100,
    windowSeconds: 1,
    scope: 'integration',
    cases: [{ when: { value: '${clientSecret}', matches: '^[rs]k_test_' }, requests: 25, windowSeconds: 1 }],
  },
  webhooks: {
    // One Connect endpoint per platform: its signing secret is the integration's webhook secret.
    verification: { scheme: 'hmac', preset: 'stripe' },
    routing: { from: 'body', path: 'account', connectionKey: 'stripeAccountId' },
    eventIdPath: 'id',
    eventTypePath: 'type',
  },
});
