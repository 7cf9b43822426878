import { defineProvider } from '../../src/scripts/index.ts';

/**
 * A generic inbound webhook for systems without a dedicated provider. Senders sign each delivery
 * with the integration's secret: `x-webhook-signature: sha256=<hex HMAC-SHA256 of
 * "{timestamp}.{body}">` with the Unix time in `x-webhook-timestamp`, so old deliveries cannot be
 * replayed. Events belong to the integration rather than to one end user's connection.
 */
export default defineProvider({
  name: 'custom-webhook',
  displayName: 'Custom webhook',
  description: 'Receive signed events from any system that can send an HTTP POST.',
  categories: ['developer', 'automation'],
  logo: 'logo.svg',
  docsUrl: 'https://datatracker.ietf.org/doc/html/rfc2104',
  auth: { mode: 'none' },
  webhooks: {
    verification: {
      scheme: 'hmac',
      header: 'x-webhook-signature',
      encoding: 'hex',
      signature: { format: 'value', prefix: 'sha256=' },
      signedContent: '{timestamp}.{body}',
      timestamp: { from: 'header', header: 'x-webhook-timestamp', unit: 's', tolerance: 300 },
      secretFrom: 'integration',
    },
    routing: { from: 'integration' },
    eventIdHeader: 'x-webhook-id',
    eventTypeHeader: 'x-webhook-event',
  },
});
