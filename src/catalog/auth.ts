/**
 * Auth modes of a provider definition: a zod discriminated union on `mode`, and the registry of
 * mode → schema it is built from. The auth module keys its strategies by the same modes, so
 * TypeScript flags a mode without a strategy.
 */
import { z } from 'zod';
import {
  anchoredPattern,
  headerName,
  jsonPath,
  paramName,
  seconds,
  textTemplate,
  urlTemplate,
  variableName,
} from './common.ts';
import { credentialFieldSchema, credentialInputSchema, credentialTestSchema } from './fields.ts';

const tokenEndpointAuth = z.enum(['client_secret_basic', 'client_secret_post']);
const scopeList = z.array(z.string().regex(/^\S+$/, 'a scope has no whitespace')).default([]);

/** Parameters the auth module sets itself; a definition may not override them. */
export const RESERVED_AUTHORIZATION_PARAMS = [
  'client_id',
  'redirect_uri',
  'state',
  'response_type',
  'scope',
  'code_challenge',
  'code_challenge_method',
] as const;

/**
 * A value kept from the token exchange as connection metadata, e.g. Stripe's `stripe_user_id`.
 * `secret` marks a derived credential (Messenger's page access token): stored encrypted with the
 * credentials, never shown, never allowed in a URL.
 */
const metadataField = z.strictObject({
  path: jsonPath,
  /** A realistic value, used by contract tests to render templates that use this field. */
  example: z.string().min(1),
  secret: z.boolean().default(false),
});

export const connectionMetadataSchema = z
  .strictObject({
    /** Fields read from the token response (Slack `team.id`, Salesforce `instance_url`). */
    tokenResponse: z.record(variableName, metadataField).optional(),
    /** One request made right after the token exchange (Mailchimp's metadata endpoint). */
    request: z
      .strictObject({
        method: z.enum(['GET', 'POST']).default('GET'),
        url: urlTemplate,
        headers: z.record(headerName, textTemplate).default({}),
        fields: z.record(variableName, metadataField),
      })
      .optional(),
  })
  .refine((m) => m.tokenResponse !== undefined || m.request !== undefined, {
    message: 'declare tokenResponse fields, a request, or leave connectionMetadata out',
  });

/**
 * How to revoke when it is not RFC 7009 (`token=…` posted to revokeUrl with client auth): each
 * value is a template over the connection's values, sent exactly as written.
 */
export const revokeRequestSchema = z.strictObject({
  method: z.enum(['POST', 'DELETE']).default('POST'),
  format: z.enum(['form', 'json', 'none']).default('form'),
  body: z.record(z.string().min(1), textTemplate).default({}),
  headers: z.record(headerName, textTemplate).default({}),
});

/**
 * A Shopify-style install: the provider opens the app with `?shop=…&hmac=…&timestamp=…`; the
 * hmac is HMAC-SHA256 (client secret as key) of the other query parameters sorted by name and
 * joined as `k=v&…`. The shop domain is checked against `shopPattern` and stored in `configKey`.
 */
export const installSchema = z.strictObject({
  configKey: variableName,
  shopParam: paramName.default('shop'),
  shopPattern: anchoredPattern,
  hmacParam: paramName.default('hmac'),
  hmacEncoding: z.enum(['hex', 'base64']).default('hex'),
  timestampParam: paramName.default('timestamp'),
  /**
   * Refuse install requests whose signed timestamp is older than this many seconds (or more than
   * a minute ahead of the clock), so a captured install URL cannot be replayed. Always applied.
   */
  tolerance: seconds.default(300),
});

export const tokenResponseSchema = z.strictObject({
  accessTokenPath: jsonPath.default('access_token'),
  refreshTokenPath: jsonPath.default('refresh_token'),
  expiresInPath: jsonPath.default('expires_in'),
  /** For providers that send an absolute expiry (Square's ISO-8601 `expires_at`). */
  expiresAtPath: jsonPath.optional(),
  scopePath: jsonPath.default('scope'),
  /** For providers that answer errors with HTTP 200 and `ok: false` (Slack). */
  okPath: jsonPath.optional(),
});

