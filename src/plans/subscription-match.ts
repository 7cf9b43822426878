/**
 * What plan-from-subscription rules give an end user, as pure functions of the rules, the plans
 * and the end user's subscription records (no store, no clock).
 *
 * - A rule looks at the end user's records of its integration: an active one (its status in
 *   `activeStatuses`) with one of an entry's `values` at the entry's `path` gives that entry's
 *   plan, the dearest when several do; records that give nothing (canceled, unknown price…)
 *   give the rule's fallback. A rule with no records of the end user gives nothing.
 * - Across rules (a host billing through two providers) the dearest outcome wins.
 * - No outcome at all leaves the end user's plan alone: a plan the host set for someone who never
 *   subscribed (a trial, a partner) is not replaced.
 */
import { scalarText, valuesAt } from '../values/path.ts';
import type { SubscriptionRule } from './subscription-rules.ts';
import type { Plan } from './types.ts';

/** A subscription record of the end user, as a rule reads it. */
export interface SubscriptionFacts {
  id: string;
  data: Record<string, unknown>;
  /** Soft-deleted at the provider: never active. */
  deleted: boolean;
  modifiedAt: number;
}

/** The plan a rule (or the rules) give an end user, and what decided it. */
export interface SubscriptionOutcome {
  /** Null: the environment's default plan. */
  planKey: string | null;
  ruleKey: string;
  integrationKey: string;
  /** The subscription that gave the plan, or (for a fallback) the last one changed. */
  subscriptionId: string | null;
  status: string | null;
  /** True when the plan is the rule's fallback. */
  fallback: boolean;
}

/** The status of a record under the rule, as text (null when absent). */
export function statusOf(rule: SubscriptionRule, record: SubscriptionFacts): string | null {
  return scalarText(valuesAt(record.data, rule.statusPath)[0]) ?? null;
}

/** Whether the record counts as paying under the rule. */
export function isActive(rule: SubscriptionRule, record: SubscriptionFacts): boolean {
  if (record.deleted) return false;
  const status = statusOf(rule, record);
  return status !== null && rule.activeStatuses.includes(status);
}

/** The plan keys the record's entries match (whatever its status). */
export function matchedPlans(rule: SubscriptionRule, record: SubscriptionFacts): string[] {
  const matched: string[] = [];
  for (const entry of rule.plans) {
    const found = valuesAt(record.data, entry.path).map(scalarText);
    if (found.some((value) => value !== undefined && entry.values.includes(value)))
      matched.push(entry.planKey);
  }
  return matched;
}

/**
 * The rank a plan key stands for: its plan's, the default plan's for null, undefined for a key
 * no plan has (a rule naming a deleted plan gives nothing for it).
 */
export function rankOf(plans: readonly Plan[], planKey: string | null): number | undefined {
  const plan =
    planKey === null ? plans.find((candidate) => candidate.isDefault) : plans.find((p) => p.key === planKey);
  if (plan) return plan.rank;
  // No default plan: "the default" is no plan at all, below every plan.
  return planKey === null ? Number.NEGATIVE_INFINITY : undefined;
}

/** What one rule gives an end user with these records of its integration; undefined for no records. */
export function ruleOutcome(
  rule: SubscriptionRule,
  plans: readonly Plan[],
  records: readonly SubscriptionFacts[],
): SubscriptionOutcome | undefined {
  if (records.length === 0) return undefined;
  let best: { outcome: SubscriptionOutcome; rank: number } | undefined;
  for (const record of records) {
    if (!isActive(rule, record)) continue;
    for (const planKey of matchedPlans(rule, record)) {
      const rank = rankOf(plans, planKey);
      if (rank === undefined || (best && best.rank >= rank)) continue;
      best = {
        rank,
        outcome: {
          planKey,
          ruleKey: rule.key,
          integrationKey: rule.integrationKey,
          subscriptionId: record.id,
          status: statusOf(rule, record),
          fallback: false,
        },
      };
    }
  }
  if (best) return best.outcome;
  const latest = records.reduce((a, b) => (b.modifiedAt > a.modifiedAt ? b : a));
  return {
    planKey: rule.fallbackPlanKey,
    ruleKey: rule.key,
    integrationKey: rule.integrationKey,
    subscriptionId: latest.id,
    status: statusOf(rule, latest),
    fallback: true,
  };
}

/**
 * The plan the rules give an end user: the dearest outcome of the rules with records of theirs
 * (a paid plan over any fallback); undefined when no rule has any.
 */
export function derivePlan(
  rules: readonly SubscriptionRule[],
  plans: readonly Plan[],
  recordsOf: (rule: SubscriptionRule) => readonly SubscriptionFacts[],
): SubscriptionOutcome | undefined {
  let best: { outcome: SubscriptionOutcome; rank: number } | undefined;
  for (const rule of rules) {
    const outcome = ruleOutcome(rule, plans, recordsOf(rule));
    if (!outcome) continue;
    const rank = rankOf(plans, outcome.planKey);
    if (rank === undefined) continue;
    // A paid outcome beats a fallback of the same rank (it says why better).
    if (!best || rank > best.rank || (rank === best.rank && best.outcome.fallback && !outcome.fallback)) {
      best = { outcome, rank };
    }
  }
  return best?.outcome;
}
