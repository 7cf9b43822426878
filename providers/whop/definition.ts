import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Whop API v1 with a company API key (the common case for a seller's own dashboard). The OAuth
 * flow for apps acting on behalf of Whop users is the `whop-oauth` variant, which runs this
 * folder's scripts. Facts: https://docs.whop.com/api-reference (cursor pages `first`/`after` with
 * `page_info`), https://docs.whop.com/developer/troubleshooting (600 requests per minute per
 * operation and credential, `{ error: { type, message } }` bodies) and
 * https://docs.whop.com/developer/guides/webhooks (Standard Webhooks signatures).
 */
export default defineProvider({
  name: 'whop',
  displayName: 'Whop',
  description: 'Memberships, payments and products of a Whop company.',
  categories: ['payments', 'commerce'],
  logo: 'logo.svg',
  docsUrl: 'https://docs.whop.com/api-reference',
  connectionConfig: [
    {
      key: 'companyId',
      label: 'Company ID',
      pattern: '^biz_[A-Za-z0-9]+$',
      example: 'biz_xxxxxxxxxxxxxx',
      help: 'Starts with biz_; shown in your Whop dashboard URL and settings.',
    },
  ],
  auth: {
    mode: 'api_key',
    fields: [
      {
        key: 'apiKey',
        label: 'Company API key',
        secret: true,
        help: 'Create one under Dashboard → Developer → API keys.',
      },
    ],
    // Listing one membership proves the key reaches the company and may read its members,
    // which every sync needs (a key without the permission answers 403).
    test: { path: '/memberships?company_id=${companyId}&first=1' },
  },
  proxy: {
    baseUrl: 'https://api.whop.com/api/v1',
    headers: { Authorization: 'Bearer ${apiKey}' },
    // Whop answers 401 to a key that is missing or was deleted: the connection needs a new key.
    credentialsRejected: { status: [401] },
  },
  pagination: {
    type: 'cursor',
    cursorParam: 'after',
    cursorPath: 'page_info.end_cursor',
    hasMorePath: 'page_info.has_next_page',
    resultsPath: 'data',
  },
  // Whop counts 600 requests per minute per API operation and credential; pacing all of a
  // connection's operations together at that figure keeps each one under its own allowance.
  rateLimit: { requests: 600, windowSeconds: 60 },
  webhooks: {
    // The engine registers one webhook per connection (webhooks/subscriptions.ts) and verifies
    // with the secret Whop answered (its bytes are the key); a webhook made by hand in Whop's
    // dashboard works too, its secret pasted on the connection.
    verification: { scheme: 'standard_webhooks', headerPrefix: 'webhook', secretFrom: 'connection' },
    // Webhooks without a pinned api_version_date (or pinned before 2026-08-14) carry the account
    // as company_id; later pins rename it account_id. This follows the unpinned default.
    routing: { from: 'body', path: 'company_id', connectionKey: 'companyId' },
    eventIdHeader: 'webhook-id',
    eventTypePath: 'type',
  },
});
