/**
 * The integrations hub: hub sessions and the tiles as data (API key), the environment's hub
 * settings, and the hub page's own API (`/hub/api/…`, authenticated with the hub session token).
 * Implemented by src/api/routes/hub.ts and src/api/hub/.
 */
import { z } from 'zod';
import { hubOptionsSchema } from '../../hub/options.ts';
import { endUserIdParam, usageSchema } from './end-users.ts';
import { fieldMappingSchema } from './field-mappings.ts';
import { defineOperation } from './operation.ts';
import { idParam, timestamp } from './schemas.ts';
import { syncRunSchema } from './syncs.ts';

const planRef = z.object({ key: z.string(), name: z.string() });

export const hubLockSchema = z
  .object({
    code: z.enum(['plan_upgrade_required', 'plan_limit_reached']),
    limit: z.string().meta({ description: '`integration`, `connections` or `category`.' }),
    requiredPlan: planRef
      .nullable()
      .meta({ description: 'The cheapest plan that allows it; null when none does.' }),
    category: z.string().nullable(),
    max: z.number().nullable(),
    usage: z.number().nullable(),
  })
  .meta({ id: 'HubLock' });

export const hubConnectionSchema = z
  .object({
    id: z.string(),
    status: z.enum(['active', 'refreshing', 'reauth_required', 'error', 'disconnected']),
    paused: z.boolean().meta({ description: 'Paused by the plan: kept, but its syncs and calls stop.' }),
    pausedReason: z.string().nullable(),
    requiredPlan: planRef.nullable().meta({ description: 'When paused: the plan under which it resumes.' }),
    accountName: z.string().nullable(),
    lastSyncAt: timestamp.nullable(),
    lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
    needsReconnect: z.boolean(),
    createdAt: timestamp,
  })
  .meta({ id: 'HubConnection' });

export const hubTileSchema = z
  .object({
    key: z.string().meta({ description: 'The integration key; a coming-soon tile’s provider name.' }),
    provider: z.string(),
    displayName: z.string(),
    description: z.string(),
    logoUrl: z.string(),
    category: z.string().meta({ description: 'The provider’s first category.' }),
    state: z.enum(['connected', 'available', 'locked', 'coming_soon', 'error']),
    lock: hubLockSchema.nullable().meta({ description: 'Set when `state` is `locked`.' }),
    connections: z.array(hubConnectionSchema),
  })
  .meta({ id: 'HubTile' });

export const hubViewSchema = z
  .object({
    endUserId: z.string(),
    plan: planRef.nullable(),
    categories: z.array(z.object({ category: z.string(), tiles: z.array(hubTileSchema) })),
  })
  .meta({ id: 'Hub' });

export const hubSettingsSchema = z
  .object({
    comingSoon: z.array(z.string()).meta({ description: 'Provider names shown as coming soon.' }),
    editableMappings: z.boolean(),
    updatedAt: timestamp.nullable(),
  })
  .meta({ id: 'HubSettings' });

export const createHubSession = defineOperation({
  id: 'createHubSession',
  method: 'POST',
  path: '/v1/hub/sessions',
  summary: 'Open the integrations hub for one end user',
  description:
    'Called by your backend. Returns a short-lived token for the hub page (`url`, or the SDK’s `openHub({ sessionToken })`): the end user’s integrations as tiles — connected, available, locked by the plan, coming soon, or needing attention. The token is shown once; treat it as a secret until it expires.',
  tag: 'Hub',
  auth: 'apiKey',
  body: z.strictObject({
    endUser: z.strictObject({
      id: z.string().trim().min(1).max(255).meta({ example: 'user_42' }),
      email: z.string().max(320).nullable().optional(),
      organization: z.string().max(255).nullable().optional(),
    }),
    allowedOrigin: z.string().max(300).nullable().optional().meta({
      description:
        'The origin of your page that opens or frames the hub: the only one it posts to (`upgrade_requested`) and may be framed by.',
    }),
    ttlSeconds: z.number().int().min(60).max(86_400).optional().meta({ description: 'Default 1800.' }),
    options: hubOptionsSchema.optional(),
  }),
  status: 201,
  response: z
    .object({
      id: z.string(),
      token: z.string().meta({ description: 'The hub session token (`pb_cst_…`). Shown once.' }),
      expiresAt: timestamp,
      url: z.string().meta({ description: 'The hub page for this session.' }),
    })
    .meta({ id: 'CreatedHubSession' }),
  errors: ['validation_failed', 'not_found'],
});

export const getEndUserHub = defineOperation({
  id: 'getEndUserHub',
  method: 'GET',
  path: '/v1/end-users/:id/hub',
  summary: "An end user's hub tiles, as data",
  description:
    'The tiles the hub page shows, for hosts that draw their own: grouped by category, each in one state with the lock (and the cheapest plan lifting it) or the end user’s connections.',
  tag: 'Hub',
  auth: 'apiKey',
  params: endUserIdParam,
  status: 200,
  response: hubViewSchema,
  errors: ['not_found'],
});

export const getHubSettings = defineOperation({
  id: 'getHubSettings',
  method: 'GET',
  path: '/v1/hub/settings',
  summary: "The environment's hub settings",
  tag: 'Hub',
  auth: 'apiKey',
  status: 200,
  response: hubSettingsSchema,
  errors: [],
});

export const updateHubSettings = defineOperation({
  id: 'updateHubSettings',
  method: 'PATCH',
  path: '/v1/hub/settings',
  summary: "Change the environment's hub settings",
  description:
    '`comingSoon` lists providers (by name) the hub shows as coming soon until an integration of them is enabled; `editableMappings` lets end users edit their connections’ field mappings in the hub.',
  tag: 'Hub',
  auth: 'apiKey',
  body: z.strictObject({
    comingSoon: z
      .array(z.string().min(1).max(64))
      .max(50)
      .optional()
      .meta({ example: ['shopify', 'hubspot'] }),
    editableMappings: z.boolean().optional(),
  }),
  status: 200,
  response: hubSettingsSchema,
  errors: ['validation_failed'],
});

