/**
 * The connect page's API: what the page served at `/connect` calls with the connect session
 * token of its URL (`Authorization: Bearer pb_cst_…`), never with an API key. Implemented by
 * src/api/connect/flow-api.ts.
 */
import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { timestamp } from './schemas.ts';

// Every answer a session-authenticated route can give besides its own.
const SESSION_ERRORS = [
  'unauthorized',
  'connect_session_invalid',
  'connect_session_expired',
  'rate_limited',
] as const;

const option = z.object({ value: z.string(), label: z.string() });

/** A non-secret value the end user types or picks before connecting (a shop domain, a region). */
export const connectConfigFieldSchema = z
  .object({
    key: z.string(),
    label: z.string(),
    help: z.string().nullable(),
    pattern: z.string().nullable().meta({ description: 'An anchored JavaScript regular expression.' }),
    example: z.string().nullable(),
    required: z.boolean(),
    default: z.string().nullable(),
    options: z.array(option).nullable(),
  })
  .meta({ id: 'ConnectConfigField' });

/** A credential the end user pastes; `secret` ones are shown as password inputs. */
export const connectCredentialFieldSchema = z
  .object({
    key: z.string().meta({
      description:
        'The key of `values`: the field key (api_key), `username`/`password`, `clientId`/`clientSecret`.',
    }),
    label: z.string(),
    secret: z.boolean(),
    required: z.boolean(),
    help: z.string().nullable(),
    pattern: z.string().nullable(),
    example: z.string().nullable(),
  })
  .meta({ id: 'ConnectCredentialField' });

/** An integration the page offers: on a tile of its own, or as one method of a family's tile. */
export const connectIntegrationSchema = z
  .object({
    key: z.string().meta({ example: 'shopify' }),
    provider: z.string().meta({ example: 'shopify' }),
    displayName: z.string(),
    description: z.string(),
    logoUrl: z.string().meta({ description: 'An absolute URL or a data URI.' }),
    authMode: z.enum(['oauth2', 'oauth2_client_credentials', 'api_key', 'basic', 'none']),
    methodLabel: z.string().meta({
      description:
        'The label of its button on a tile that offers several ways to connect: the definition’s `methodLabel`, else by auth mode (`Connect with Stripe`, `Enter API key`).',
      example: 'Use my own keys',
    }),
    connectionConfig: z.array(connectConfigFieldSchema),
    credentialFields: z.array(connectCredentialFieldSchema),
  })
  .meta({ id: 'ConnectIntegration' });

/**
 * One choice on the page. Integrations of one provider family (a provider and its variants, such
 * as stripe and stripe-api-key) share a tile, each a method; any other integration is a tile alone.
 */
export const connectTileSchema = z
  .object({
    key: z.string().meta({
      description: 'The key of the tile’s first integration; unique among the tiles.',
      example: 'stripe',
    }),
    provider: z.string().meta({
      description: 'The family’s provider: the one its variants name in `variantOf`.',
      example: 'stripe',
    }),
    displayName: z.string(),
    description: z.string(),
    logoUrl: z.string().meta({ description: 'An absolute URL or a data URI.' }),
    integrations: z
      .array(z.string())
      .min(1)
      .meta({
        description:
          'Keys of the `integrations` the tile offers, one button each when there are several: the family’s provider first, then its variants by name.',
        example: ['stripe', 'stripe-api-key'],
      }),
  })
  .meta({ id: 'ConnectTile' });

export const connectPageSessionSchema = z
  .object({
    endUser: z.object({ id: z.string() }),
    allowedOrigin: z
      .string()
      .nullable()
      .meta({ description: 'Where the page posts its result; null: it posts nothing.' }),
    expiresAt: timestamp,
    integrations: z.array(connectIntegrationSchema),
    tiles: z.array(connectTileSchema).meta({
      description:
        'How the page groups `integrations`, in the order it shows them; each integration is on exactly one tile.',
    }),
    reconnect: z
      .object({
        connectionId: z.string(),
        integration: z.string(),
        provider: z.string(),
        connectionConfig: z.record(z.string(), z.string()),
      })
      .nullable()
      .meta({ description: 'Set when the session reconnects an existing connection.' }),
  })
  .meta({ id: 'ConnectPageSession' });

const connectionConfigInput = z
  .record(z.string().max(64), z.string().max(2048))
  .default({})
  .meta({ description: 'Values of the integration’s connection config fields, by key.' });

export const getConnectPageSession = defineOperation({
  id: 'getConnectPageSession',
  method: 'GET',
  path: '/connect/api/session',
  summary: 'The connect session, for the connect page',
  description:
    'Authenticated with the connect session token (`Authorization: Bearer pb_cst_…`). The end user, and the integrations offered with their form fields; never a secret.',
  tag: 'Connect page',
  auth: 'connectSession',
  status: 200,
  response: connectPageSessionSchema,
  errors: [...SESSION_ERRORS, 'not_found'],
});

export const startConnectOAuth = defineOperation({
  id: 'startConnectOAuth',
  method: 'POST',
  path: '/connect/api/oauth/start',
  summary: 'Start an OAuth authorization from the connect page',
  description:
    'Authenticated with the connect session token. Returns the provider’s authorization URL (state and PKCE bound to the session) for the page to open in a popup.',
  tag: 'Connect page',
  auth: 'connectSession',
  body: z.strictObject({
    integration: z.string().min(1).max(100).meta({ example: 'shopify' }),
    connectionConfig: connectionConfigInput,
  }),
  status: 200,
  response: z.object({ authorizationUrl: z.string(), expiresAt: timestamp }),
  errors: [...SESSION_ERRORS, 'integration_not_allowed', 'not_found', 'auth_mode_unsupported'],
});

export const connectWithCredentials = defineOperation({
  id: 'connectWithCredentials',
  method: 'POST',
  path: '/connect/api/credentials',
  summary: 'Connect with pasted credentials from the connect page',
  description:
    'Authenticated with the connect session token. Checks the credentials with the provider’s test call, then creates the connection (or replaces the credentials of the session’s reconnect target).',
  tag: 'Connect page',
  auth: 'connectSession',
  body: z.strictObject({
    integration: z.string().min(1).max(100).meta({ example: 'stripe-api-key' }),
    connectionConfig: connectionConfigInput,
    values: z
      .record(z.string().max(64), z.string().max(4096))
      .default({})
      .meta({ description: 'Credential values by field key. Never echoed back or logged.' }),
  }),
  status: 200,
  response: z.object({ connectionId: z.string(), integration: z.string(), provider: z.string() }),
  errors: [
    ...SESSION_ERRORS,
    'integration_not_allowed',
    'not_found',
    'credentials_rejected',
    'provider_unreachable',
    'auth_mode_unsupported',
  ],
});