/**
 * A second token request made right after the code exchange, for providers whose authorization
 * code yields a short-lived token to trade for a longer-lived one (Facebook's
 * `grant_type=fb_exchange_token`). Its answer, read by its own `tokenResponse` paths, replaces the
 * token set of the code exchange — access token, expiry, refresh token, scope — before the
 * metadata request runs: the first token is used for this request only and never stored.
 *
 * Query, body and header values are templates over the connection config, `clientId`,
 * `clientSecret` and `accessToken` (the code exchange's token). Secrets may go in the query here,
 * because the provider documents the call that way: the auth module sends it with its own
 * client, never through the proxy or its request log, and no error or log line carries its URL.
 */
export const tokenExchangeSchema = z
  .strictObject({
    method: z.enum(['GET', 'POST']).default('GET'),
    url: urlTemplate,
    query: z.record(paramName, textTemplate).default({}),
    /** POST only: sent as a form (`format: 'form'`) or a JSON object. */
    body: z.record(paramName, textTemplate).default({}),
    format: z.enum(['form', 'json']).default('form'),
    headers: z.record(headerName, textTemplate).default({}),
    tokenResponse: tokenResponseSchema.prefault({}),
  })
  .superRefine((exchange, ctx) => {
    if (exchange.method === 'GET' && Object.keys(exchange.body).length > 0) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'a GET request has no body; use query' });
    }
  });

/**
 * Whose expiry the connection's credentials follow. `access_token`: the token response's (the
 * usual case). `never`: the proxy sends only derived credentials that do not expire (Messenger's
 * Page token read with a long-lived user token), so the user token's own expiry is not the
 * connection's: the connection is stored without one, and is neither refreshed ahead of time nor
 * treated as expired. Such a definition must not send `${accessToken}` through the proxy, and has
 * no refresh to do; when the provider later refuses the derived credential, the proxy's
 * `credentialsRejected` rule is what marks the connection `reauth_required`.
 */
export const CONNECTION_EXPIRY = ['access_token', 'never'] as const;

export const oauth2Schema = z
  .strictObject({
    mode: z.literal('oauth2'),
    authorizationUrl: urlTemplate,
    tokenUrl: urlTemplate,
    /**
     * The authorization server's issuer identifier (RFC 8414 `issuer`), compared exactly with the
     * `iss` of an authorization response (RFC 9207). Default: the origin of authorizationUrl,
     * which is the issuer of most servers (`https://accounts.google.com`).
     */
    issuer: urlTemplate.optional(),
    revokeUrl: urlTemplate.optional(),
    revokeRequest: revokeRequestSchema.optional(),
    defaultScopes: scopeList,
    scopeSeparator: z.string().min(1).max(3).default(' '),
    tokenEndpointAuth: tokenEndpointAuth.default('client_secret_post'),
    tokenRequestFormat: z.enum(['form', 'json']).default('form'),
    pkce: z.boolean().default(false),
    /** Extra authorization-request parameters, e.g. Google's `access_type: 'offline'`. */
    authorizationParams: z.record(paramName, z.string()).default({}),
    /** Whether the provider issues refresh tokens that the engine uses before expiry. */
    refresh: z.boolean(),
    /** Lifetime to assume when the token response has no expiry (seconds). */
    tokenExpiresInDefault: seconds.optional(),
    /** Whether each refresh returns a new refresh token that replaces the old one. */
    rotatesRefreshToken: z.boolean().default(false),
    tokenResponse: tokenResponseSchema.prefault({}),
    /** Trades the code exchange's token for another before anything is stored (see tokenExchangeSchema). */
    tokenExchange: tokenExchangeSchema.optional(),
    /** Whose expiry the connection follows (see CONNECTION_EXPIRY). */
    connectionExpiry: z.enum(CONNECTION_EXPIRY).default('access_token'),
    connectionMetadata: connectionMetadataSchema.optional(),
    install: installSchema.optional(),
  })
  .superRefine((auth, ctx) => {
    for (const key of Object.keys(auth.authorizationParams)) {
      if ((RESERVED_AUTHORIZATION_PARAMS as readonly string[]).includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['authorizationParams', key],
          message: 'is set by the auth module; use defaultScopes for scopes',
        });
      }
    }
    if (auth.revokeRequest && !auth.revokeUrl) {
      ctx.addIssue({ code: 'custom', path: ['revokeRequest'], message: 'needs revokeUrl' });
    }
    if (auth.connectionExpiry === 'never' && auth.refresh) {
      ctx.addIssue({
        code: 'custom',
        path: ['connectionExpiry'],
        message:
          "credentials that never expire have nothing to refresh: set refresh: false, or use 'access_token'",
      });
    }
  });

