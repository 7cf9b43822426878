import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { cursorAfter, idParam, pageLimit, pageOf, timestamp } from './schemas.ts';

const STATUSES = ['active', 'refreshing', 'reauth_required', 'error', 'disconnected'] as const;

/** A connection as the API shows it: never a credential. */
export const connectionSchema = z
  .object({
    id: z.string().meta({ example: 'conn_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
    environmentId: z.string(),
    integrationId: z.string(),
    integrationKey: z.string().meta({ example: 'gumroad' }),
    provider: z.string().meta({ example: 'gumroad' }),
    endUser: z.object({ id: z.string(), email: z.string().nullable(), organization: z.string().nullable() }),
    status: z.enum(STATUSES),
    connectionConfig: z.record(z.string(), z.string()),
    metadata: z.record(z.string(), z.unknown()),
    expiresAt: timestamp.nullable().meta({
      description:
        "When the connection's credentials expire, if they do: the access token's expiry, or none when the provider's definition says the proxy sends credentials that never expire (`connectionExpiry: 'never'`).",
    }),
    lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
    lastRefreshedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Connection' });

export const listConnections = defineOperation({
  id: 'listConnections',
  method: 'GET',
  path: '/v1/connections',
  summary: "List the environment's connections",
  description: 'Oldest first. Pass `nextAfter` of a page as `after` to get the next one.',
  tag: 'Connections',
  auth: 'apiKey',
  query: z.strictObject({
    integration: z.string().min(1).max(100).optional().meta({ description: 'An integration id or key.' }),
    endUserId: z.string().min(1).max(255).optional(),
    status: z.enum(STATUSES).optional(),
    after: cursorAfter('connection'),
    limit: pageLimit,
  }),
  status: 200,
  response: pageOf(connectionSchema),
  errors: [],
});

export const getConnection = defineOperation({
  id: 'getConnection',
  method: 'GET',
  path: '/v1/connections/:id',
  summary: 'Get a connection',
  tag: 'Connections',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  status: 200,
  response: connectionSchema,
  errors: ['not_found'],
});

export const deleteConnection = defineOperation({
  id: 'deleteConnection',
  method: 'DELETE',
  path: '/v1/connections/:id',
  summary: 'Delete a connection',
  description:
    'Revokes the grant at the provider where the provider supports it (best effort: `revoked` says whether it did), then deletes the credentials and the connection and emits `connection.deleted`.',
  tag: 'Connections',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  status: 200,
  response: z.object({ id: z.string(), deleted: z.literal(true), revoked: z.boolean() }),
  errors: ['not_found'],
});

export const updateConnectionMetadata = defineOperation({
  id: 'updateConnectionMetadata',
  method: 'PATCH',
  path: '/v1/connections/:id/metadata',
  summary: "Merge values into a connection's metadata",
  description: 'Shallow merge: each key given replaces its value; `null` removes the key.',
  tag: 'Connections',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  body: z.record(z.string().min(1).max(100), z.unknown()),
  status: 200,
  response: connectionSchema,
  errors: ['not_found'],
});

export const testConnection = defineOperation({
  id: 'testConnection',
  method: 'POST',
  path: '/v1/connections/:id/test',
  summary: 'Test a connection',
  description:
    "Makes the provider's credential-test call with the connection's credentials. `ok: false` with a code tells why the provider refused.",
  tag: 'Connections',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  status: 200,
  response: z
    .object({
      ok: z.boolean(),
      status: z
        .number()
        .int()
        .nullable()
        .meta({ description: 'The HTTP status the provider answered, if it answered.' }),
      code: z.string().optional(),
      message: z.string().optional(),
    })
    .meta({ id: 'ConnectionTestResult' }),
  errors: ['not_found'],
});
