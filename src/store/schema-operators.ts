/**
 * Row types of the operator tables (migration 0016): dashboard operator accounts and the server
 * sessions the dashboard signs in with.
 */
export interface OperatorTables {
  operators: OperatorsTable;
  dashboard_sessions: DashboardSessionsTable;
}

/** A person who signs in to the dashboard with an email and password; not tied to one environment. */
export interface OperatorsTable {
  id: string;
  /** Lower-cased; unique. */
  email: string;
  /** `scrypt$N$r$p$salt$hash` (src/operators/passwords.ts). */
  password_hash: string;
  /** Failed sign-ins since the last success or lockout. */
  failed_attempts: number;
  /** Sign-ins are refused until this time (epoch ms). */
  locked_until: number | null;
  created_at: number;
}

/**
 * One signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a read
 * of this table cannot be replayed as a session.
 */
export interface DashboardSessionsTable {
  /** SHA-256 of the session token, hex. */
  token_hash: string;
  /** The environment every call of this session acts in. */
  environment_id: string;
  /** The API key the session was opened with (it ends when the key is revoked), or null. */
  api_key_id: string | null;
  /** The operator who signed in, or null for a key sign-in. */
  operator_id: string | null;
  /** Sent back in `x-csrf-token` on every state-changing call. */
  csrf_token: string;
  created_at: number;
  expires_at: number;
}