export const oauth2ClientCredentialsSchema = z
  .strictObject({
    mode: z.literal('oauth2_client_credentials'),
    tokenUrl: urlTemplate,
    scopes: scopeList,
    scopeSeparator: z.string().min(1).max(3).default(' '),
    tokenEndpointAuth: tokenEndpointAuth.default('client_secret_basic'),
    tokenRequestFormat: z.enum(['form', 'json']).default('form'),
    /** `connection`: each end user pastes their own client id/secret (PayPal REST apps). */
    credentialsFrom: z.enum(['connection', 'integration']).default('connection'),
    clientIdInput: credentialInputSchema.optional(),
    clientSecretInput: credentialInputSchema.optional(),
    tokenExpiresInDefault: seconds.optional(),
    test: credentialTestSchema.optional(),
  })
  .superRefine((auth, ctx) => {
    if (auth.credentialsFrom === 'connection' && (!auth.clientIdInput || !auth.clientSecretInput)) {
      ctx.addIssue({
        code: 'custom',
        path: ['credentialsFrom'],
        message: 'connection credentials need clientIdInput and clientSecretInput labels',
      });
    }
  });

export const apiKeySchema = z
  .strictObject({
    mode: z.literal('api_key'),
    /** What the end user pastes; each secret field must be sent by the proxy (header, query or basic). */
    fields: z.array(credentialFieldSchema).min(1),
    test: credentialTestSchema,
  })
  .superRefine((auth, ctx) => {
    const seen = new Set<string>();
    auth.fields.forEach((field, index) => {
      if (seen.has(field.key))
        ctx.addIssue({ code: 'custom', path: ['fields', index, 'key'], message: 'duplicate key' });
      seen.add(field.key);
    });
  });

export const basicSchema = z.strictObject({
  mode: z.literal('basic'),
  username: credentialInputSchema,
  /** Leave out for APIs that take the key as the username and an empty password. */
  password: credentialInputSchema.optional(),
  test: credentialTestSchema,
});

export const noneSchema = z.strictObject({ mode: z.literal('none') });

/** The registry of auth modes: one schema per mode. */
export const authModeSchemas = {
  oauth2: oauth2Schema,
  oauth2_client_credentials: oauth2ClientCredentialsSchema,
  api_key: apiKeySchema,
  basic: basicSchema,
  none: noneSchema,
} as const;

export type AuthMode = keyof typeof authModeSchemas;
export const AUTH_MODES = Object.keys(authModeSchemas) as AuthMode[];

export const authSchema = z.discriminatedUnion('mode', [
  oauth2Schema,
  oauth2ClientCredentialsSchema,
  apiKeySchema,
  basicSchema,
  noneSchema,
]);

/** The auth block of a definition, optionally narrowed to one mode. */
export type AuthConfig<M extends AuthMode = AuthMode> = z.output<(typeof authModeSchemas)[M]>;
export type OAuth2Install = z.output<typeof installSchema>;
export type RevokeRequest = z.output<typeof revokeRequestSchema>;
export type ConnectionMetadataSpec = z.output<typeof connectionMetadataSchema>;
export type TokenExchangeSpec = z.output<typeof tokenExchangeSchema>;
