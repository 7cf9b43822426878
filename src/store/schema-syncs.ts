/**
 * Row types of the sync tables (migrations 0005 and 0006): schedules with checkpoints and run locks, the
 * sync-run log, records, field mappings, the action-run log and the proxy's response cache.
 */
export interface SyncTables {
  sync_schedules: SyncSchedulesTable;
  sync_runs: SyncRunsTable;
  records: RecordsTable;
  records_seen: RecordsSeenTable;
  field_mappings: FieldMappingsTable;
  action_runs: ActionRunsTable;
  response_cache: ResponseCacheTable;
}

/** One sync of one connection: how often it runs, where it stopped, and who runs it now. */
export interface SyncSchedulesTable {
  connection_id: string;
  sync_name: string;
  environment_id: string;
  frequency_ms: number;
  paused: number;
  /** When the scheduler next enqueues a run; null while a run is pending or the schedule is paused. */
  next_run_at: number | null;
  /** JSON of the sync's checkpoint schema; null before the first saved checkpoint or after a full reset. */
  checkpoint: string | null;
  checkpoint_updated_at: number | null;
  last_run_id: string | null;
  last_success_at: number | null;
  /** The run lock: at most one run per (connection, sync), held by `run_owner` until `run_lease_until`. */
  running_run_id: string | null;
  run_owner: string | null;
  run_lease_until: number | null;
  created_at: number;
  updated_at: number;
}

export type SyncRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type SyncRunTrigger = 'schedule' | 'manual' | 'webhook' | 'import';
export type SyncRunMode = 'incremental' | 'full';

/** One run of one sync for one connection. Counts accumulate across the attempts of the run. */
export interface SyncRunsTable {
  id: string;
  environment_id: string;
  connection_id: string;
  sync_name: string;
  trigger: SyncRunTrigger;
  mode: SyncRunMode;
  status: SyncRunStatus;
  /** 1 on the first attempt; a crashed or retried run continues from its checkpoint as attempt 2… */
  attempt: number;
  added: number;
  updated: number;
  deleted: number;
  unchanged: number;
  pages: number;
  error_code: string | null;
  error_message: string | null;
  /** JSON object: per-model counts, an import's row report, … */
  details: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  updated_at: number;
}

/** A normalized record of one model for one connection, keyed by the provider's id. */
export interface RecordsTable {
  connection_id: string;
  model: string;
  external_id: string;
  environment_id: string;
  /** The validated record as JSON. */
  payload: string;
  /** Hash of `payload`: an unchanged record is not written again. */
  hash: string;
  first_seen_at: number;
  /** When it was added, last changed or deleted: the records API's cursor. */
  modified_at: number;
  /** Soft delete: set when the provider deleted it (explicitly, or missing from a full sync). */
  deleted_at: number | null;
  /** The run that last saw it (used by full syncs' delete detection). */
  last_run_id: string | null;
}

/**
 * The ids one batch of a full sync found unchanged (migration 0006): the run's delete detection
 * spares them. Written with the batch, deleted when the run closes.
 */
export interface RecordsSeenTable {
  run_id: string;
  connection_id: string;
  model: string;
  environment_id: string;
  /** JSON array of external ids. */
  ids: string;
}

export type FieldMappingKind = 'model' | 'action';

/** A connection's field mapping for one model (on read) or one action (on input). */
export interface FieldMappingsTable {
  connection_id: string;
  kind: FieldMappingKind;
  /** The model or action name. */
  target: string;
  environment_id: string;
  /** JSON of the mapping (src/syncs/mappings). */
  mapping: string;
  created_at: number;
  updated_at: number;
}

export type ActionRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** One call of an action. */
export interface ActionRunsTable {
  id: string;
  environment_id: string;
  connection_id: string;
  action_name: string;
  mode: 'sync' | 'async';
  status: ActionRunStatus;
  /** The validated input as JSON. */
  input: string;
  output: string | null;
  error_code: string | null;
  error_message: string | null;
  /** JSON: validation issues with field paths, a provider's status. */
  error_details: string | null;
  idempotency_key: string | null;
  /** Hash of action + input: a reused idempotency key with another request is refused. */
  request_hash: string;
  attempt: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  updated_at: number;
  /** What the script last reported with `ctx.progress` (null until it reports). */
  progress_done: number | null;
  progress_total: number | null;
  progress_updated_at: number | null;
}

/** A cached provider GET answer (scripts opt in per request with a TTL). */
export interface ResponseCacheTable {
  /** Hash of environment, connection, method, URL and the request headers that vary the answer. */
  key: string;
  environment_id: string;
  connection_id: string;
  method: string;
  /** The provider URL without credentials (query included), for prefix invalidation. */
  url: string;
  status: number;
  /** JSON object of response headers worth keeping (content-type, …). */
  headers: string;
  /** The body as base64. */
  body: string;
  created_at: number;
  expires_at: number;
}
