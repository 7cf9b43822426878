import { z } from 'zod';
import { connectionSchema } from './connections.ts';
import { defineOperation } from './operation.ts';
import { cursorAfter, pageLimit, pageOf, timestamp } from './schemas.ts';

export const endUserIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(255)
    .meta({ description: 'Your id of the end user (URL-encoded).', example: 'user_42' }),
});
const planRef = z.object({ key: z.string(), name: z.string() });

/** An end user as the API shows it. */
export const endUserSchema = z
  .object({
    id: z.string().meta({ example: 'user_42' }),
    email: z.string().nullable(),
    name: z.string().nullable(),
    organization: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    planKey: z
      .string()
      .nullable()
      .meta({ description: 'The plan set for the end user; null: the default plan.' }),
    plan: planRef
      .nullable()
      .meta({ description: 'The plan that applies (theirs or the default); null when none does.' }),
    createdAt: timestamp,
    lastSeenAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'EndUser' });

const usageMetric = z.object({ used: z.number().int(), limit: z.number().int().nullable() });

/** One end user's usage and limits in one calendar month (UTC). */
export const usageSchema = z
  .object({
    endUserId: z.string(),
    period: z.string().meta({ example: '2026-12' }),
    periodStart: timestamp,
    periodEnd: timestamp.meta({ description: 'When the quotas reset.' }),
    metrics: z.object({ actionRuns: usageMetric, proxyCalls: usageMetric, syncedRecords: usageMetric }),
    connections: z.object({
      total: z.number().int(),
      active: z.number().int(),
      paused: z.number().int(),
      limit: z.number().int().nullable(),
      perCategory: z.record(z.string(), usageMetric),
    }),
    plan: planRef.nullable(),
  })
  .meta({ id: 'EndUserUsage' });

const endUserFields = {
  email: z.email().max(320).nullable().optional(),
  name: z.string().max(200).nullable().optional(),
  organization: z.string().max(200).nullable().optional(),
  metadata: z.record(z.string().min(1).max(100), z.unknown()).optional().meta({
    description: 'Merged into the stored metadata; `null` removes a key.',
  }),
  planKey: z.string().min(1).max(63).nullable().optional().meta({
    description: 'A plan key, or null for the default plan. A change emits `end_user.plan_changed`.',
  }),
};

export const upsertEndUser = defineOperation({
  id: 'upsertEndUser',
  method: 'POST',
  path: '/v1/end-users',
  summary: 'Create or update an end user',
  description:
    'Keyed by your id: creates the end user (201) or updates the fields given (200). End users are also created on first use, by a connect session or a connection.',
  tag: 'End users',
  auth: 'apiKey',
  body: z.strictObject({ id: z.string().min(1).max(255), ...endUserFields }),
  status: 200,
  alternateStatus: 201,
  response: endUserSchema,
  errors: [],
});

export const listEndUsers = defineOperation({
  id: 'listEndUsers',
  method: 'GET',
  path: '/v1/end-users',
  summary: "List the environment's end users",
  description: 'Ordered by id. `search` matches the start of the id or the email (case-insensitive).',
  tag: 'End users',
  auth: 'apiKey',
  query: z.strictObject({
    search: z.string().min(1).max(255).optional(),
    planKey: z.string().min(1).max(63).optional(),
    after: cursorAfter('end user'),
    limit: pageLimit,
  }),
  status: 200,
  response: pageOf(endUserSchema),
  errors: [],
});

export const getEndUser = defineOperation({
  id: 'getEndUser',
  method: 'GET',
  path: '/v1/end-users/:id',
  summary: 'Get an end user with their connections and usage',
  tag: 'End users',
  auth: 'apiKey',
  params: endUserIdParam,
  status: 200,
  response: endUserSchema
    .extend({
      connections: z.array(
        connectionSchema.extend({
          paused: z
            .boolean()
            .meta({ description: 'Kept but paused because the plan allows fewer connections.' }),
          pausedReason: z.string().nullable(),
        }),
      ),
      usage: usageSchema,
    })
    .meta({ id: 'EndUserDetail' }),
  errors: ['not_found'],
});

export const updateEndUser = defineOperation({
  id: 'updateEndUser',
  method: 'PATCH',
  path: '/v1/end-users/:id',
  summary: 'Update an end user (their plan too)',
  description:
    'Fields given replace; metadata merges. A plan change emits `end_user.plan_changed` and pauses connections over the new limits (the most recently used stay active) or resumes those within them.',
  tag: 'End users',
  auth: 'apiKey',
  params: endUserIdParam,
  body: z.strictObject(endUserFields),
  status: 200,
  response: endUserSchema,
  errors: ['not_found'],
});

export const deleteEndUser = defineOperation({
  id: 'deleteEndUser',
  method: 'DELETE',
  path: '/v1/end-users/:id',
  summary: 'Delete an end user and their connections',
  description:
    'Deletes each connection as `DELETE /v1/connections/{id}` does (revoked at the provider where it can be, `connection.deleted`), then the end user and their usage; emits `end_user.deleted`.',
  tag: 'End users',
  auth: 'apiKey',
  params: endUserIdParam,
  status: 200,
  response: z.object({ id: z.string(), deleted: z.literal(true), connectionsDeleted: z.number().int() }),
  errors: ['not_found'],
});

export const getEndUserUsage = defineOperation({
  id: 'getEndUserUsage',
  method: 'GET',
  path: '/v1/end-users/:id/usage',
  summary: "An end user's usage in a month",
  description:
    'Action runs, proxied calls and synced records of a calendar month (UTC), with the plan’s limits.',
  tag: 'End users',
  auth: 'apiKey',
  params: endUserIdParam,
  query: z.strictObject({
    period: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
      .optional()
      .meta({ description: '`YYYY-MM`; default the current month.' }),
  }),
  status: 200,
  response: usageSchema,
  errors: ['not_found'],
});
