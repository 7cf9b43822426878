/**
 * Inbound webhooks as data: how a provider's deliveries are verified (a discriminated union on
 * `scheme`, handled by one generic verifier per scheme), which connection they belong to, and
 * how to read their id and type. Signatures are always computed over the raw body bytes.
 */
import { z } from 'zod';
import {
  incomingHeader,
  itemsPath,
  jsonPath,
  paramName,
  pathTemplate,
  seconds,
  variableName,
} from './common.ts';

/**
 * Where the verification key comes from: the integration's webhook secret (one endpoint per app,
 * e.g. Stripe Connect), the OAuth client secret (Shopify, HubSpot, Messenger's app secret), or the
 * connection (a secret created per connection, e.g. by the webhook-creation API call).
 */
const secretFrom = z.enum(['integration', 'client_secret', 'connection']);
const tolerance = seconds.max(86_400);

/** `Stripe-Signature: t=…,v1=…` — HMAC-SHA256 hex of `{t}.{body}`, several v1 values allowed. */
export const stripeVerificationSchema = z.strictObject({
  scheme: z.literal('stripe'),
  header: incomingHeader.default('stripe-signature'),
  tolerance: tolerance.default(300),
  secretFrom: secretFrom.default('integration'),
});

/**
 * Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`), or the
 * same scheme under Svix's `svix-*` header names (Resend). A `whsec_` secret is base64 after the
 * prefix; any other secret is used as its UTF-8 bytes.
 */
export const standardWebhooksVerificationSchema = z.strictObject({
  scheme: z.literal('standard_webhooks'),
  headerPrefix: z.enum(['webhook', 'svix']).default('webhook'),
  tolerance: tolerance.default(300),
  secretFrom: secretFrom.default('integration'),
});

const SIGNED_CONTENT_TOKENS = ['{body}', '{timestamp}', '{url}', '{method}'];

/**
 * Generic HMAC-SHA256: `signedContent` names what is signed (`{body}`, `v0:{timestamp}:{body}`),
 * the digest is hex or base64, optionally behind a prefix (`sha256=`, `v0=`). Covers Shopify,
 * WooCommerce, GitHub-style `x-hub-signature-256`, Slack and Airtable.
 */
export const hmacSha256VerificationSchema = z
  .strictObject({
    scheme: z.literal('hmac_sha256'),
    header: incomingHeader,
    encoding: z.enum(['hex', 'base64']),
    prefix: z.string().min(1).max(32).optional(),
    signedContent: z.string().min(1).max(200).default('{body}'),
    timestampHeader: incomingHeader.optional(),
    tolerance: tolerance.optional(),
    secretFrom: secretFrom.default('integration'),
    /** `base64` when the provider hands out the key base64-encoded (Airtable's macSecretBase64). */
    secretEncoding: z.enum(['utf8', 'base64']).default('utf8'),
  })
  .superRefine((v, ctx) => {
    const tokens: string[] = v.signedContent.match(/\{[a-z]+\}/g) ?? [];
    for (const token of tokens) {
      if (!SIGNED_CONTENT_TOKENS.includes(token)) {
        ctx.addIssue({ code: 'custom', path: ['signedContent'], message: `unknown token ${token}` });
      }
    }
    if (tokens.filter((t) => t === '{body}').length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['signedContent'], message: 'must contain {body} exactly once' });
    }
    if ((tokens.includes('{timestamp}') || v.tolerance !== undefined) && v.timestampHeader === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['timestampHeader'],
        message: '{timestamp} and tolerance need timestampHeader',
      });
    }
    if (v.timestampHeader !== undefined && v.tolerance === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tolerance'], message: 'a signed timestamp needs a tolerance' });
    }
  });

/** HubSpot v3: base64 HMAC-SHA256 of method + URI + body + timestamp (ms), client secret as key. */
export const hubspotV3VerificationSchema = z.strictObject({
  scheme: z.literal('hubspot_v3'),
  header: incomingHeader.default('x-hubspot-signature-v3'),
  timestampHeader: incomingHeader.default('x-hubspot-request-timestamp'),
  tolerance: tolerance.default(300),
  secretFrom: secretFrom.default('client_secret'),
});

/**
 * Square: base64 HMAC-SHA256 of the notification URL (exactly as registered) followed by the
 * body, keyed by the subscription's signature key.
 */
export const squareVerificationSchema = z.strictObject({
  scheme: z.literal('square'),
  header: incomingHeader.default('x-square-hmacsha256-signature'),
  secretFrom: secretFrom.default('integration'),
});

/**
 * PayPal: the signature is checked by PayPal's verify-webhook-signature API (path relative to
 * the proxy base URL) with the `paypal-transmission-*`, `paypal-cert-url` and `paypal-auth-algo`
 * headers and the webhook id kept in the connection config key `webhookIdKey`.
 */
export const paypalApiVerificationSchema = z.strictObject({
  scheme: z.literal('paypal_api'),
  verifyPath: pathTemplate.default('/v1/notifications/verify-webhook-signature'),
  webhookIdKey: variableName,
});

