/**
 * Plans and end users: the entitlements an environment's end users have, who has which, and what
 * they used this month. The services here are what the hub page and the notification emails
 * build on (see docs/plans.md).
 */
import type { PlanInput, PlanRules, UsageMetric } from './schema.ts';

/** A plan as stored: its rules, its place in the price order and its version. */
export interface Plan {
  key: string;
  name: string;
  description: string | null;
  rank: number;
  isDefault: boolean;
  rules: PlanRules;
  /** `api`, or `file` when the plans file owns it (the API cannot change it then). */
  source: 'api' | 'file';
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface PlanVersion {
  planKey: string;
  version: number;
  change: 'created' | 'updated' | 'deleted';
  /** The plan as of this version (for `deleted`, as it was before). */
  plan: PlanInput;
  /** An API key id, `file`, or `engine`. */
  actor: string;
  createdAt: number;
}

/** The host's customer in one environment. */
export interface EndUserRecord {
  id: string;
  environmentId: string;
  email: string | null;
  name: string | null;
  organization: string | null;
  metadata: Record<string, unknown>;
  /** The plan set for the end user; null means the environment's default plan. */
  planKey: string | null;
  createdAt: number;
  lastSeenAt: number;
  updatedAt: number;
}

/** What an end user is seen with on first use (connect session, connection). */
export interface EndUserSeen {
  id: string;
  email?: string | null | undefined;
  organization?: string | null | undefined;
}

export interface UpsertEndUserInput extends EndUserSeen {
  name?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** A plan key, or null for the default plan. Left out: unchanged (new end users get the default). */
  planKey?: string | null | undefined;
}

export interface UpdateEndUserInput {
  email?: string | null | undefined;
  name?: string | null | undefined;
  organization?: string | null | undefined;
  /** Shallow merge; null removes a key. */
  metadata?: Record<string, unknown> | undefined;
  planKey?: string | null | undefined;
}

/** Who changed an end user's plan, carried by `end_user.plan_changed` (`api`, `subscription`…). */
export interface PlanChangeSource {
  source: string;
  /** For `subscription`: the rule and the subscription that decided the plan. */
  subscription?: {
    ruleKey: string;
    integrationKey: string;
    subscriptionId: string | null;
    status: string | null;
  };
}

/** One end user's usage in one calendar month (UTC). */
export interface UsageReport {
  endUserId: string;
  /** `YYYY-MM`. */
  period: string;
  periodStart: number;
  periodEnd: number;
  metrics: Record<UsageMetric, { used: number; limit: number | null }>;
  connections: {
    total: number;
    active: number;
    paused: number;
    limit: number | null;
    perCategory: Record<string, { used: number; limit: number | null }>;
  };
  /** The plan the limits come from (null: no plan applies, nothing is limited). */
  plan: { key: string; name: string } | null;
}

/** A plan a refusal points to. */
export interface PlanRef {
  key: string;
  name: string;
  rank: number;
}

/**
 * `details` of `plan_upgrade_required`, `plan_limit_reached` and `quota_exceeded`: what a UI
 * needs to say "Available on Pro" or "You have used your 1,000 calls this month".
 */
export interface PlanRefusalDetails {
  /** `integration`, `action`, `connections`, `category`, `quota` or `paused`. */
  limit: 'integration' | 'action' | 'connections' | 'category' | 'quota' | 'paused';
  endUserId: string;
  plan: PlanRef | null;
  /** The cheapest plan that allows it; null when none does. */
  requiredPlan: PlanRef | null;
  integrationKey?: string;
  category?: string;
  action?: string;
  metric?: UsageMetric;
  connectionId?: string;
  max?: number;
  usage?: number;
  /** For `quota`: when the period ends and the quota resets (ISO 8601). */
  resetsAt?: string;
}

/** An integration a connect session could not offer, and why. */
export interface LockedIntegration {
  integrationKey: string;
  code: 'plan_upgrade_required' | 'plan_limit_reached';
  details: PlanRefusalDetails;
}
