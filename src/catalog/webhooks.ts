/**
 * Inbound webhooks as data: how a provider's deliveries are verified (a discriminated union on
 * `scheme`, handled by one generic verifier per scheme; a provider is a preset or parameters of
 * one, never a scheme of its own), which connection they belong to, how to read their id and
 * type, and which of their headers to keep. Signatures are always computed over the raw body bytes.
 */
import { z } from 'zod';
import { incomingHeader, itemsPath, jsonPath, paramName, variableName } from './common.ts';
import { hmacVerificationSchema, secretFrom, tolerance, withHmacPreset } from './hmac-scheme.ts';
import { providerApiVerificationSchema } from './provider-api-scheme.ts';

/**
 * Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`), or the
 * same scheme under Svix's `svix-*` header names (Resend). A `whsec_` secret is base64 after the
 * prefix; any other secret is used as its UTF-8 bytes. A standard, not a provider: its own scheme.
 */
export const standardWebhooksVerificationSchema = z.strictObject({
  scheme: z.literal('standard_webhooks'),
  headerPrefix: z.enum(['webhook', 'svix']).default('webhook'),
  tolerance: tolerance.default(300),
  secretFrom: secretFrom.default('integration'),
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

/** The registry of verification schemes: generic ones only; providers are presets or parameters. */
export const webhookVerificationSchemas = {
  hmac: hmacVerificationSchema,
  standard_webhooks: standardWebhooksVerificationSchema,
  provider_api: providerApiVerificationSchema,
  url_token: urlTokenVerificationSchema,
  ecdsa_p256: ecdsaP256VerificationSchema,
} as const;

export type WebhookScheme = keyof typeof webhookVerificationSchemas;
export const WEBHOOK_SCHEMES = Object.keys(webhookVerificationSchemas) as WebhookScheme[];

/** A verification block; an `hmac` block naming a `preset` has its other fields filled from it first. */
export const webhookVerificationSchema = z.preprocess(
  withHmacPreset,
  z.discriminatedUnion('scheme', [
    hmacVerificationSchema,
    standardWebhooksVerificationSchema,
    providerApiVerificationSchema,
    urlTokenVerificationSchema,
    ecdsaP256VerificationSchema,
  ]),
);

/** Headers never stored with an event: the stored row is shown by the API. */
export const NEVER_KEPT_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
];

/**
 * A header of a delivery to keep with the stored event, beside the ones the definition reads
 * itself: a name (`x-slack-retry-num`) or a family ending in `-*` (`x-shopify-*`). Credentials
 * and cookies are never kept, whatever a definition says.
 */
const keptHeader = z
  .string()
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*(-\*)?$/, 'expected a lowercase header name, or a family such as "x-acme-*"')
  .refine((name) => !NEVER_KEPT_HEADERS.includes(name), {
    message: 'credentials and cookies are never kept',
  });

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
  /**
   * WooCommerce: on creation the store POSTs an unsigned form body `webhook_id=<id>` and keeps
   * the webhook pending until it is answered 200. Acknowledged without storing anything.
   */
  z.strictObject({ kind: z.literal('form_ping'), field: paramName.default('webhook_id') }),
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
    /** Further headers kept with each stored event (see keptHeader). */
    keepHeaders: z.array(keptHeader).max(50).default([]),
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
