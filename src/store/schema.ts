import type { Generated } from 'kysely';
import type { ConnectTables } from './schema-connect.ts';
import type { InboundTables } from './schema-inbound.ts';
import type { NotificationTables } from './schema-notifications.ts';
import type { OperatorTables } from './schema-operators.ts';
import type { OutboundTables } from './schema-outbound.ts';
import type { PlanTables } from './schema-plans.ts';
import type { SyncTables } from './schema-syncs.ts';
import type { WebhookSubscriptionTables } from './schema-webhook-subscriptions.ts';

/**
 * Row types of every table, for the one query layer both dialects share. Conventions:
 * - ids are prefixed text (see src/ids), times are integer epoch milliseconds (bigint in
 *   PostgreSQL, parsed back to numbers), JSON is stored as text and parsed by the repository;
 * - every table holding customer data has `environment_id`, and every query filters on it.
 */
export interface Database
  extends ConnectTables,
    OutboundTables,
    InboundTables,
    SyncTables,
    WebhookSubscriptionTables,
    PlanTables,
    NotificationTables,
    OperatorTables {
  schema_migrations: SchemaMigrationsTable;
  environments: EnvironmentsTable;
  api_keys: ApiKeysTable;
  vault_keys: VaultKeysTable;
  jobs: JobsTable;
  schedules: SchedulesTable;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface EnvironmentsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  environment_id: string;
  name: string;
  /** The first characters of the key, shown in listings so a person can tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key, hex: keys are random, so a fast hash is enough and lookups are by index. */
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** One canary per encryption key id: proves at start-up that the configured key is the right one. */
export interface VaultKeysTable {
  kid: string;
  canary: string;
  created_at: number;
}

/**
 * `queued` waits for its run_at (a retry is queued with a later run_at), `active` is leased to a
 * worker, `dead` has used up its attempts and is kept for inspection. A completed job is deleted
 * in the transaction that records its completion, so the table holds only unfinished work.
 */
export type JobState = 'queued' | 'active' | 'dead';

export interface JobsTable {
  id: string;
  name: string;
  environment_id: string | null;
  /** JSON text of the payload as enqueued (validated against the job's schema). */
  payload: string;
  state: JobState;
  /** Lower runs first. */
  priority: number;
  run_at: number;
  /** Claims so far: counted when a worker claims, given back when a worker releases. */
  attempts: number;
  max_attempts: number;
  /** JSON text of the job's backoff policy; null means the queue's default. */
  backoff: string | null;
  dedupe_key: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** A named cron schedule. Due schedules enqueue their job once, then move next_run_at forward. */
export interface SchedulesTable {
  name: string;
  environment_id: string | null;
  cron: string;
  /** IANA time zone the cron expression is read in; null means UTC. */
  timezone: string | null;
  job_name: string;
  /** JSON text of the job's payload. */
  payload: string;
  /** JSON text of the enqueue options (priority, attempts, backoff). */
  options: string;
  enabled: Generated<number>;
  next_run_at: number;
  last_run_at: number | null;
  created_at: number;
  updated_at: number;
}
