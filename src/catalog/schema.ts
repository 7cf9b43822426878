/**
 * The provider definition: one strict zod schema composed from the parts in auth.ts,
 * pagination.ts, webhooks.ts, proxy.ts and fields.ts, plus the cross-field checks in
 * references.ts. Unknown keys fail validation everywhere, so a typo is an error, not a no-op.
 */
import { z } from 'zod';
import { authSchema } from './auth.ts';
import { anchoredPattern, category, httpStatus, httpsUrl, slug } from './common.ts';
import { connectionConfigFieldSchema } from './fields.ts';
import { paginationSchema } from './pagination.ts';
import { DEFAULT_RETRY, proxySchema, rateLimitSchema, retrySchema } from './proxy.ts';
import { checkReferences } from './references.ts';
import { webhooksSchema } from './webhooks.ts';

/**
 * An https URL, a base64 data URI (SVG or PNG, at most 64 KiB), or the file name of an SVG in the
 * provider's folder (`logo.svg`; no directories, so it cannot point outside the folder).
 */
export const logoSchema = z.union([
  httpsUrl,
  z
    .string()
    .max(64 * 1024)
    .regex(
      /^data:image\/(?:svg\+xml|png);base64,[A-Za-z0-9+/]+={0,2}$/,
      'expected a base64 SVG or PNG data URI',
    ),
  z.string().regex(/^[a-z0-9][a-z0-9._-]*\.svg$/, 'expected an https URL, a data URI or an .svg file name'),
]);

/**
 * Providers that receive REST-hook subscriptions (Zapier): subscribers register target URLs
 * through Patchbay's API; deliveries go to those URLs; a listed status removes the subscription.
 */
export const restHooksSchema = z.strictObject({
  targetUrlPattern: anchoredPattern,
  removeOnStatus: z.array(httpStatus).min(1).default([410]),
  deliveryFormat: z.enum(['object', 'array']).default('object'),
});

/** Providers without an API whose data arrives as exported reports (Amazon KDP). */
export const reportImportSchema = z.strictObject({
  formats: z.array(z.enum(['csv', 'xlsx'])).min(1),
  /** Where in the provider's UI the report is exported from. */
  source: z.string().min(1).max(300),
});

export const providerDefinitionSchema = z
  .strictObject({
    name: slug,
    displayName: z.string().min(1).max(60),
    /** One sentence for the integration tile. */
    description: z.string().min(1).max(200),
    categories: z
      .array(category)
      .min(1)
      .refine((list) => new Set(list).size === list.length, { message: 'duplicate category' }),
    logo: logoSchema,
    docsUrl: httpsUrl,
    /**
     * Another provider this one is an alternative way of connecting to (stripe-api-key is a
     * variant of stripe): the provider and its variants form a family, which the connect page
     * shows as one tile with a button per way. Families are one level deep: the named provider
     * is not itself a variant.
     */
    variantOf: slug.optional(),
    /**
     * The label of this way of connecting on a family's tile ("Use my own keys"). Default by auth
     * mode, with the family's display name: see `methodLabel` in families.ts.
     */
    methodLabel: z.string().trim().min(1).max(40).optional(),
    auth: authSchema,
    connectionConfig: z.array(connectionConfigFieldSchema).default([]),
    proxy: proxySchema.optional(),
    pagination: paginationSchema.optional(),
    rateLimit: rateLimitSchema.optional(),
    retry: retrySchema.prefault(() => ({ ...DEFAULT_RETRY, retryOn: [...DEFAULT_RETRY.retryOn] })),
    webhooks: webhooksSchema.optional(),
    restHooks: restHooksSchema.optional(),
    reportImport: reportImportSchema.optional(),
  })
  .superRefine((def, ctx) => checkReferences(def, ctx));

/** A validated provider definition (defaults applied). */
export type ProviderDefinition = z.output<typeof providerDefinitionSchema>;
/** What a definition file writes (defaults may be left out). */
export type ProviderDefinitionInput = z.input<typeof providerDefinitionSchema>;

export type { AuthConfig, AuthMode, TokenExchangeSpec } from './auth.ts';
export { AUTH_MODES, authModeSchemas, authSchema } from './auth.ts';
export type { Category } from './common.ts';
export { CATEGORIES } from './common.ts';
export type { ConnectionConfigField, CredentialField, CredentialInput, CredentialTest } from './fields.ts';
export { HMAC_PRESET_NAMES, HMAC_PRESETS, type HmacPresetName } from './hmac-presets.ts';
export { SIGNED_CONTENT_TOKENS } from './hmac-scheme.ts';
export type { Pagination, PaginationType } from './pagination.ts';
export { PAGINATION_TYPES, paginationSchema, paginationSchemas } from './pagination.ts';
export {
  type JsonTemplate,
  type ProviderApiToken,
  providerApiConfigKeys,
  providerApiHeaders,
  providerApiReadsBody,
  providerApiTokens,
  renderTokens,
  templateStrings,
} from './provider-api-scheme.ts';
export type {
  CostBucket,
  CredentialsRejected,
  OAuth1Config,
  ProxyConfig,
  RateLimit,
  Retry,
  ValueCondition,
} from './proxy.ts';
export { DEFAULT_RETRY } from './proxy.ts';
export type {
  WebhookHandshake,
  WebhookRouting,
  WebhookScheme,
  Webhooks,
  WebhookVerification,
} from './webhooks.ts';
export {
  NEVER_KEPT_HEADERS,
  WEBHOOK_SCHEMES,
  webhooksSchema,
  webhookVerificationSchema,
  webhookVerificationSchemas,
} from './webhooks.ts';
