import { z } from 'zod';
import { planInputSchema, planRulesSchema } from '../../plans/schema.ts';
import { defineOperation } from './operation.ts';
import { listOf, timestamp } from './schemas.ts';

const planKeyParam = z.object({ key: z.string().min(1).max(63).meta({ example: 'pro' }) });

/** A plan as the API shows it. */
export const planSchema = planRulesSchema
  .extend({
    key: z.string().meta({ example: 'pro' }),
    name: z.string().meta({ example: 'Pro' }),
    description: z.string().nullable(),
    rank: z.number().int(),
    default: z.boolean(),
    source: z.enum(['api', 'file']).meta({ description: '`file`: owned by the plans file, read-only here.' }),
    version: z.number().int(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Plan' });

export const planVersionSchema = z
  .object({
    planKey: z.string(),
    version: z.number().int(),
    change: z.enum(['created', 'updated', 'deleted']),
    plan: z.record(z.string(), z.unknown()).meta({ description: 'The plan as of this version.' }),
    actor: z.string().meta({ description: 'The API key id that made the change, or `file`.' }),
    createdAt: timestamp,
  })
  .meta({ id: 'PlanVersion' });

export const listPlans = defineOperation({
  id: 'listPlans',
  method: 'GET',
  path: '/v1/plans',
  summary: "List the environment's plans",
  description: 'Cheapest (lowest `rank`) first. With no plans, nothing is limited.',
  tag: 'Plans',
  auth: 'apiKey',
  status: 200,
  response: listOf(planSchema),
  errors: [],
});

export const createPlan = defineOperation({
  id: 'createPlan',
  method: 'POST',
  path: '/v1/plans',
  summary: 'Create a plan',
  description: 'Version 1 of the plan; emits `plan.updated`.',
  tag: 'Plans',
  auth: 'apiKey',
  body: planInputSchema,
  status: 201,
  response: planSchema,
  errors: ['conflict'],
});

export const getPlan = defineOperation({
  id: 'getPlan',
  method: 'GET',
  path: '/v1/plans/:key',
  summary: 'Get a plan',
  tag: 'Plans',
  auth: 'apiKey',
  params: planKeyParam,
  status: 200,
  response: planSchema,
  errors: ['not_found'],
});

export const putPlan = defineOperation({
  id: 'putPlan',
  method: 'PUT',
  path: '/v1/plans/:key',
  summary: 'Create or replace a plan',
  description:
    'Replaces the whole plan (rules left out allow everything). A change is a new version (`GET …/versions`) and a `plan.updated` event; end users on it are checked again: connections over a lower limit are paused, those within a higher one resumed.',
  tag: 'Plans',
  auth: 'apiKey',
  params: planKeyParam,
  body: planInputSchema.omit({ key: true }),
  status: 200,
  alternateStatus: 201,
  response: planSchema,
  errors: ['conflict'],
});

export const deletePlan = defineOperation({
  id: 'deletePlan',
  method: 'DELETE',
  path: '/v1/plans/:key',
  summary: 'Delete a plan',
  description: 'Refused (`conflict`) while end users are on it. Its versions stay.',
  tag: 'Plans',
  auth: 'apiKey',
  params: planKeyParam,
  status: 200,
  response: z.object({ key: z.string(), deleted: z.literal(true) }),
  errors: ['not_found', 'conflict'],
});

export const listPlanVersions = defineOperation({
  id: 'listPlanVersions',
  method: 'GET',
  path: '/v1/plans/:key/versions',
  summary: "A plan's versions, newest first",
  description: 'The audit trail: every change, who made it and the plan as of it.',
  tag: 'Plans',
  auth: 'apiKey',
  params: planKeyParam,
  status: 200,
  response: listOf(planVersionSchema),
  errors: ['not_found'],
});
