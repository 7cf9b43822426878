import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Twilio SendGrid v3 with an API key (https://www.twilio.com/docs/sendgrid/api-reference). The
 * signed Event Webhook is ECDSA (P-256, SHA-256) over the timestamp header followed by the raw
 * body, verified with the public key SendGrid answers when signing is turned on for a webhook
 * (webhooks/subscriptions.ts keeps it as the connection's key); events arrive as a JSON array,
 * each with its own `sg_event_id`. SendGrid has no idempotency keys (see actions/send-email.ts).
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
        help: 'Settings → API Keys → Create API Key: Full Access, or Restricted Access with Mail Send and Mail Settings → Event Webhook (full access).',
      },
    ],
    // Reading the Event Webhooks proves the key is valid and may manage the webhook Patchbay registers.
    test: { path: '/user/webhooks/event/settings/all' },
  },
  proxy: {
    baseUrl: 'https://api.sendgrid.com/v3',
    headers: { Authorization: 'Bearer ${apiKey}' },
    // A deleted or revoked key answers 401 with this message; other 401s (credits exhausted) are not the key's.
    credentialsRejected: {
      status: [401],
      path: 'errors.0.message',
      values: ['The provided authorization grant is invalid, expired, or revoked'],
    },
  },
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
