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

/** The plans file: plans for every environment, and per environment name plans that replace them. */
export const plansFileSchema = z.strictObject({
  plans: z.array(planInputSchema).optional(),
  environments: z.record(z.string(), z.strictObject({ plans: z.array(planInputSchema) })).optional(),
});

export type PlansFile = z.output<typeof plansFileSchema>;

/** Metrics counted per end user and month. */
export const USAGE_METRICS = ['actionRuns', 'proxyCalls', 'syncedRecords'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];
