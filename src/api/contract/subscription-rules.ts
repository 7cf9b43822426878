import { z } from 'zod';
import { subscriptionRuleInputSchema } from '../../plans/schema.ts';
import { defineOperation } from './operation.ts';
import { listOf, timestamp } from './schemas.ts';

const ruleKeyParam = z.object({ key: z.string().min(1).max(63).meta({ example: 'stripe-billing' }) });

/** A plan-from-subscription rule as the API shows it (defaults filled in). */
export const subscriptionRuleSchema = subscriptionRuleInputSchema
  .extend({
    model: z.string(),
    activeStatuses: z.array(z.string()),
    statusPath: z.string(),
    fallbackPlanKey: z.string().nullable(),
    source: z.enum(['api', 'file']).meta({ description: '`file`: owned by the plans file, read-only here.' }),
    version: z.number().int(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'SubscriptionRule' });

export const listSubscriptionRules = defineOperation({
  id: 'listSubscriptionRules',
  method: 'GET',
  path: '/v1/subscription-rules',
  summary: 'List the plan-from-subscription rules',
  description: "The rules that set end users' plans from a billing integration's subscription records.",
  tag: 'Plans',
  auth: 'apiKey',
  status: 200,
  response: listOf(subscriptionRuleSchema),
  errors: [],
});

export const createSubscriptionRule = defineOperation({
  id: 'createSubscriptionRule',
  method: 'POST',
  path: '/v1/subscription-rules',
  summary: 'Create a plan-from-subscription rule',
  description:
    "The plans it names must exist. The end users with subscription records of the rule's integration get their plan derived again, in the background.",
  tag: 'Plans',
  auth: 'apiKey',
  body: subscriptionRuleInputSchema,
  status: 201,
  response: subscriptionRuleSchema,
  errors: ['conflict'],
});

export const getSubscriptionRule = defineOperation({
  id: 'getSubscriptionRule',
  method: 'GET',
  path: '/v1/subscription-rules/:key',
  summary: 'Get a plan-from-subscription rule',
  tag: 'Plans',
  auth: 'apiKey',
  params: ruleKeyParam,
  status: 200,
  response: subscriptionRuleSchema,
  errors: ['not_found'],
});

export const putSubscriptionRule = defineOperation({
  id: 'putSubscriptionRule',
  method: 'PUT',
  path: '/v1/subscription-rules/:key',
  summary: 'Create or replace a plan-from-subscription rule',
  description:
    "A change is a new `version`; the end users with subscription records of the rule's integration get their plan derived again, in the background.",
  tag: 'Plans',
  auth: 'apiKey',
  params: ruleKeyParam,
  body: subscriptionRuleInputSchema.omit({ key: true }),
  status: 200,
  alternateStatus: 201,
  response: subscriptionRuleSchema,
  errors: ['conflict'],
});

export const deleteSubscriptionRule = defineOperation({
  id: 'deleteSubscriptionRule',
  method: 'DELETE',
  path: '/v1/subscription-rules/:key',
  summary: 'Delete a plan-from-subscription rule',
  description: 'End users keep the plans it gave them.',
  tag: 'Plans',
  auth: 'apiKey',
  params: ruleKeyParam,
  status: 200,
  response: z.object({ key: z.string(), deleted: z.literal(true) }),
  errors: ['not_found', 'conflict'],
});
