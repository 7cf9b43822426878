import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Stripe with the user's own keys ("bring your own keys"), for single-operator setups that do not
 * go through Stripe Connect. A separate definition rather than a second auth mode of `stripe`, so
 * each definition has exactly one auth mode; `variantOf` puts both on the same tile of the connect
 * page, where this one is the "Use my own keys" button beside "Connect with Stripe".
 * Its connections run the scripts of `stripe` (this folder has none of its own).
 */
export default defineProvider({
  name: 'stripe-api-key',
  displayName: 'Stripe (API keys)',
  description: 'Connect a Stripe account by pasting its secret key instead of Stripe Connect.',
  categories: ['payments'],
  logo: 'logo.svg',
  docsUrl: 'https://docs.stripe.com/keys',
  variantOf: 'stripe',
  methodLabel: 'Use my own keys',
  auth: {
    mode: 'api_key',
    fields: [
      {
        key: 'secretKey',
        label: 'Secret key',
        secret: true,
        pattern: '^(sk|rk)_(live|test)_[A-Za-z0-9]+$',
        help: 'A secret key (sk_…) or a restricted key (rk_…) from Developers → API keys.',
        example: 'sk_test_51Nv0FGQ9RKHgCVdKexample',
      },
      {
        key: 'publishableKey',
        label: 'Publishable key',
        secret: false,
        required: false,
        pattern: '^pk_(live|test)_[A-Za-z0-9]+$',
        help: 'Optional. Used by checkout pages in the browser (kept in the connection metadata); never sent by the proxy.',
        example: 'pk_test_51Nv0FGQ9RKHgCVdKexample',
      },
    ],
    test: { path: '/v1/account' },
  },
  proxy: { baseUrl: 'https://api.stripe.com', headers: { Authorization: 'Bearer ${secretKey}' } },
  pagination: {
    type: 'cursor',
    cursorParam: 'starting_after',
    cursorFromLastItem: 'id',
    hasMorePath: 'has_more',
    resultsPath: 'data',
    limitParam: 'limit',
    limit: 100,
  },
  // https://docs.stripe.com/rate-limits: 100 read and 100 write operations per second per account
  // in live mode, 25 of each in test mode; the key's mode decides (see the stripe definition).
  rateLimit: {
    requests: 100,
    windowSeconds: 1,
    cases: [{ when: { value: '${secretKey}', matches: '^[rs]k_test_' }, requests: 25, windowSeconds: 1 }],
  },
  webhooks: {
    // Patchbay registers each connection's endpoint in the user's account (Stripe's
    // webhooks/subscriptions.ts) and verifies with the whsec_ secret Stripe returned. A secret
    // pasted with PUT /v1/connections/{id}/webhook-secret, for an endpoint made by hand at the
    // URL from POST /v1/connections/{id}/webhook-token, is tried too.
    verification: { scheme: 'hmac', preset: 'stripe', secretFrom: 'connection' },
    routing: { from: 'url' },
    eventIdPath: 'id',
    eventTypePath: 'type',
  },
});
