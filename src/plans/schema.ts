/**
 * A plan as data: what the API accepts and the plans file holds. Only zod here, so the API
 * contract (and through it the browser-safe SDK) can import it.
 */
import { z } from 'zod';
import { CATEGORIES } from '../catalog/common.ts';

// Units in decreasing order, each at most once (the grammar of src/scripting/duration.ts).
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1_000] as const;
const YEAR_MS = 365 * 86_400_000;

/** A duration scripts' frequencies accept (src/scripting/duration.ts): above zero, at most a year. */
function isFrequency(text: string): boolean {
  const match = DURATION.exec(text);
  if (!match || text === '') return false;
  const ms = UNIT_MS.reduce((sum, unit, index) => sum + Number(match[index + 1] ?? 0) * unit, 0);
  return ms > 0 && ms <= YEAR_MS;
}

const planKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _, starting with a letter or digit')
  .meta({ example: 'pro' });
const count = z.number().int().min(0).max(1_000_000_000);
const quota = count
  .nullable()
  .optional()
  .meta({ description: 'Per calendar month (UTC); absent or null: unlimited.' });
const category = z.enum(CATEGORIES);
const integrationKey = z.string().min(1).max(100);

/** Which integrations a plan may use: all, or those listed by key or by provider category. */
const integrationsRule = z.union([
  z.literal('all'),
  z.strictObject({
    keys: z.array(integrationKey).max(500).optional(),
    categories: z.array(category).max(CATEGORIES.length).optional(),
  }),
]);

/** `create-invoice` (of any integration) or `stripe:create-invoice` (of one integration key). */
const actionRef = z
  .string()
  .regex(/^([a-z0-9][a-z0-9_-]*:)?[a-z0-9][a-z0-9_.-]*$/i)
  .max(200);

/** The rules of a plan. Everything left out allows everything (an unlimited plan is `{}`). */
export const planRulesSchema = z.strictObject({
  integrations: integrationsRule.optional().meta({
    description:
      '`all` (the default), or `{ keys, categories }`: integration keys and provider categories allowed.',
  }),
  limits: z
    .strictObject({
      connections: count
        .nullable()
        .optional()
        .meta({ description: 'Connections in all; absent or null: unlimited.' }),
      perCategory: z
        .partialRecord(category, count)
        .optional()
        .meta({ description: 'Connections per provider category, e.g. `{ "payments": 1 }`.' }),
    })
    .optional(),
  minSyncFrequency: z
    .string()
    .max(40)
    .refine(isFrequency, 'write it like 15m, 1h or 1d: longer than zero, at most a year')
    .nullable()
    .optional()
    .meta({
      description: 'The shortest sync frequency, e.g. `1d`: faster schedules run at this pace.',
      example: '1h',
    }),
  actions: z
    .union([z.literal('all'), z.array(actionRef).max(500)])
    .optional()
    .meta({ description: '`all` (the default) or action names, optionally `integrationKey:action`.' }),
  features: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/i), z.boolean())
    .optional()
    .meta({ description: 'Flags the host reads (e.g. `customWebhookEndpoints`).' }),
  quotas: z
    .strictObject({ actionRuns: quota, proxyCalls: quota, syncedRecords: quota })
    .optional()
    .meta({ description: 'Monthly quotas; each absent or null is unlimited.' }),
});

export type PlanRules = z.output<typeof planRulesSchema>;

/** A plan as created or replaced (through the API or the plans file). */
export const planInputSchema = planRulesSchema.extend({
  key: planKey,
  name: z.string().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  rank: z.number().int().min(0).max(1_000_000).meta({
    description:
      'Orders plans from cheapest (lowest) to dearest; refusals name the cheapest plan that allows.',
  }),
  default: z
    .boolean()
    .optional()
    .meta({ description: 'The plan of end users who have none (at most one per environment).' }),
});

export type PlanInput = z.output<typeof planInputSchema>;

/** Subscription statuses that count as paying unless a rule says otherwise. */
export const DEFAULT_ACTIVE_STATUSES = ['active', 'trialing'] as const;

/** A dot path into a record (`items.priceId`, `raw.plan.id`); arrays fan out. */
const recordPath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dot path such as items.priceId or raw.plan.id');

/**
 * Which end user a subscription record belongs to: the connection's own end user, the end user
 * whose id is in a metadata key of the subscription (or of its customer), or the end users whose
 * email is the customer's.
 */
const subscriptionOwner = z.discriminatedUnion('from', [
  z.strictObject({ from: z.literal('connection') }),
  z.strictObject({
    from: z.literal('metadata'),
    key: z.string().min(1).max(100).meta({ example: 'patchbayEndUserId' }),
  }),
  z.strictObject({ from: z.literal('customerEmail') }),
]);

/**
 * A plan-from-subscription rule: how one billing integration's subscription records set end
 * users' plans. Only zod here (see the top of this file).
 */
export const subscriptionRuleInputSchema = z.strictObject({
  key: planKey.meta({ example: 'stripe-billing' }),
  integrationKey: integrationKey.meta({
    description: "The billing integration whose connections' records are read.",
    example: 'stripe',
  }),
  model: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,62}$/)
    .optional()
    .meta({ description: 'The record model holding subscriptions. Default `subscriptions`.' }),
  endUser: subscriptionOwner.meta({
    description:
      'Whose plan a subscription sets: `{ "from": "connection" }` (the connection\'s end user), `{ "from": "metadata", "key": "…" }` (the end user id in that metadata key of the subscription, else of its customer record), or `{ "from": "customerEmail" }` (end users with the email of its customer record).',
  }),
  activeStatuses: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(20)
    .optional()
    .meta({ description: 'Statuses that count as paying. Default `["active", "trialing"]`.' }),
  statusPath: recordPath.optional().meta({ description: 'Where the status is. Default `status`.' }),
  plans: z
    .array(
      z.strictObject({
        planKey,
        path: recordPath.meta({ example: 'items.priceId' }),
        values: z
          .array(z.string().min(1).max(200))
          .min(1)
          .max(100)
          .meta({ example: ['price_pro_monthly'] }),
      }),
    )
    .min(1)
    .max(100)
    .meta({
      description:
        'An active subscription with any of `values` at `path` gives `planKey`; when several match, the dearest plan (highest rank) wins.',
    }),
  fallbackPlanKey: planKey.nullable().optional().meta({
    description:
      'The plan of an end user whose subscriptions here match no entry or are not active (canceled, unpaid…); null or absent: the default plan.',
  }),
});

export type SubscriptionRuleInput = z.output<typeof subscriptionRuleInputSchema>;

/** The plans and subscription rules of one environment in the plans file. */
const fileEnvironment = z.strictObject({
  plans: z.array(planInputSchema).optional(),
  subscriptionRules: z.array(subscriptionRuleInputSchema).optional(),
});

/**
 * The plans file: plans and subscription rules for every environment, and per environment name
 * lists that replace them.
 */
export const plansFileSchema = z.strictObject({
  plans: z.array(planInputSchema).optional(),
  subscriptionRules: z.array(subscriptionRuleInputSchema).optional(),
  environments: z.record(z.string(), fileEnvironment).optional(),
});

export type PlansFile = z.output<typeof plansFileSchema>;

/** Metrics counted per end user and month. */
export const USAGE_METRICS = ['actionRuns', 'proxyCalls', 'syncedRecords'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];
