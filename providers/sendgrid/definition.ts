import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Twilio SendGrid v3 with an API key. The signed Event Webhook is ECDSA (P-256, SHA-256) over the
 * timestamp header followed by the raw body, verified with the account's public verification key.
 */
export default defineProvider({
  name: 'sendgrid',
  displayName: 'SendGrid',
  description: 'Send transactional email and receive delivery and engagement events.',
  categories: ['email'],
  logo: 'logo.svg',
  docsUrl: 'https://www.twilio.com/docs/sendgrid/api-reference',
  auth: {
    mode: 'api_key',
    fields: [
      {
        key: 'apiKey',
        label: 'API key',
        secret: true,
        pattern: '^SG\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
        help: 'Settings → API Keys; Mail Send access at least.',
      },
    ],
    // Any valid key may list its own scopes.
    test: { path: '/scopes' },
  },
  proxy: { baseUrl: 'https://api.sendgrid.com/v3', headers: { Authorization: 'Bearer ${apiKey}' } },
  // Limits differ per endpoint; every response says what is left and when it resets.
  rateLimit: {
    headers: { remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset', resetUnit: 'epoch_seconds' },
  },
  webhooks: {
    verification: {
      scheme: 'ecdsa_p256',
      header: 'x-twilio-email-event-webhook-signature',
      timestampHeader: 'x-twilio-email-event-webhook-timestamp',
      secretFrom: 'connection',
    },
    routing: { from: 'url' },
    batch: { itemsPath: '$' },
    eventIdPath: 'sg_event_id',
    eventTypePath: 'event',
    keepHeaders: ['x-twilio-email-event-webhook-*'],
  },
});
