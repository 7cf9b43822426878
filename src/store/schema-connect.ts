/**
 * Row types of the connect tables (migration 0002): integrations, connections, connect sessions,
 * OAuth states, the refresh lock, the event outbox and the provider request log. Columns named in
 * ENCRYPTED_COLUMNS (src/vault) hold vault envelopes, never plaintext.
 */
import type { Generated } from 'kysely';

export interface ConnectTables {
  integrations: IntegrationsTable;
  connections: ConnectionsTable;
  connection_locks: ConnectionLocksTable;
  connect_sessions: ConnectSessionsTable;
  hub_settings: HubSettingsTable;
  oauth_states: OAuthStatesTable;
  events: EventsTable;
  request_logs: RequestLogsTable;
}

/** A provider enabled in an environment with the host's own app credentials. */
export interface IntegrationsTable {
  id: string;
  environment_id: string;
  /** The host's name for it, unique in the environment (e.g. `gumroad`, `stripe-eu`). */
  key: string;
  provider: string;
  display_name: string | null;
  client_id: string | null;
  /** Vault envelope (purpose `client_secret`). */
  client_secret: string | null;
  /** Vault envelope (purpose `webhook_secret`). */
  webhook_secret: string | null;
  /** JSON array of scopes; null means the provider's defaults. */
  scopes: string | null;
  /** JSON object: base URL overrides, app-level settings. */
  settings: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export type ConnectionStatus = 'active' | 'refreshing' | 'reauth_required' | 'error' | 'disconnected';

/** One end user's authorized account at one integration. */
export interface ConnectionsTable {
  id: string;
  environment_id: string;
  integration_id: string;
  end_user_id: string;
  end_user_email: string | null;
  end_user_org: string | null;
  status: ConnectionStatus;
  /** Vault envelope (purpose `credentials`) of a JSON object: tokens, keys, expiry. */
  credentials: string | null;
  /** When the access token expires (plaintext, so the refresh job can find what is due). */
  expires_at: number | null;
  /** JSON object: the connection config the provider needs (e.g. `{ "shop": "x.myshopify.com" }`). */
  connection_config: string;
  /** JSON object: non-secret account facts (account id, instance URL…). */
  metadata: string;
  last_error_code: string | null;
  last_error_message: string | null;
  refresh_failures: number;
  last_refreshed_at: number | null;
  created_at: number;
  updated_at: number;
  /** Vault envelope (purpose `connection_webhook_secret`): the key verifying this connection's webhooks. */
  webhook_secret: string | null;
  /** SHA-256 hex of the connection's webhook URL token (unsigned providers), for lookup. */
  webhook_token_hash: string | null;
}

/** The cross-process refresh lease of a connection: released and renewed only by its owner. */
export interface ConnectionLocksTable {
  connection_id: string;
  owner: string;
  expires_at: number;
}

/** A short-lived permission the host backend gives one end user to connect accounts. */
export interface ConnectSessionsTable {
  id: string;
  environment_id: string;
  /** SHA-256 of the session token; the token itself is shown once. */
  token_hash: string;
  end_user_id: string;
  end_user_email: string | null;
  end_user_org: string | null;
  /** JSON array of integration keys, or null for every enabled integration. */
  allowed_integrations: string | null;
  /** Set when the session reconnects an existing connection. */
  connection_id: string | null;
  /** The host page's origin, the only one the connect page posts its result to. */
  allowed_origin: string | null;
  /** `connect` (the connect page) or `hub` (the integrations hub). */
  purpose: Generated<string>;
  /** JSON of a hub session's display options (theme, locale…); null for connect sessions. */
  options: string | null;
  expires_at: number;
  created_at: number;
}

/** What an environment's integrations hub shows besides its integrations. */
export interface HubSettingsTable {
  environment_id: string;
  /** JSON array of provider names the hub lists as coming soon. */
  coming_soon: string;
  /** 1 when end users may edit their connections' field mappings in the hub. */
  editable_mappings: number;
  updated_at: number;
}

/** One pending OAuth authorization: single use, expiring, bound to its connect session. */
export interface OAuthStatesTable {
  /** SHA-256 of the `state` parameter. */
  state_hash: string;
  environment_id: string;
  session_id: string;
  integration_id: string;
  /** Vault envelope (purpose `code_verifier`) of the PKCE verifier. */
  code_verifier: string | null;
  redirect_uri: string;
  /** JSON object: connection config entered before the redirect. */
  connection_config: string;
  expires_at: number;
  consumed_at: number | null;
  created_at: number;
}

/** The outbox: events written in the same transaction as the change that causes them. */
export interface EventsTable {
  id: string;
  environment_id: string;
  type: string;
  /** JSON object. */
  data: string;
  created_at: number;
  /** When the outbound dispatcher fanned it out to endpoints; null until then. */
  dispatched_at: number | null;
}

/** One request the proxy made to a provider: never a secret, never a body. */
export interface RequestLogsTable {
  id: string;
  environment_id: string;
  connection_id: string | null;
  integration_id: string;
  method: string;
  host: string;
  /** Path without the query string (query values may carry secrets). */
  path: string;
  status: number | null;
  duration_ms: number;
  attempt: number;
  error_code: string | null;
  created_at: number;
}