/**
 * For providers that do not sign (Gumroad pings, Mailchimp): a random token in the webhook URL
 * Patchbay hands out. Weaker than a signature — anyone who sees the URL can forge deliveries,
 * and nothing protects against replay — so such events should be treated as hints to re-fetch.
 */
export const urlTokenVerificationSchema = z.strictObject({
  scheme: z.literal('url_token'),
  location: z.enum(['query', 'path']).default('query'),
  param: paramName.default('token'),
  secretFrom: secretFrom.default('connection'),
});

/** ECDSA P-256 / SHA-256 over `{timestamp}{body}`, base64 DER signature (SendGrid signed events). */
export const ecdsaP256VerificationSchema = z.strictObject({
  scheme: z.literal('ecdsa_p256'),
  header: incomingHeader,
  timestampHeader: incomingHeader,
  signedContent: z.literal('{timestamp}{body}').default('{timestamp}{body}'),
  tolerance: tolerance.default(300),
  /** Where the base64 DER public key is kept. */
  secretFrom: secretFrom.default('connection'),
});

/** The registry of verification schemes. */
export const webhookVerificationSchemas = {
  stripe: stripeVerificationSchema,
  standard_webhooks: standardWebhooksVerificationSchema,
  hmac_sha256: hmacSha256VerificationSchema,
  hubspot_v3: hubspotV3VerificationSchema,
  square: squareVerificationSchema,
  paypal_api: paypalApiVerificationSchema,
  url_token: urlTokenVerificationSchema,
  ecdsa_p256: ecdsaP256VerificationSchema,
} as const;

export type WebhookScheme = keyof typeof webhookVerificationSchemas;
export const WEBHOOK_SCHEMES = Object.keys(webhookVerificationSchemas) as WebhookScheme[];

export const webhookVerificationSchema = z.discriminatedUnion('scheme', [
  stripeVerificationSchema,
  standardWebhooksVerificationSchema,
  hmacSha256VerificationSchema,
  hubspotV3VerificationSchema,
  squareVerificationSchema,
  paypalApiVerificationSchema,
  urlTokenVerificationSchema,
  ecdsaP256VerificationSchema,
]);

/**
 * Which connection a delivery belongs to: a header or body field matched against a connection
 * config or metadata key (`connectionKey`), the per-connection webhook URL itself, or none (the
 * event belongs to the integration).
 */
export const webhookRoutingSchema = z.discriminatedUnion('from', [
  z.strictObject({ from: z.literal('header'), header: incomingHeader, connectionKey: variableName }),
  z.strictObject({ from: z.literal('body'), path: jsonPath, connectionKey: variableName }),
  z.strictObject({ from: z.literal('url') }),
  z.strictObject({ from: z.literal('integration') }),
]);

/** Set-up handshakes some providers perform before sending events. */
export const webhookHandshakeSchema = z.discriminatedUnion('kind', [
  /** Meta: GET `?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`, answer the challenge. */
  z.strictObject({
    kind: z.literal('hub_challenge'),
    modeParam: paramName.default('hub.mode'),
    tokenParam: paramName.default('hub.verify_token'),
    challengeParam: paramName.default('hub.challenge'),
  }),
  /** Slack: a signed POST `{ type: 'url_verification', challenge }`, answer the challenge. */
  z.strictObject({
    kind: z.literal('body_challenge'),
    typePath: jsonPath.default('type'),
    typeValue: z.string().min(1).default('url_verification'),
    challengePath: jsonPath.default('challenge'),
  }),
  /** Mailchimp: a plain GET to the webhook URL must answer 200. */
  z.strictObject({ kind: z.literal('get_ok') }),
]);

export const webhooksSchema = z
  .strictObject({
    verification: webhookVerificationSchema,
    routing: webhookRoutingSchema,
    bodyFormat: z.enum(['json', 'form']).default('json'),
    /** When one delivery carries several events: where the array is (`$` for a JSON array body). */
    batch: z.strictObject({ itemsPath }).optional(),
    /** Dedupe key; without one, inbound dedupes on a hash of the raw body (or of each batch item). */
    eventIdHeader: incomingHeader.optional(),
    eventIdPath: jsonPath.optional(),
    eventTypeHeader: incomingHeader.optional(),
    eventTypePath: jsonPath.optional(),
    handshake: webhookHandshakeSchema.optional(),
  })
  .superRefine((w, ctx) => {
    if (w.eventIdHeader && w.eventIdPath) {
      ctx.addIssue({
        code: 'custom',
        path: ['eventIdPath'],
        message: 'set eventIdHeader or eventIdPath, not both',
      });
    }
    if (w.eventTypeHeader && w.eventTypePath) {
      ctx.addIssue({
        code: 'custom',
        path: ['eventTypePath'],
        message: 'set eventTypeHeader or eventTypePath, not both',
      });
    }
  });

export type WebhookVerification<S extends WebhookScheme = WebhookScheme> = z.output<
  (typeof webhookVerificationSchemas)[S]
>;
export type WebhookRouting = z.output<typeof webhookRoutingSchema>;
export type WebhookHandshake = z.output<typeof webhookHandshakeSchema>;
export type Webhooks = z.output<typeof webhooksSchema>;
