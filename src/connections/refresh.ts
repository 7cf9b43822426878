import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../clock/index.ts';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import type { Logger } from '../logger/index.ts';
import type {
  ConnectionAccess,
  ConnectionContext,
  Credentials,
  RefreshOutcome,
  TokenRefresher,
} from '../ports/connections.ts';
import type { RefreshCoordinator } from '../proxy/types.ts';
import { type BackoffPolicy, backoffDelay, type RandomSource } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import { createLeaseLock, type LeaseLock } from './lease.ts';

export interface RefreshCoordinatorOptions {
  store: Store;
  connections: ConnectionAccess;
  refresher: TokenRefresher;
  clock: Clock;
  logger: Logger;
  /** Tokens are refreshed this long before they expire. Default 5 minutes. */
  marginMs?: number;
  /** Life of the cross-process lease; renewed while a refresh runs. Default 30 s. */
  lockTtlMs?: number;
  /** How often a process waiting for another one's refresh looks again. Default 50 ms. */
  waitPollMs?: number;
  /** How long a process waits for another one's refresh before giving up. Default 30 s. */
  maxWaitMs?: number;
  /** Waits (polls, backoff); injected so tests move time instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** Retries after a transient failure (network, 5xx, 429) before giving up. Default 3. */
  transientRetries?: number;
  /** Backoff between transient retries. Default 500 ms doubling to 10 s, half of each jittered. */
  backoff?: BackoffPolicy;
  /** Jitter source; default Math.random. */
  random?: RandomSource;
  /** The cross-process lease; default the `connection_locks` table of `store`. */
  lease?: LeaseLock;
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, factor: 2, maxMs: 10_000, jitter: 0.5 };

/** Returned by the lease holder's path when its lease was taken over (it stalled past the TTL). */
const LEASE_LOST = Symbol('lease lost');

interface Want {
  force: boolean;
  /** With force: a refresh that stored credentials after this instant satisfies the request. */
  staleUpdatedAt: number | undefined;
}

/**
 * Keeps connections' tokens fresh with at most one refresh per connection in flight across all
 * processes, and every caller getting that refresh's result:
 *
 * 1. in the process, one promise per connection (single flight) that concurrent callers share;
 * 2. across processes, a lease in `connection_locks` (src/connections/lease.ts). A process that
 *    does not get it polls until the credentials are fresh (someone else refreshed) or the lease
 *    is free or expired;
 * 3. the holder re-reads the connection after taking the lease and returns it unchanged when it
 *    became fresh meanwhile: the previous holder refreshed between our read and our lease.
 *
 * A refusal (`invalid_grant`) marks the connection `reauth_required` and is never retried;
 * transient failures are retried with backoff while the lease is renewed, then recorded.
 */
