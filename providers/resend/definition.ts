import { defineProvider } from '../../src/scripts/index.ts';

/** Resend email API with an API key. Its webhooks are signed by Svix: Standard Webhooks under svix-* headers. */
export default defineProvider({
  name: 'resend',
  displayName: 'Resend',
  description: 'Send transactional email and receive delivery events.',
  categories: ['email'],
  logo: 'logo.svg',
  docsUrl: 'https://resend.com/docs/api-reference',
  auth: {
    mode: 'api_key',
    fields: [
      {
        key: 'apiKey',
        label: 'API key',
        secret: true,
        pattern: '^re_[A-Za-z0-9_]+$',
        help: 'API Keys → Create API key with full access (sending-only keys cannot be checked).',
      },
    ],
    test: { path: '/domains' },
  },
  proxy: {
    baseUrl: 'https://api.resend.com',
    headers: { Authorization: 'Bearer ${apiKey}' },
    // A deleted key answers 403 `invalid_api_key` (https://resend.com/docs/api-reference/errors):
    // the connection needs a new key. (401 `restricted_api_key` is a sending-only key, not a revoked one.)
    credentialsRejected: { status: [403], path: 'name', values: ['invalid_api_key'] },
  },
  pagination: {
    type: 'cursor',
    cursorParam: 'after',
    cursorFromLastItem: 'id',
    hasMorePath: 'has_more',
    resultsPath: 'data',
    limitParam: 'limit',
    limit: 100,
  },
  // 2 requests per second per team by default, with IETF ratelimit-* headers.
  rateLimit: {
    requests: 2,
    windowSeconds: 1,
    headers: { remaining: 'ratelimit-remaining', reset: 'ratelimit-reset', resetUnit: 'seconds' },
  },
  webhooks: {
    verification: { scheme: 'standard_webhooks', headerPrefix: 'svix', secretFrom: 'connection' },
    routing: { from: 'url' },
    eventIdHeader: 'svix-id',
    eventTypePath: 'type',
  },
});
