import type { Environment } from '../environments/index.ts';

/** A dashboard operator account, as listed (never with its password hash). */
export interface Operator {
  id: string;
  email: string;
  createdAt: number;
}

/** A signed-in dashboard session, as a request sees it. */
export interface DashboardSession {
  environment: Environment;
  /** The key it was opened with (key sign-in), the one whose revocation ends it. */
  apiKeyId: string | null;
  operator: Operator | null;
  csrfToken: string;
  expiresAt: number;
}

/** What signing in returns: the session and the token for its cookie (shown once). */
export interface OpenedSession {
  session: DashboardSession;
  token: string;
}

/** The ways to sign in. */
export type SignIn = { apiKey: string } | { email: string; password: string };

export interface OperatorsService {
  /** Creates an operator account; `conflict` when the email exists. */
  createOperator(email: string, password: string): Promise<Operator>;
  /** Every operator account, oldest first. */
  listOperators(): Promise<Operator[]>;
  /** Opens a session; `sign_in_failed` or `sign_in_locked` otherwise. `client` keys the lockout. */
  signIn(credentials: SignIn, client: string): Promise<OpenedSession>;
  /** The session of a cookie token, or null when unknown, expired or its key was revoked. */
  authenticate(token: string): Promise<DashboardSession | null>;
  /** Moves an operator's session to another environment; key sessions stay in their key's. */
  switchEnvironment(token: string, environmentId: string): Promise<DashboardSession>;
  /** Ends a session (logout). */
  signOut(token: string): Promise<void>;
  /** Deletes expired sessions; returns how many. */
  deleteExpired(): Promise<number>;
}
