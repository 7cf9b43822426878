/**
 * The state one Messenger emulator shares between its endpoints and its control.
 */
import type { SlidingWindowLimiter } from '../oauth/rate-limit.ts';
import type { SandboxClock } from '../oauth/tokens.ts';
import type { MessengerFaults } from './faults.ts';
import type { GraphIds } from './ids.ts';
import type { MessengerSandboxStats } from './stats.ts';
import type { MessengerStore } from './store.ts';
import type { TokenStore } from './tokens.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/** The Meta app an integration registers: its id, secret and Valid OAuth Redirect URIs. */
export interface MessengerApp {
  readonly id: string;
  readonly secret: string;
  readonly name: string;
  readonly redirectUris: readonly string[];
}

/** The Facebook user who logs in: an admin of the Page. */
export interface FacebookUser {
  readonly id: string;
  readonly name: string;
}

export interface MessengerSettings {
  /** Lifetime of the User token a login code is exchanged for (about an hour or two). */
  shortLivedTokenSeconds: number;
  /** Lifetime of a long-lived User token (about 60 days). */
  longLivedTokenSeconds: number;
  codeTtlMs: number;
}

export interface MessengerContext {
  readonly app: MessengerApp;
  readonly user: FacebookUser;
  readonly store: MessengerStore;
  readonly tokens: TokenStore;
  readonly ids: GraphIds;
  readonly clock: SandboxClock;
  readonly stats: MessengerSandboxStats;
  readonly faults: MessengerFaults;
  readonly webhooks: WebhookDispatcher;
  readonly settings: MessengerSettings;
  /** The Send API's per-Page rate limit; replaced by `control.setRateLimit`. */
  limiter: SlidingWindowLimiter | undefined;
  /** Logins still to be cancelled by the person (`control.denyNextLogin`). */
  loginDenials: number;
}

/** Scopes a token carries now: what was granted at login, less what was revoked since. */
export function effectiveScopes(ctx: MessengerContext, scopes: readonly string[]): string[] {
  return scopes.filter((scope) => !ctx.store.revoked.has(scope));
}
