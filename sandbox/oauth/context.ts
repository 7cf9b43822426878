/**
 * The state one OAuth sandbox shares between its endpoints, and its resolved settings.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.ts';
import type { ClientRegistry } from './clients.ts';
import type { Faults } from './faults.ts';
import type { SlidingWindowLimiter } from './rate-limit.ts';
import type { OAuthSandboxStats } from './stats.ts';
import type { SandboxClock, TokenStore } from './tokens.ts';

/** Where the endpoints live; a provider emulator may move them to the provider's real paths. */
export interface OAuthSandboxPaths {
  authorize: string;
  /** Form target of the interactive consent page. */
  decision: string;
  token: string;
  revoke: string;
  /** RFC 8414 authorization server metadata. */
  metadata: string;
  /** Prefix of the protected API, with a trailing slash. */
  api: string;
}

export const DEFAULT_PATHS: OAuthSandboxPaths = {
  authorize: '/oauth/authorize',
  decision: '/oauth/authorize/decision',
  token: '/oauth/token',
  revoke: '/oauth/revoke',
  metadata: '/.well-known/oauth-authorization-server',
  api: '/api/',
};

export interface OAuthSandboxSettings {
  interactive: boolean;
  requirePkce: boolean;
  issueRefreshTokens: boolean;
  rotateRefreshTokens: boolean;
  revokeGrantOnRefreshTokenReuse: boolean;
  /** Scopes a client may ask for; undefined accepts any. */
  supportedScopes: readonly string[] | undefined;
  defaultScopes: readonly string[];
  scopeSeparator: string;
  subject: string;
  itemCount: number;
  paths: OAuthSandboxPaths;
}

export interface OAuthSandboxContext {
  readonly settings: OAuthSandboxSettings;
  readonly clock: SandboxClock;
  readonly clients: ClientRegistry;
  readonly tokens: TokenStore;
  readonly stats: OAuthSandboxStats;
  readonly faults: Faults;
  /** The API rate limit, if any; replaced by `control.setRateLimit`. */
  limiter: SlidingWindowLimiter | undefined;
}

/** Splits a scope parameter, dropping empty entries and repeats. */
export function parseScope(text: string | null, separator: string): string[] {
  if (text === null) return [];
  return [...new Set(text.split(separator).map((s) => s.trim()))].filter((s) => s.length > 0);
}

/** RFC 6749 §5.2 error response of the token and revocation endpoints. */
export function sendOAuthError(
  res: ServerResponse,
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    status,
    { error, error_description: description },
    { 'Cache-Control': 'no-store', Pragma: 'no-cache', ...headers },
  );
}
