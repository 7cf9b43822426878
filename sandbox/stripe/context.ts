/**
 * What the emulator's parts share: the core (clock, accounts, webhook delivery, counters) and,
 * for each operation, its scope — the account acted on and the request it came from, which the
 * events it records carry in `event.request`.
 */
import type { AccountRegistry } from './accounts.ts';
import type { StripeFaults } from './faults.ts';
import type { ApiRateLimiter } from './rate-limit.ts';
import type { AccountState } from './state.ts';
import type { StripeSandboxStats } from './stats.ts';
import type { WebhookDispatcher } from './webhook-delivery.ts';

/** Epoch milliseconds; `ManualClock` from the project's clock module fits. */
export interface StripeClock {
  now(): number;
}

export const systemClock: StripeClock = { now: () => Date.now() };

/** The API version whose object shapes the emulator follows (the installed stripe-node's). */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export interface StripeCore {
  readonly clock: StripeClock;
  /** `http://127.0.0.1:<port>`, known once the server listens; hosted pages live under it. */
  origin: string;
  readonly accounts: AccountRegistry;
  readonly webhooks: WebhookDispatcher;
  readonly stats: StripeSandboxStats;
  readonly faults: StripeFaults;
  limiter: ApiRateLimiter | undefined;
}

/** What object builders need: the account the object lives in and the emulator's origin. */
export interface View {
  readonly account: AccountState;
  readonly origin: string;
}

/** `event.request`: the API request behind an event, or nulls for the emulator's own changes. */
export interface RequestInfo {
  readonly id: string | null;
  readonly idempotency_key: string | null;
}

/** One operation: where it acts and on behalf of which request. */
export interface Scope extends View {
  readonly core: StripeCore;
  readonly request: RequestInfo;
}

export function scopeOf(core: StripeCore, account: AccountState, request?: RequestInfo): Scope {
  return {
    core,
    account,
    origin: core.origin,
    request: request ?? { id: null, idempotency_key: null },
  };
}

/** The emulator clock in Stripe's unit (seconds). */
export function nowSeconds(scope: { core: StripeCore }): number {
  return Math.floor(scope.core.clock.now() / 1000);
}
