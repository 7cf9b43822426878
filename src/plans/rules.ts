/**
 * What a plan allows, as pure functions of the plan and the facts (no store, no clock): which
 * integrations and actions, how many connections in all and per category, how fast syncs run,
 * and the refusals with the cheapest plan that would allow what was refused.
 */
import { PatchbayError } from '../errors/index.ts';
import { parseDuration } from '../scripting/duration.ts';
import type { UsageMetric } from './schema.ts';
import type { Plan, PlanRef, PlanRefusalDetails } from './types.ts';

/** An integration as the rules see it: its key and its provider's categories. */
export interface IntegrationFacts {
  key: string;
  categories: readonly string[];
}

/** True when the plan may use the integration (listed by key, or by one of its categories). */
export function integrationAllowed(plan: Plan, integration: IntegrationFacts): boolean {
  const rule = plan.rules.integrations;
  if (rule === undefined || rule === 'all') return true;
  if (rule.keys?.includes(integration.key)) return true;
  return integration.categories.some((category) => rule.categories?.includes(category as never) ?? false);
}

/** True when the plan may run `action` of the integration `integrationKey`. */
export function actionAllowed(plan: Plan, integrationKey: string, action: string): boolean {
  const rule = plan.rules.actions;
  if (rule === undefined || rule === 'all') return true;
  return rule.includes(action) || rule.includes(`${integrationKey}:${action}`);
}

/** Which count limit one more connection of `adding` would break, given the kept ones; null if none. */
export function connectionLimitBroken(
  plan: Plan,
  kept: readonly IntegrationFacts[],
  adding: IntegrationFacts,
):
  | { limit: 'connections'; max: number; usage: number }
  | { limit: 'category'; category: string; max: number; usage: number }
  | null {
  const max = plan.rules.limits?.connections;
  if (max !== undefined && max !== null && kept.length + 1 > max) {
    return { limit: 'connections', max, usage: kept.length };
  }
  const perCategory = plan.rules.limits?.perCategory ?? {};
  for (const category of adding.categories) {
    const categoryMax = (perCategory as Record<string, number | undefined>)[category];
    if (categoryMax === undefined) continue;
    const usage = kept.filter((facts) => facts.categories.includes(category)).length;
    if (usage + 1 > categoryMax) return { limit: 'category', category, max: categoryMax, usage };
  }
  return null;
}

/** The plan's shortest sync frequency in milliseconds, or 0 when it sets none. */
export function frequencyFloorMs(plan: Plan | null): number {
  const text = plan?.rules.minSyncFrequency;
  return text ? parseDuration(text) : 0;
}

/** The plan's monthly quota of a metric; null is unlimited. */
export function quotaOf(plan: Plan | null, metric: UsageMetric): number | null {
  return plan?.rules.quotas?.[metric] ?? null;
}

/** The connection limit of the plan, in all; null is unlimited. */
export function connectionsLimit(plan: Plan | null): number | null {
  return plan?.rules.limits?.connections ?? null;
}

/** The cheapest plan (lowest rank, then key) for which `allows` holds; null when none does. */
export function cheapestPlan(plans: readonly Plan[], allows: (plan: Plan) => boolean): PlanRef | null {
  const found = [...plans].sort(byRank).find(allows);
  return found ? planRef(found) : null;
}

export function byRank(a: Plan, b: Plan): number {
  return a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export function planRef(plan: Plan): PlanRef {
  return { key: plan.key, name: plan.name, rank: plan.rank };
}

/** The 403 a plan refusal answers with; the message ends naming the plan to upgrade to, if any. */
export function planRefusal(
  code: 'plan_upgrade_required' | 'plan_limit_reached' | 'quota_exceeded',
  message: string,
  details: PlanRefusalDetails,
): PatchbayError {
  const upgrade = details.requiredPlan
    ? ` The ${details.requiredPlan.name} plan (${details.requiredPlan.key}) allows it.`
    : '';
  return new PatchbayError(code, `${message}${upgrade}`, { details });
}

/** How a plan is named in a message. */
export function planName(plan: Plan | null): string {
  return plan ? `the ${plan.name} plan` : 'no plan';
}
