import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { cursorAfter, idParam, listOf, pageLimit, pageOf, timestamp } from './schemas.ts';

const syncName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-_]{0,62}$/)
  .meta({ description: "The sync's name in its provider's folder.", example: 'sales' });
const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
const counts = {
  added: z.number().int(),
  updated: z.number().int(),
  deleted: z.number().int(),
  unchanged: z.number().int(),
};

export const syncScheduleSchema = z
  .object({
    frequencySeconds: z.number().int(),
    paused: z.boolean(),
    nextRunAt: timestamp.nullable().meta({
      description: 'When the scheduler next starts a run; null while paused or for import-only syncs.',
    }),
    lastRunId: z.string().nullable(),
    lastSuccessAt: timestamp.nullable(),
    runningRunId: z.string().nullable().meta({ description: 'The run holding the run lock now, if any.' }),
    hasCheckpoint: z
      .boolean()
      .meta({ description: 'Whether the next incremental run resumes from a checkpoint.' }),
  })
  .meta({ id: 'SyncSchedule' });

export const connectionSyncSchema = z
  .object({
    name: syncName,
    description: z.string(),
    models: z.array(z.string()),
    defaultFrequency: z.string().meta({ example: '1h' }),
    trackDeletes: z.boolean(),
    autoStart: z.boolean(),
    importFormats: z
      .array(z.string())
      .nullable()
      .meta({ description: 'File kinds the sync ingests from uploads, if any.' }),
    schedule: syncScheduleSchema.nullable(),
  })
  .meta({ id: 'ConnectionSync' });

export const syncRunSchema = z
  .object({
    id: z.string().meta({ example: 'run_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
    connectionId: z.string(),
    sync: z.string(),
    trigger: z.enum(['schedule', 'manual', 'webhook', 'import']),
    mode: z.enum(['incremental', 'full']),
    status: z.enum(RUN_STATUSES),
    attempt: z
      .number()
      .int()
      .meta({ description: 'Attempts so far; above 1 the run resumed from its checkpoint after a crash.' }),
    ...counts,
    pages: z.number().int(),
    rejected: z.number().int().meta({
      description: 'Rows of an uploaded report that were refused (see details.import); 0 for other runs.',
    }),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    details: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({ description: "Per-model counts; an import's row report." }),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    durationMs: z.number().int().nullable(),
  })
  .meta({ id: 'SyncRun' });

export const listConnectionSyncs = defineOperation({
  id: 'listConnectionSyncs',
  method: 'GET',
  path: '/v1/connections/:id/syncs',
  summary: "List a connection's syncs and their schedules",
  tag: 'Syncs',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  status: 200,
  response: listOf(connectionSyncSchema),
  errors: ['not_found'],
});

export const triggerSync = defineOperation({
  id: 'triggerSync',
  method: 'POST',
  path: '/v1/connections/:id/syncs/:sync/trigger',
  summary: 'Start a sync run now',
  description:
    'Queues a run. At most one run of a sync per connection is pending or running: while one is, this returns it (`created: false`). `mode: "full"` lists everything again from scratch (and detects deletes when the sync tracks them). A connection its plan keeps paused is refused with `403 plan_limit_reached` (`details.limit: "paused"`).',
  tag: 'Syncs',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection'), sync: syncName }),
  body: z.strictObject({ mode: z.enum(['incremental', 'full']).optional() }).optional(),
  status: 202,
  response: z.object({ runId: z.string(), created: z.boolean() }),
  errors: [
    'not_found',
    'sync_not_found',
    'connection_reauth_required',
    'import_not_supported',
    'conflict',
    'plan_limit_reached',
  ],
});

export const updateSync = defineOperation({
  id: 'updateSync',
  method: 'PATCH',
  path: '/v1/connections/:id/syncs/:sync',
  summary: "Pause, resume or change the frequency of a connection's sync",
  tag: 'Syncs',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection'), sync: syncName }),
  body: z
    .strictObject({
      paused: z.boolean().optional(),
      frequency: z
        .string()
        .min(2)
        .max(20)
        .optional()
        .meta({ description: 'e.g. `15m`, `1h`, `1d`; at least one minute.', example: '1h' }),
    })
    .refine((body) => body.paused !== undefined || body.frequency !== undefined, {
      message: 'give paused, frequency or both',
    }),
  status: 200,
  response: syncScheduleSchema,
  errors: ['not_found', 'sync_not_found'],
});

export const listSyncRuns = defineOperation({
  id: 'listSyncRuns',
  method: 'GET',
  path: '/v1/sync-runs',
  summary: 'List sync runs',
  description: 'Newest first. Pass `nextAfter` of a page as `after` to get the next one.',
  tag: 'Syncs',
  auth: 'apiKey',
  query: z.strictObject({
    connectionId: z.string().min(1).max(100).optional(),
    sync: syncName.optional(),
    status: z.enum(RUN_STATUSES).optional(),
    after: cursorAfter('sync run'),
    limit: pageLimit,
  }),
  status: 200,
  response: pageOf(syncRunSchema),
  errors: [],
});

export const getSyncRun = defineOperation({
  id: 'getSyncRun',
  method: 'GET',
  path: '/v1/sync-runs/:id',
  summary: 'Get a sync run',
  tag: 'Syncs',
  auth: 'apiKey',
  params: z.object({ id: idParam('syncRun') }),
  status: 200,
  response: syncRunSchema,
  errors: ['not_found'],
});
