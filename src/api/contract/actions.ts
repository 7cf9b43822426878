import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { cursorAfter, idParam, pageLimit, pageOf, timestamp } from './schemas.ts';

const STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

/** One call of an action: its validated input, and its output or error once finished. */
export const actionRunSchema = z
  .object({
    id: z.string().meta({ example: 'act_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
    connectionId: z.string(),
    action: z.string().meta({ example: 'create-invoice' }),
    mode: z.enum(['sync', 'async']),
    status: z.enum(STATUSES).meta({
      description:
        '`queued` (async, waiting for a worker), `running`, then `succeeded` or `failed`. A run is called at most once.',
    }),
    input: z.unknown().meta({ description: 'The validated input, after the connection’s field mapping.' }),
    output: z.unknown().meta({ description: 'The validated output; null until the run succeeded.' }),
    error: z
      .object({
        code: z.string().meta({ example: 'provider_error' }),
        message: z.string(),
        details: z.unknown().optional(),
      })
      .nullable()
      .meta({
        description:
          'Why the run failed: `provider_error`, `action_timeout`, `action_output_invalid`, `action_failed`, or `action_interrupted` (the outcome at the provider is unknown: check it before repeating the write).',
      }),
    idempotencyKey: z.string().nullable(),
    attempt: z.number().int().meta({
      description:
        'Executions started: 0 while queued, 1 once running; higher when a resumable action was executed again after its worker stopped.',
    }),
    progress: z
      .object({
        done: z.number().int().meta({ example: 120 }),
        total: z.number().int().nullable().meta({ example: 200 }),
        updatedAt: timestamp,
      })
      .nullable()
      .meta({
        description:
          'How far the run has come, as its script reports it (e.g. buyers invoiced of a rollup); updated about once a second while it runs. Null for actions that report none.',
      }),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    durationMs: z.number().int().nullable(),
  })
  .meta({ id: 'ActionRun' });

export const runAction = defineOperation({
  id: 'runAction',
  method: 'POST',
  path: '/v1/connections/:id/actions/:action',
  summary: 'Run an action on a connection',
  description:
    'Validates `input` (after the connection’s field mapping) against the action’s schema: a mismatch answers 400 `action_input_invalid` with the failing field paths in `details.issues`, and nothing is stored. By default the action runs now and the finished run is answered (200), failed or not. With `async: true` the run is queued and answered at once (202); fetch it later with `GET /v1/action-runs/{id}` or receive its `action.succeeded` / `action.failed` event. With an idempotency key (`Idempotency-Key` header or `idempotencyKey` field) a repeat of the same request answers the first run, whatever its state, without running it again; the same key with another request answers 409 `idempotency_key_reused`.',
  tag: 'Actions',
  auth: 'apiKey',
  params: z.object({
    id: idParam('connection'),
    action: z
      .string()
      .min(1)
      .max(100)
      .meta({ description: 'The action’s name, e.g. `create-invoice`.', example: 'create-invoice' }),
  }),
  body: z.strictObject({
    input: z.record(z.string(), z.unknown()).meta({ description: 'The action’s input.' }),
    async: z.boolean().optional().meta({ description: 'Queue the run and answer 202 at once.' }),
    idempotencyKey: z.string().min(1).max(255).optional(),
  }),
  status: 200,
  alternateStatus: 202,
  response: actionRunSchema,
  errors: [
    'not_found',
    'action_not_found',
    'action_input_invalid',
    'mapping_invalid',
    'idempotency_key_reused',
    'connection_reauth_required',
    'sync_unavailable',
  ],
});

export const getActionRun = defineOperation({
  id: 'getActionRun',
  method: 'GET',
  path: '/v1/action-runs/:id',
  summary: 'Get an action run',
  tag: 'Actions',
  auth: 'apiKey',
  params: z.object({ id: idParam('actionRun') }),
  status: 200,
  response: actionRunSchema,
  errors: ['not_found'],
});

export const listActionRuns = defineOperation({
  id: 'listActionRuns',
  method: 'GET',
  path: '/v1/action-runs',
  summary: 'List action runs',
  description: 'Oldest first. Pass `nextAfter` of a page as `after` to get the next one.',
  tag: 'Actions',
  auth: 'apiKey',
  query: z.strictObject({
    connectionId: z.string().min(1).max(100).optional(),
    action: z.string().min(1).max(100).optional(),
    status: z.enum(STATUSES).optional(),
    after: cursorAfter('action run'),
    limit: pageLimit,
  }),
  status: 200,
  response: pageOf(actionRunSchema),
  errors: [],
});
