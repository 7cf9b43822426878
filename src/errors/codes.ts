/**
 * Stable error codes. They appear in API error bodies, in the SDK and in logs; clients branch on
 * them, so a code is never renamed once shipped. Each maps to the HTTP status the API answers with.
 */
export const ERROR_STATUS = {
  // 400
  invalid_request: 400,
  invalid_json: 400,
  /** JSON nested deeper than MAX_JSON_DEPTH (src/values/json-depth.ts) objects and arrays; `details.maxDepth`. */
  json_too_deep: 400,
  invalid_id: 400,
  validation_failed: 400,
  // 401 / 403
  unauthorized: 401,
  invalid_api_key: 401,
  forbidden: 403,
  /** Dashboard sign-in (src/operators): the API key, or the email and password, are not valid. */
  sign_in_failed: 401,
  /** Too many failed dashboard sign-ins for the account or client; `details.retryAfterSeconds`. */
  sign_in_locked: 429,
  /** A state-changing dashboard call without the session's CSRF token (`x-csrf-token`). */
  csrf_token_invalid: 403,
  /**
   * Plans (src/plans): the end user's plan does not include the integration or action asked for;
   * `details` names the limit and `requiredPlan`, the cheapest plan that allows it.
   */
  plan_upgrade_required: 403,
  /** A plan's count limit (connections in all or per category) is reached; `details` has the usage. */
  plan_limit_reached: 403,
  /** A plan's monthly quota (action runs, proxied calls, synced records) is used up until the period ends. */
  quota_exceeded: 403,
  // 404 / 405 / 409
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  // 408 / 413 / 415 / 429 / 431
  /** The request (its headers or body) did not arrive within the server's time limit. */
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  /** The request line and headers are over the server's size limit. */
  headers_too_large: 431,
  // 5xx: only for faults of the engine or its dependencies, never for bad input
  internal_error: 500,
  database_unavailable: 503,
  not_ready: 503,
  // Not HTTP-facing: start-up and operator errors
  config_invalid: 500,
  vault_key_missing: 500,
  vault_key_invalid: 500,
  vault_decrypt_failed: 500,
  migration_failed: 500,
  listen_failed: 500,
  job_not_found: 404,
  job_payload_invalid: 400,
  unknown_job: 400,
  schedule_invalid: 400,
  job_timeout: 500,
  queue_closed: 503,
  // Provider catalog
  provider_not_found: 404,
  provider_definition_invalid: 500,
  template_value_invalid: 400,
  // Auth (src/auth): OAuth flows, key-based modes, install verification
  oauth_state_invalid: 400,
  oauth_state_expired: 400,
  oauth_provider_error: 400,
  oauth_exchange_failed: 400,
  provider_unreachable: 502,
  credentials_rejected: 400,
  install_signature_invalid: 401,
  /** A signed install request whose timestamp is missing or outside its window (a replay). */
  install_timestamp_invalid: 401,
  auth_mode_unsupported: 400,
  // Connect sessions (src/connect/sessions.ts)
  connect_session_invalid: 401,
  connect_session_expired: 401,
  // Token refresh (src/connections/refresh.ts)
  connection_reauth_required: 409,
  refresh_failed: 502,
  // Connect page (src/api/connect/flow*.ts)
  integration_not_allowed: 403,
  // Outbound HTTP and the proxy (src/net, src/proxy); provider_unreachable and
  // connection_reauth_required are declared above and used there too
  ssrf_blocked: 400,
  provider_timeout: 504,
  proxy_header_missing: 400,
  proxy_path_invalid: 400,
  // Events and messages (src/events, src/outbound/messages.ts, dispatcher.ts)
  event_data_invalid: 500,
  event_type_reserved: 400,
  // Inbound provider webhooks (src/inbound)
  webhook_signature_missing: 401,
  webhook_signature_invalid: 401,
  webhook_timestamp_invalid: 401,
  webhook_token_invalid: 401,
  // Inbound verification (src/inbound/verify): a body that does not parse as its declared format
  webhook_payload_invalid: 400,
  inbound_store_unavailable: 503,
  // Scripts: syncs, records, actions, imports (src/syncs, src/actions)
  script_definition_invalid: 500,
  sync_not_found: 404,
  action_not_found: 404,
  /** A provider answered a script's request with a non-2xx status. */
  provider_error: 502,
  /** A provider's answer could not be read (truncated or malformed JSON, a missing results array). */
  provider_response_invalid: 502,
  /** A record a sync produced does not match its model. */
  record_invalid: 502,
  sync_timeout: 504,
  sync_cancelled: 409,
  /** A connection's sync is paused or the connection cannot run it now. */
  sync_unavailable: 409,
  /** A stalled worker's run lock passed to another worker: the stalled one stops without writing. */
  sync_lock_lost: 409,
  /** A sync script threw something that is not a PatchbayError (a bug in the script, or an unexpected answer). */
  script_error: 500,
  /** A script emitted an event of a type scripts cannot emit, or with data that does not match its type. */
  script_event_invalid: 502,
  action_input_invalid: 400,
  action_output_invalid: 502,
  action_timeout: 504,
  idempotency_key_reused: 409,
  mapping_invalid: 400,
  import_not_supported: 400,
  import_file_missing: 400,
  import_format_unsupported: 415,
  import_file_invalid: 400,
  /** An action's script threw something other than a PatchbayError (its message is redacted). */
  action_failed: 502,
  /**
   * An action run was found `running` by a later attempt: its worker stopped mid-call, so whether
   * the provider applied the write is unknown. 409, not 5xx: the outcome is a state conflict the
   * caller must resolve (check the provider) before repeating the write, never a blind retry.
   */
  action_interrupted: 409,
  // Provider webhook subscriptions (src/webhook-subscriptions)
  /** A provider's `webhooks/subscriptions` script answered outside its contract (no id, a list that is not one). */
  webhook_subscription_invalid: 502,
  /** A provider's `webhooks/subscriptions` script threw something other than a PatchbayError (its message is redacted). */
  webhook_subscription_failed: 502,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