export function createRefreshCoordinator(options: RefreshCoordinatorOptions): RefreshCoordinator {
  const { connections, refresher, clock, logger } = options;
  const marginMs = options.marginMs ?? 5 * 60_000;
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  const waitPollMs = options.waitPollMs ?? 50;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const transientRetries = options.transientRetries ?? 3;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const lease = options.lease ?? createLeaseLock(options.store, { clock });
  const flights = new Map<string, Promise<ConnectionContext>>();

  function needsRefresh(context: ConnectionContext, want: Want): boolean {
    if (!isRefreshable(context.credentials)) return false;
    if (want.force) return want.staleUpdatedAt === undefined || context.updatedAt <= want.staleUpdatedAt;
    const expiresAt = context.expiresAt ?? expiryOf(context.credentials);
    if (expiresAt === undefined || expiresAt === null) return false;
    // Tokens that live shorter than twice the margin would be refreshed at every use: for them the
    // margin is half their lifetime (as measured from when they were stored).
    const margin = Math.max(0, Math.min(marginMs, (expiresAt - context.updatedAt) / 2));
    return expiresAt - margin <= clock.now();
  }

  async function ensureFresh(
    environmentId: string,
    connectionId: string,
    request: { force?: boolean; staleUpdatedAt?: number } = {},
  ): Promise<ConnectionContext> {
    const key = `${environmentId}/${connectionId}`;
    const want: Want = { force: request.force ?? false, staleUpdatedAt: request.staleUpdatedAt };
    for (;;) {
      const running = flights.get(key);
      if (running) {
        const context = await running;
        // A forced refresh (the 401 path) needs credentials newer than the ones that failed; a
        // flight that found the same ones fresh does not give that, so look again. Without a
        // reference instant, the refresh this caller joined is the one it asked for.
        if (!want.force || want.staleUpdatedAt === undefined || !needsRefresh(context, want)) return context;
        continue;
      }
      const context = await connections.load(environmentId, connectionId);
      assertUsable(context);
      if (!needsRefresh(context, want)) return context;
      // Another caller may have started a flight while this one was loading.
      if (flights.has(key)) continue;
      const flight: Promise<ConnectionContext> = refreshShared(context, want).finally(() => {
        if (flights.get(key) === flight) flights.delete(key);
      });
      flights.set(key, flight);
      return flight;
    }
  }

  /** The single flight of one connection: take the lease or wait for whoever holds it. */
  async function refreshShared(initial: ConnectionContext, requested: Want): Promise<ConnectionContext> {
    const { environmentId, id } = initial;
    // A forced refresh without a reference instant refreshes what it saw: once anyone stores
    // newer credentials, the request is satisfied.
    const want: Want = requested.force
      ? { force: true, staleUpdatedAt: requested.staleUpdatedAt ?? initial.updatedAt }
      : requested;
    let waitedMs = 0;
    for (;;) {
      const owner = lease.newOwner();
      if (await lease.acquire(id, owner, lockTtlMs)) {
        const result = await refreshHoldingLease(environmentId, id, owner, want);
        if (result !== LEASE_LOST) return result;
      }
      if (waitedMs >= maxWaitMs) {
        throw new PatchbayError(
          'refresh_failed',
          `Connection ${id}: another process has been refreshing its token for over ${maxWaitMs} ms; try again shortly`,
          { details: { connectionId: id } },
        );
      }
      await sleep(waitPollMs);
      waitedMs += waitPollMs;
      const current = await connections.load(environmentId, id);
      assertUsable(current);
      if (!needsRefresh(current, want)) return current;
    }
  }

  async function refreshHoldingLease(
    environmentId: string,
    connectionId: string,
    owner: string,
    want: Want,
  ): Promise<ConnectionContext | typeof LEASE_LOST> {
    // Renewed in the background too, so a slow token endpoint cannot outlive the lease.
    const heartbeat = setInterval(
      () => {
        lease.renew(connectionId, owner, lockTtlMs).catch((error: unknown) => {
          logger.warn({ connectionId, err: error }, 'could not renew the refresh lease');
        });
      },
      Math.max(1, Math.floor(lockTtlMs / 3)),
    );
    heartbeat.unref();
    try {
      // Re-read under the lease: the previous holder may have refreshed since our last read.
      const context = await connections.load(environmentId, connectionId);
      assertUsable(context);
      if (!needsRefresh(context, want)) return context;
      return await callProvider(context, owner);
    } finally {
      clearInterval(heartbeat);
      await lease.release(connectionId, owner).catch((error: unknown) => {
        logger.warn(
          { connectionId, err: error },
          'could not release the refresh lease; it expires by itself',
        );
      });
    }
  }

  async function callProvider(
    context: ConnectionContext,
    owner: string,
  ): Promise<ConnectionContext | typeof LEASE_LOST> {
    const { environmentId, id: connectionId } = context;
    for (let attempt = 1; ; attempt++) {
      const outcome = await askProvider(context);
      if (outcome.ok) {
        const stored = await connections.storeRefreshed(environmentId, connectionId, outcome.credentials);
        logger.info({ environmentId, connectionId, attempt }, 'connection token refreshed');
        return stored;
      }
      const reason = { code: outcome.code, message: outcome.message };
      if (outcome.kind === 'rejected') {
        await connections.markReauthRequired(environmentId, connectionId, reason);
        logger.warn(
          { environmentId, connectionId, code: outcome.code },
          'provider refused the token refresh',
        );
        throw reauthRequired(connectionId, 'the provider refused to refresh its token', outcome.code);
      }
      const waitMs = Math.max(backoffDelay(backoff, attempt, random), outcome.retryAfterMs ?? 0);
      if (attempt > transientRetries || waitMs > maxWaitMs) {
        await connections.recordRefreshFailure(environmentId, connectionId, reason);
        logger.warn(
          { environmentId, connectionId, code: outcome.code, attempts: attempt },
          'token refresh failed; giving up for now',
        );
        throw new PatchbayError(
          'refresh_failed',
          `Connection ${connectionId}: the provider could not refresh the token (${outcome.code}); try again later`,
          { details: { connectionId, reason: outcome.code, attempts: attempt } },
        );
      }
      logger.warn(
        { environmentId, connectionId, code: outcome.code, attempt, retryInMs: waitMs },
        'token refresh failed; retrying',
      );
      if (!(await waitHoldingLease(connectionId, owner, waitMs))) {
        logger.warn(
          { connectionId },
          'refresh lease lost while waiting to retry; deferring to its new holder',
        );
        return LEASE_LOST;
      }
    }
  }

  /** The refresher's outcome; a throw (a bug, an abort) counts as transient so it is bounded too. */
  async function askProvider(context: ConnectionContext): Promise<RefreshOutcome> {
    try {
      return await refresher.refresh(
        context.integration,
        context.credentials,
        AbortSignal.timeout(lockTtlMs),
        context.connectionConfig,
      );
    } catch (error) {
      return {
        ok: false,
        kind: 'transient',
        code: isPatchbayError(error) ? error.code : 'refresh_error',
        message: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /** Sleeps `ms` in steps of a third of the lease, renewing it after each; false when it was lost. */
  async function waitHoldingLease(connectionId: string, owner: string, ms: number): Promise<boolean> {
    const step = Math.max(1, Math.floor(lockTtlMs / 3));
    for (let left = ms; left > 0; left -= step) {
      await sleep(Math.min(left, step));
      if (!(await lease.renew(connectionId, owner, lockTtlMs))) return false;
    }
    return true;
  }

  return { ensureFresh };
}

/** Credentials the engine can renew by itself: a refresh token, or the client credentials grant. */
function isRefreshable(credentials: Credentials): boolean {
  if (credentials.type === 'oauth2') return Boolean(credentials.refreshToken);
  return credentials.type === 'oauth2_client_credentials';
}

function expiryOf(credentials: Credentials): number | undefined {
  return credentials.type === 'oauth2' || credentials.type === 'oauth2_client_credentials'
    ? credentials.expiresAt
    : undefined;
}

/** Connections that need their end user before any provider call: never refreshed. */
function assertUsable(context: ConnectionContext): void {
  if (context.status === 'reauth_required') {
    throw reauthRequired(context.id, 'the provider no longer accepts its grant');
  }
  if (context.status === 'disconnected') {
    throw reauthRequired(context.id, 'it was disconnected');
  }
}

function reauthRequired(connectionId: string, why: string, reason?: string): PatchbayError {
  return new PatchbayError(
    'connection_reauth_required',
    `Connection ${connectionId} must be reconnected: ${why}. Create a connect session for its end user to reconnect it.`,
    { details: reason ? { connectionId, reason } : { connectionId } },
  );
}