// --- the hub page's API ------------------------------------------------------------------------

const SESSION_ERRORS = [
  'unauthorized',
  'connect_session_invalid',
  'connect_session_expired',
  'rate_limited',
] as const;
const connectionParams = z.object({ id: idParam('connection') });

export const getHubPage = defineOperation({
  id: 'getHubPage',
  method: 'GET',
  path: '/hub/api/session',
  summary: 'The hub, for the hub page',
  description: 'Authenticated with the hub session token. The end user’s tiles and where the page may post.',
  tag: 'Hub page',
  auth: 'connectSession',
  status: 200,
  response: z.object({
    allowedOrigin: z.string().nullable(),
    returnUrl: z.string().nullable(),
    expiresAt: timestamp,
    hub: hubViewSchema,
    usage: usageSchema.meta({ description: 'This month’s usage and limits, shown under the tiles.' }),
  }),
  errors: [...SESSION_ERRORS],
});

export const startHubConnect = defineOperation({
  id: 'startHubConnect',
  method: 'POST',
  path: '/hub/api/connect',
  summary: 'Open the connect page from the hub',
  description:
    'A connect session for one integration, or to reconnect one of the end user’s connections; the page opens `url`. A locked integration is refused with the plan’s code.',
  tag: 'Hub page',
  auth: 'connectSession',
  body: z.strictObject({
    integration: z.string().min(1).max(100),
    connectionId: z.string().max(100).nullable().optional(),
  }),
  status: 200,
  response: z.object({ url: z.string(), expiresAt: timestamp }),
  errors: [
    ...SESSION_ERRORS,
    'not_found',
    'validation_failed',
    'plan_upgrade_required',
    'plan_limit_reached',
  ],
});

export const getHubConnection = defineOperation({
  id: 'getHubConnection',
  method: 'GET',
  path: '/hub/api/connections/:id',
  summary: "A connection's page in the hub",
  description: 'The connection, its recent sync runs and its field mappings.',
  tag: 'Hub page',
  auth: 'connectSession',
  params: connectionParams,
  status: 200,
  response: z.object({
    integrationKey: z.string(),
    provider: z.string(),
    displayName: z.string(),
    logoUrl: z.string(),
    connection: hubConnectionSchema,
    runs: z.array(syncRunSchema),
    mappings: z.array(fieldMappingSchema),
    mappingsEditable: z.boolean(),
  }),
  errors: [...SESSION_ERRORS, 'not_found'],
});

export const testHubConnection = defineOperation({
  id: 'testHubConnection',
  method: 'POST',
  path: '/hub/api/connections/:id/test',
  summary: 'Test a connection from the hub',
  tag: 'Hub page',
  auth: 'connectSession',
  params: connectionParams,
  status: 200,
  response: z.object({
    ok: z.boolean(),
    status: z.number().int().nullable(),
    code: z.string().optional(),
    message: z.string().optional(),
  }),
  errors: [...SESSION_ERRORS, 'not_found'],
});

export const syncHubConnection = defineOperation({
  id: 'syncHubConnection',
  method: 'POST',
  path: '/hub/api/connections/:id/sync',
  summary: "Run a connection's syncs now, from the hub",
  description: 'Queues a run of each scheduled sync; a connection paused by the plan is refused.',
  tag: 'Hub page',
  auth: 'connectSession',
  params: connectionParams,
  status: 200,
  response: z.object({ runIds: z.array(z.string()) }),
  errors: [...SESSION_ERRORS, 'not_found', 'plan_limit_reached'],
});

export const disconnectHubConnection = defineOperation({
  id: 'disconnectHubConnection',
  method: 'DELETE',
  path: '/hub/api/connections/:id',
  summary: 'Disconnect a connection from the hub',
  description: 'As `DELETE /v1/connections/{id}`: revoked at the provider where it can be, then deleted.',
  tag: 'Hub page',
  auth: 'connectSession',
  params: connectionParams,
  status: 200,
  response: z.object({ id: z.string(), deleted: z.literal(true), revoked: z.boolean() }),
  errors: [...SESSION_ERRORS, 'not_found'],
});

const mappingParams = z.object({
  id: idParam('connection'),
  kind: z.enum(['model', 'action']),
  target: z.string().min(1).max(100),
});

export const putHubMapping = defineOperation({
  id: 'putHubMapping',
  method: 'PUT',
  path: '/hub/api/connections/:id/field-mappings/:kind/:target',
  summary: 'Set a field mapping from the hub',
  description: 'Where the environment’s hub settings allow it (`editableMappings`); `forbidden` otherwise.',
  tag: 'Hub page',
  auth: 'connectSession',
  params: mappingParams,
  body: z.unknown(),
  status: 200,
  response: fieldMappingSchema,
  errors: [...SESSION_ERRORS, 'not_found', 'forbidden', 'mapping_invalid'],
});

export const deleteHubMapping = defineOperation({
  id: 'deleteHubMapping',
  method: 'DELETE',
  path: '/hub/api/connections/:id/field-mappings/:kind/:target',
  summary: 'Delete a field mapping from the hub',
  tag: 'Hub page',
  auth: 'connectSession',
  params: mappingParams,
  status: 200,
  response: z.object({ deleted: z.literal(true) }),
  errors: [...SESSION_ERRORS, 'not_found', 'forbidden'],
});
