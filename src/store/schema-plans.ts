/**
 * Row types of the plans tables (migration 0009): end users, plans with their version log, the
 * monthly usage counters and the connections a plan keeps paused.
 */
export interface PlanTables {
  end_users: EndUsersTable;
  plans: PlansTable;
  plan_versions: PlanVersionsTable;
  usage_counters: UsageCountersTable;
  connection_pauses: ConnectionPausesTable;
  subscription_rules: SubscriptionRulesTable;
}

/** The host's customer, keyed by the host's own id within an environment. */
export interface EndUsersTable {
  environment_id: string;
  /** The host's id for the end user (`connections.end_user_id` holds the same value). */
  id: string;
  email: string | null;
  name: string | null;
  organization: string | null;
  /** JSON object of host values. */
  metadata: string;
  /** Key of the end user's plan; null means the environment's default plan. */
  plan_key: string | null;
  created_at: number;
  last_seen_at: number;
  updated_at: number;
}

/** What a plan entitles an end user to; `definition` is the JSON of the plan's rules. */
export interface PlansTable {
  environment_id: string;
  key: string;
  name: string;
  /** Orders plans from cheapest (lowest) to dearest: refusals name the cheapest plan that allows. */
  rank: number;
  /** 1 for the plan of end users who have none; at most one per environment. */
  is_default: number;
  /** JSON of the rules (integrations, limits, frequency, actions, features, quotas). */
  definition: string;
  /** `api` or `file` (loaded from the plans file at start; the file owns it). */
  source: string;
  version: number;
  created_at: number;
  updated_at: number;
}

/** Every version a plan has had, with who changed it: the audit trail of plan changes. */
export interface PlanVersionsTable {
  environment_id: string;
  plan_key: string;
  version: number;
  /** `created`, `updated` or `deleted`. */
  change: string;
  /** JSON of the whole plan (name, rank, default, rules) as of this version. */
  snapshot: string;
  /** Who made the change: an API key id, `file`, or `engine`. */
  actor: string;
  created_at: number;
}

/** One metric of one end user in one calendar month (UTC), incremented in batches. */
export interface UsageCountersTable {
  environment_id: string;
  end_user_id: string;
  /** `YYYY-MM` (UTC). */
  period: string;
  /** `actionRuns`, `proxyCalls` or `syncedRecords`. */
  metric: string;
  value: number;
  updated_at: number;
}

/** A connection kept but paused because its end user's plan allows fewer connections. */
export interface ConnectionPausesTable {
  connection_id: string;
  environment_id: string;
  end_user_id: string;
  /** Which limit paused it: `connections` or `category:<name>`, or `integration` when the plan no longer has it. */
  reason: string;
  paused_at: number;
}

/** A plan-from-subscription rule (migration 0013); `definition` is its JSON. */
export interface SubscriptionRulesTable {
  environment_id: string;
  key: string;
  integration_key: string;
  definition: string;
  /** `api` or `file` (the plans file owns it). */
  source: string;
  /** 1 at creation, one more at each change. */
  version: number;
  created_at: number;
  updated_at: number;
}
