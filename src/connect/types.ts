/**
 * Connect sessions: the host backend lets one end user connect accounts for a short while. The
 * session token (`pb_cst_…`, shown once, stored as a SHA-256 hash) authenticates the connect page
 * and its API calls; it is scoped to one environment.
 */
export interface EndUser {
  id: string;
  email: string | null;
  organization: string | null;
}

export interface ConnectSession {
  id: string;
  environmentId: string;
  endUser: EndUser;
  /** Integration keys the page offers; null means every enabled integration. */
  allowedIntegrations: string[] | null;
  /** Set when the session reconnects this existing connection. */
  connectionId: string | null;
  /** The only origin the connect page posts its result to (the host page's origin). */
  allowedOrigin: string | null;
  /** `connect`: the connect page's session; `hub`: the integrations hub's (see src/hub). */
  purpose: ConnectSessionPurpose;
  /** A hub session's display options, validated by the hub module; null for connect sessions. */
  options: Record<string, unknown> | null;
  expiresAt: number;
  createdAt: number;
}

/** What a session token opens: the connect page or the integrations hub. */
export type ConnectSessionPurpose = 'connect' | 'hub';

export interface CreateConnectSessionInput {
  endUser: { id: string; email?: string | null; organization?: string | null };
  allowedIntegrations?: string[] | null;
  connectionId?: string | null;
  allowedOrigin?: string | null;
  /** Default 30 minutes, at most 24 hours. */
  ttlSeconds?: number;
  /**
   * Default `connect`. A `hub` session offers every enabled integration and reconnects none: the
   * hub checks the plan on each action (what the plan allows changes while the hub is open), so
   * neither `allowedIntegrations` nor `connectionId` may be given and the gate does not narrow it.
   */
  purpose?: ConnectSessionPurpose;
  /** Stored with a hub session and returned as `options` (already validated by the hub). */
  options?: Record<string, unknown> | null;
}

/** An integration the end user's plan keeps a session from offering, and why (a plan refusal). */
export interface LockedIntegration {
  integrationKey: string;
  code: 'plan_upgrade_required' | 'plan_limit_reached';
  /** The refusal's details: the limit, the usage, the plan and the cheapest plan that allows it. */
  details: unknown;
}

/**
 * What a session may offer the end user, decided before it is stored (the plans module
 * implements it): the integrations asked for minus those the plan locks, or a refusal
 * (`plan_upgrade_required`, `plan_limit_reached`) when none asked for is left.
 */
export type ConnectSessionGate = (
  environmentId: string,
  request: {
    endUser: { id: string; email?: string | null; organization?: string | null };
    allowed: string[] | null;
    connectionId: string | null;
  },
) => Promise<{ allowed: string[] | null; locked: LockedIntegration[] | null }>;

export interface ConnectSessionsService {
  /**
   * Throws `not_found` for an unknown integration key or connection id in the environment.
   * `locked` lists what the end user's plan held back; it is absent when no plans apply.
   */
  create(
    environmentId: string,
    input: CreateConnectSessionInput,
  ): Promise<{ session: ConnectSession; token: string; locked?: LockedIntegration[] }>;
  /**
   * The session a token stands for. Throws `connect_session_invalid` (401) for an unknown or
   * malformed token and `connect_session_expired` (401) after expiry.
   */
  authenticate(token: string): Promise<ConnectSession>;
  /** By id, for the OAuth callback (which knows the session from the state); same errors. */
  get(environmentId: string, sessionId: string): Promise<ConnectSession>;
}
