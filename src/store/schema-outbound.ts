/**
 * Row types of the outbound tables (migration 0003). `endpoints.secret`,
 * `endpoints.previous_secret` and `endpoints.headers` hold vault envelopes, never plaintext (`headers` is
 * '' for an endpoint without custom headers).
 */
export interface OutboundTables {
  endpoints: EndpointsTable;
  messages: MessagesTable;
  attempts: AttemptsTable;
}

/** Where an environment's events are delivered. */
export interface EndpointsTable {
  id: string;
  environment_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types (exact, or `prefix.*`); null means every type. */
  event_types: string | null;
  /** JSON array of channels; null means every message. A message with channels reaches endpoints sharing one. */
  channels: string | null;
  /** Vault envelope (purpose `endpoint_headers`) of the JSON object of extra request headers. */
  headers: string;
  /** Deliveries per second at most; null means no limit. */
  rate_limit_per_second: number | null;
  /** Deliveries in flight at once. */
  max_concurrency: number;
  /** Vault envelope of the `whsec_…` signing secret. */
  secret: string;
  /** Vault envelope of the secret before the last rotation, still signing until it expires. */
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  enabled: number;
  /** Why it was disabled: `manual`, `gone` (a 410), `failing` (no success for the window). */
  disabled_reason: string | null;
  /** First failed attempt since the last success; null while healthy. */
  failing_since: number | null;
  /** When `endpoint.failing` was emitted for the current failing streak. */
  failing_warned_at: number | null;
  last_success_at: number | null;
  created_at: number;
  updated_at: number;
}

export type MessageStatus = 'pending' | 'succeeded' | 'failed';

/** One event (or API-created message) for one endpoint. */
export interface MessagesTable {
  id: string;
  environment_id: string;
  endpoint_id: string;
  /** Null for messages created through the API. */
  event_id: string | null;
  event_type: string;
  /** JSON array of channels, or null. */
  channels: string | null;
  /** The exact JSON body that is signed and sent: `{ type, timestamp, data }`. */
  payload: string;
  idempotency_key: string | null;
  /** `pending` while attempts remain; `succeeded` after a 2xx; `failed` when the schedule is exhausted or the endpoint is gone. */
  status: MessageStatus;
  attempts: number;
  /** When the next scheduled attempt is due; null when none is scheduled. */
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  created_at: number;
  updated_at: number;
}

export type AttemptTrigger = 'scheduled' | 'manual';

/** One HTTP delivery attempt of a message. */
export interface AttemptsTable {
  id: string;
  environment_id: string;
  message_id: string;
  endpoint_id: string;
  /** 1 for the first attempt. */
  attempt: number;
  trigger: AttemptTrigger;
  status: 'succeeded' | 'failed';
  response_status: number | null;
  /** The start of the response body (at most 4 KiB), for the delivery log. */
  response_body: string | null;
  duration_ms: number;
  /** `timeout`, `network_error`, `ssrf_blocked`, `redirect`, `http_error`… */
  error_code: string | null;
  error_message: string | null;
  created_at: number;
}
