import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import { createLogger, createMemoryDestination, type MemoryDestination } from '../logger/index.ts';
import type { ConnectionAccess, Credentials, RefreshOutcome, TokenRefresher } from '../ports/connections.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import { type Seeded, seedConnection, tableConnections, testVault } from './fixtures/refresh-fixtures.ts';
import { createLeaseLock } from './lease.ts';
import { createRefreshCoordinator, type RefreshCoordinatorOptions } from './refresh.ts';

const HOUR = 3_600_000;

/** A token endpoint stand-in: counts calls, records the credentials it was given, rotates tokens. */
function countingRefresher(
  clock: ManualClock,
  options: { delayMs?: number; outcomes?: Array<RefreshOutcome | undefined> } = {},
) {
  const seen: Credentials[] = [];
  const refresher: TokenRefresher & { readonly calls: number; seen: Credentials[] } = {
    seen,
    get calls() {
      return seen.length;
    },
    async refresh(_integration, credentials) {
      seen.push(credentials);
      const n = seen.length;
      if (options.delayMs) await delay(options.delayMs);
      const scripted = options.outcomes?.[n - 1];
      if (scripted) return scripted;
      return {
        ok: true,
        credentials: {
          type: 'oauth2',
          accessToken: `access-token-${n}`,
          refreshToken: `refresh-token-${n}`,
          expiresAt: clock.now() + HOUR,
        },
      };
    },
  };
  return refresher;
}

const expired = (clock: ManualClock): Extract<Credentials, { type: 'oauth2' }> => ({
  type: 'oauth2',
  accessToken: 'access-token-0',
  refreshToken: 'refresh-token-0',
  expiresAt: clock.now() - 1000,
});

const codeOf = (code: string) => (error: unknown) => isPatchbayError(error) && error.code === code;

for (const target of await testDatabases()) {
  describe(`token refresh on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    let vault: Vault;
    let clock: ManualClock;
    let connections: ConnectionAccess;
    let logs: MemoryDestination;

    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
      vault = testVault().vault;
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });
    beforeEach(() => {
      clock = new ManualClock();
      connections = tableConnections(store, vault, clock);
      logs = createMemoryDestination();
    });

    function coordinator(refresher: TokenRefresher, overrides: Partial<RefreshCoordinatorOptions> = {}) {
      return createRefreshCoordinator({
        store,
        connections,
        refresher,
        clock,
        logger: createLogger({ destination: logs, level: 'debug' }),
        waitPollMs: 5,
        ...overrides,
      });
    }

    const seed = (credentials: Credentials, status?: 'active' | 'reauth_required' | 'disconnected') =>
      seedConnection(store, vault, { credentials, now: clock.now(), ...(status ? { status } : {}) });

    async function row(seeded: Seeded) {
      return store.db
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', seeded.connectionId)
        .executeTakeFirstOrThrow();
    }

    it('returns credentials valid beyond the margin, and non-refreshable ones, without a provider call', async () => {
      const refresher = countingRefresher(clock);
      const refresh = coordinator(refresher);
      const fresh = await seed({ ...expired(clock), expiresAt: clock.now() + HOUR });
      const apiKey = await seed({ type: 'api_key', values: { apiKey: 'key-123' } });
      const basic = await seed({ type: 'basic', username: 'u', password: 'p' });
      // No refresh token: nothing to refresh with, whatever the expiry says (the provider's 401 tells).
      const noRefreshToken = await seed({ type: 'oauth2', accessToken: 'a', expiresAt: clock.now() - 1 });
      for (const s of [fresh, apiKey, basic, noRefreshToken]) {
        const context = await refresh.ensureFresh(s.environmentId, s.connectionId);
        assert.equal(context.id, s.connectionId);
      }
      assert.equal(refresher.calls, 0);
    });

    it('refreshes inside the margin, before the token expires', async () => {
      const refresher = countingRefresher(clock);
      const refresh = coordinator(refresher, { marginMs: 5 * 60_000 });
      const s = await seed({ ...expired(clock), expiresAt: clock.now() + 2 * HOUR });
      clock.advance(2 * HOUR - 5 * 60_000 - 1);
      await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(refresher.calls, 0);
      clock.advance(1);
      const context = await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(refresher.calls, 1);
      assert.equal(
        context.credentials.type === 'oauth2' && context.credentials.accessToken,
        'access-token-1',
      );
    });

    it('uses half the lifetime as margin for tokens shorter-lived than twice the margin', async () => {
      const refresher = countingRefresher(clock);
      const refresh = coordinator(refresher, { marginMs: 5 * 60_000 });
      // A 2-minute token: with a 5-minute margin it would be refreshed at every use.
      const s = await seed({ ...expired(clock), expiresAt: clock.now() + 120_000 });
      clock.advance(59_000);
      await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(refresher.calls, 0);
      clock.advance(1_000);
      await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(refresher.calls, 1);
    });

    it('single flight: 1,000 concurrent calls on an expired token make one provider call', async () => {
      const refresher = countingRefresher(clock, { delayMs: 20 });
      const refresh = coordinator(refresher);
      const s = await seed(expired(clock));
      const results = await Promise.all(
        Array.from({ length: 1000 }, () => refresh.ensureFresh(s.environmentId, s.connectionId)),
      );
      assert.equal(refresher.calls, 1);
      for (const context of results) {
        assert.equal(
          context.credentials.type === 'oauth2' && context.credentials.accessToken,
          'access-token-1',
        );
      }
      assert.equal(await createLeaseLock(store, { clock }).holder(s.connectionId), undefined);
    });

    it('across two stores (two processes): 500 + 500 concurrent calls make one provider call', async () => {
      const other = await database.open();
      try {
        const refresher = countingRefresher(clock, { delayMs: 50 });
        const first = coordinator(refresher);
        const second = createRefreshCoordinator({
          store: other,
          connections: tableConnections(other, vault, clock),
          refresher,
          clock,
          logger: createLogger({ level: 'silent' }),
          waitPollMs: 5,
        });
        const s = await seed(expired(clock));
        const calls = Array.from({ length: 1000 }, (_, i) =>
          (i % 2 === 0 ? first : second).ensureFresh(s.environmentId, s.connectionId),
        );
        const results = await Promise.allSettled(calls);
        assert.deepEqual(
          results.filter((r) => r.status === 'rejected'),
          [],
        );
        assert.equal(refresher.calls, 1);
        for (const result of results) {
          const { credentials } = (result as PromiseFulfilledResult<{ credentials: Credentials }>).value;
          assert.equal(credentials.type === 'oauth2' && credentials.accessToken, 'access-token-1');
        }
      } finally {
        await other.close();
      }
    });

    it('stores the rotated refresh token atomically and uses it for the next refresh; never in plaintext', async () => {
      const refresher = countingRefresher(clock);
      const refresh = coordinator(refresher);
      const s = await seed(expired(clock));
      await refresh.ensureFresh(s.environmentId, s.connectionId);
      const stored = await row(s);
      assert.equal(stored.status, 'active');
      assert.equal(stored.expires_at, clock.now() + HOUR);
      assert.equal(stored.last_refreshed_at, clock.now());
      assert.ok(stored.credentials?.startsWith('pbv1.'));
      assert.ok(!stored.credentials?.includes('refresh-token-1'));

      clock.advance(HOUR);
      const context = await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(refresher.calls, 2);
      assert.deepEqual(
        refresher.seen.map((c) => c.type === 'oauth2' && c.refreshToken),
        ['refresh-token-0', 'refresh-token-1'],
      );
      assert.equal(
        context.credentials.type === 'oauth2' && context.credentials.refreshToken,
        'refresh-token-2',
      );
      // No token in any log line.
      assert.doesNotMatch(logs.text(), /access-token-|refresh-token-/);
    });

    it('invalid_grant: reauth_required and its event, once; the next call does not reach the provider', async () => {
      const refresher = countingRefresher(clock, {
        outcomes: [
          { ok: false, kind: 'rejected', code: 'invalid_grant', message: 'The refresh token was revoked' },
        ],
      });
      const refresh = coordinator(refresher);
      const s = await seed(expired(clock));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () => refresh.ensureFresh(s.environmentId, s.connectionId)),
      );
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.ok(codeOf('connection_reauth_required')((outcome as PromiseRejectedResult).reason));
        assert.equal((outcome as PromiseRejectedResult).reason.status, 409);
      }
      assert.equal(refresher.calls, 1);
      const stored = await row(s);
      assert.equal(stored.status, 'reauth_required');
      assert.equal(stored.last_error_code, 'invalid_grant');
      const events = await store.db
        .selectFrom('events')
        .selectAll()
        .where('environment_id', '=', s.environmentId)
        .execute();
      assert.deepEqual(
        events.map((e) => e.type),
        ['connection.reauth_required'],
      );

      await assert.rejects(
        refresh.ensureFresh(s.environmentId, s.connectionId),
        codeOf('connection_reauth_required'),
      );
      await assert.rejects(
        refresh.ensureFresh(s.environmentId, s.connectionId, { force: true }),
        codeOf('connection_reauth_required'),
      );
      assert.equal(refresher.calls, 1);
      assert.equal(await createLeaseLock(store, { clock }).holder(s.connectionId), undefined);
    });

    it('never calls the provider for reauth_required or disconnected connections', async () => {
      const refresher = countingRefresher(clock);
      const refresh = coordinator(refresher);
      for (const status of ['reauth_required', 'disconnected'] as const) {
        const s = await seed(expired(clock), status);
        await assert.rejects(
          refresh.ensureFresh(s.environmentId, s.connectionId),
          codeOf('connection_reauth_required'),
        );
      }
      assert.equal(refresher.calls, 0);
    });

    it('transient failures (503 twice) are retried with backoff honoring Retry-After, then succeed', async () => {
      const refresher = countingRefresher(clock, {
        outcomes: [
          { ok: false, kind: 'transient', code: 'http_503', message: 'Service Unavailable' },
          {
            ok: false,
            kind: 'transient',
            code: 'http_503',
            message: 'Service Unavailable',
            retryAfterMs: 2_000,
          },
        ],
      });
      const waits: number[] = [];
      const refresh = coordinator(refresher, {
        random: () => 0,
        backoff: { initialMs: 500, factor: 2, jitter: 0.5 },
        sleep: async (ms) => {
          waits.push(ms);
          clock.advance(ms);
        },
      });
      const s = await seed(expired(clock));
      const context = await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(refresher.calls, 3);
      // 500 ms after the first failure; the second's backoff (1 s) is overruled by its Retry-After.
      assert.deepEqual(waits, [500, 2_000]);
      assert.equal(
        context.credentials.type === 'oauth2' && context.credentials.accessToken,
        'access-token-3',
      );
      assert.equal((await row(s)).refresh_failures, 0);
    });

    it('keeps renewing its lease while it waits to retry, so no other process takes it', async () => {
      const rival = createLeaseLock(store, { clock });
      const held: boolean[] = [];
      let connectionId = '';
      const refresher = countingRefresher(clock, {
        outcomes: [
          {
            ok: false,
            kind: 'transient',
            code: 'http_429',
            message: 'Too Many Requests',
            retryAfterMs: 25_000,
          },
        ],
      });
      const waits: number[] = [];
      const refresh = coordinator(refresher, {
        lockTtlMs: 9_000,
        sleep: async (ms) => {
          waits.push(ms);
          clock.advance(ms);
          held.push(!(await rival.acquire(connectionId, rival.newOwner(), 9_000)));
        },
      });
      const s = await seed(expired(clock));
      connectionId = s.connectionId;
      await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(refresher.calls, 2);
      // 25 s of waiting, in steps of a third of the 9 s lease, renewed after each.
      assert.deepEqual(waits, [3_000, 3_000, 3_000, 3_000, 3_000, 3_000, 3_000, 3_000, 1_000]);
      assert.ok(held.every(Boolean));
    });

    it('a holder whose lease was taken over while it waited defers to the new holder', async () => {
      const rival = createLeaseLock(store, { clock });
      const refresher = countingRefresher(clock, {
        outcomes: [{ ok: false, kind: 'transient', code: 'http_503', message: 'Service Unavailable' }],
      });
      let seeded: Seeded | undefined;
      let stolen = false;
      const refresh = coordinator(refresher, {
        sleep: async () => {
          if (stolen || !seeded) return;
          stolen = true;
          // This process stalled past its lease: another one took it over and refreshed.
          const { connectionId, environmentId } = seeded;
          await store.db.deleteFrom('connection_locks').where('connection_id', '=', connectionId).execute();
          const owner = rival.newOwner();
          assert.equal(await rival.acquire(connectionId, owner, 30_000), true);
          await connections.storeRefreshed(environmentId, connectionId, {
            type: 'oauth2',
            accessToken: 'access-token-rival',
            refreshToken: 'refresh-token-rival',
            expiresAt: clock.now() + HOUR,
          });
          await rival.release(connectionId, owner);
        },
      });
      seeded = await seed(expired(clock));
      const context = await refresh.ensureFresh(seeded.environmentId, seeded.connectionId);
      assert.equal(refresher.calls, 1);
      assert.equal(
        context.credentials.type === 'oauth2' && context.credentials.accessToken,
        'access-token-rival',
      );
      assert.match(logs.text(), /refresh lease lost/);
    });

    it('gives up after the retries: refresh_failed (502), the failure recorded, status unchanged', async () => {
      const failure: RefreshOutcome = {
        ok: false,
        kind: 'transient',
        code: 'network_error',
        message: 'ECONNRESET',
      };
      const refresher = countingRefresher(clock, { outcomes: [failure, failure, failure, failure] });
      const refresh = coordinator(refresher, { transientRetries: 3, sleep: async () => {} });
      const s = await seed(expired(clock));
      await assert.rejects(refresh.ensureFresh(s.environmentId, s.connectionId), (error: unknown) => {
        assert.ok(codeOf('refresh_failed')(error));
        assert.equal((error as { status: number }).status, 502);
        return true;
      });
      assert.equal(refresher.calls, 4);
      const stored = await row(s);
      assert.equal(stored.status, 'active');
      assert.equal(stored.refresh_failures, 1);
      assert.equal(stored.last_error_code, 'network_error');
      assert.equal(await createLeaseLock(store, { clock }).holder(s.connectionId), undefined);
      // The next call tries again (the failure was transient) and succeeds.
      await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(refresher.calls, 5);
      assert.equal((await row(s)).refresh_failures, 0);
    });

    it('a Retry-After longer than the wait limit fails at once instead of holding callers', async () => {
      const refresher = countingRefresher(clock, {
        outcomes: [
          { ok: false, kind: 'transient', code: 'http_429', message: 'slow down', retryAfterMs: HOUR },
        ],
      });
      const refresh = coordinator(refresher, { sleep: async () => assert.fail('must not wait') });
      const s = await seed(expired(clock));
      await assert.rejects(refresh.ensureFresh(s.environmentId, s.connectionId), codeOf('refresh_failed'));
      assert.equal(refresher.calls, 1);
    });

    it('a refresher that throws counts as a transient failure', async () => {
      let calls = 0;
      const refresh = coordinator(
        {
          async refresh() {
            calls += 1;
            throw new Error('socket hang up');
          },
        },
        { transientRetries: 1, sleep: async () => {} },
      );
      const s = await seed(expired(clock));
      await assert.rejects(refresh.ensureFresh(s.environmentId, s.connectionId), codeOf('refresh_failed'));
      assert.equal(calls, 2);
      assert.equal((await row(s)).last_error_code, 'refresh_error');
    });

    it('force (the 401 path): no refresh when someone refreshed after the failing credentials were read', async () => {
      const refresher = countingRefresher(clock);
      const refresh = coordinator(refresher);
      const s = await seed({ ...expired(clock), expiresAt: clock.now() + HOUR });
      const before = await connections.load(s.environmentId, s.connectionId);
      clock.advance(1_000);
      // Another caller refreshed meanwhile.
      await connections.storeRefreshed(s.environmentId, s.connectionId, {
        type: 'oauth2',
        accessToken: 'access-token-other',
        refreshToken: 'refresh-token-other',
        expiresAt: clock.now() + HOUR,
      });
      const context = await refresh.ensureFresh(s.environmentId, s.connectionId, {
        force: true,
        staleUpdatedAt: before.updatedAt,
      });
      assert.equal(refresher.calls, 0);
      assert.equal(
        context.credentials.type === 'oauth2' && context.credentials.accessToken,
        'access-token-other',
      );

      // The credentials that failed are the stored ones: refresh although they have not expired.
      const forced = await Promise.all(
        Array.from({ length: 10 }, () =>
          refresh.ensureFresh(s.environmentId, s.connectionId, {
            force: true,
            staleUpdatedAt: context.updatedAt,
          }),
        ),
      );
      assert.equal(refresher.calls, 1);
      assert.deepEqual(
        refresher.seen.map((c) => c.type === 'oauth2' && c.refreshToken),
        ['refresh-token-other'],
      );
      for (const result of forced) {
        assert.equal(
          result.credentials.type === 'oauth2' && result.credentials.accessToken,
          'access-token-1',
        );
      }
    });

    it('waits for another process that holds the lease and takes its result', async () => {
      const refresher = countingRefresher(clock);
      const rival = createLeaseLock(store, { clock });
      const s = await seed(expired(clock));
      const rivalOwner = rival.newOwner();
      assert.equal(await rival.acquire(s.connectionId, rivalOwner, 30_000), true);
      let polls = 0;
      const refresh = coordinator(refresher, {
        sleep: async () => {
          polls += 1;
          // The other process finishes its refresh on our third look.
          if (polls === 3) {
            await connections.storeRefreshed(s.environmentId, s.connectionId, {
              type: 'oauth2',
              accessToken: 'access-token-rival',
              refreshToken: 'refresh-token-rival',
              expiresAt: clock.now() + HOUR,
            });
            await rival.release(s.connectionId, rivalOwner);
          }
        },
      });
      const context = await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(polls, 3);
      assert.equal(refresher.calls, 0);
      assert.equal(
        context.credentials.type === 'oauth2' && context.credentials.accessToken,
        'access-token-rival',
      );
    });

    it('re-reads after taking the lease: a refresh finished in between is not repeated', async () => {
      const refresher = countingRefresher(clock);
      const s = await seed(expired(clock));
      // Our read sees the expired token; the rival stores its refresh before we take the lease.
      let stale = true;
      const racing: ConnectionAccess = {
        ...connections,
        async load(environmentId, connectionId) {
          const context = await connections.load(environmentId, connectionId);
          if (stale) {
            stale = false;
            await connections.storeRefreshed(environmentId, connectionId, {
              type: 'oauth2',
              accessToken: 'access-token-rival',
              refreshToken: 'refresh-token-rival',
              expiresAt: clock.now() + HOUR,
            });
          }
          return context;
        },
      };
      const refresh = coordinator(refresher, { connections: racing });
      const context = await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(refresher.calls, 0);
      assert.equal(
        context.credentials.type === 'oauth2' && context.credentials.accessToken,
        'access-token-rival',
      );
      assert.equal(await createLeaseLock(store, { clock }).holder(s.connectionId), undefined);
    });

    it('takes over the lease of a process that died holding it, once it expires', async () => {
      const refresher = countingRefresher(clock);
      const dead = createLeaseLock(store, { clock });
      const s = await seed(expired(clock));
      assert.equal(await dead.acquire(s.connectionId, dead.newOwner(), 30_000), true);
      const refresh = coordinator(refresher, {
        waitPollMs: 10_000,
        maxWaitMs: 60_000,
        sleep: async (ms) => clock.advance(ms),
      });
      const context = await refresh.ensureFresh(s.environmentId, s.connectionId);
      assert.equal(refresher.calls, 1);
      assert.equal(clock.now() - Date.UTC(2026, 0, 1), 30_000);
      assert.equal(
        context.credentials.type === 'oauth2' && context.credentials.accessToken,
        'access-token-1',
      );
    });

    it('gives up waiting on a live lease after maxWaitMs with refresh_failed', async () => {
      const refresher = countingRefresher(clock);
      const rival = createLeaseLock(store, { clock });
      const s = await seed(expired(clock));
      assert.equal(await rival.acquire(s.connectionId, rival.newOwner(), HOUR), true);
      let polls = 0;
      const refresh = coordinator(refresher, {
        waitPollMs: 100,
        maxWaitMs: 1_000,
        sleep: async () => {
          polls += 1;
        },
      });
      await assert.rejects(refresh.ensureFresh(s.environmentId, s.connectionId), codeOf('refresh_failed'));
      assert.equal(polls, 10);
      assert.equal(refresher.calls, 0);
    });

    it('an id of another environment is not_found', async () => {
      const refresh = coordinator(countingRefresher(clock));
      const s = await seed(expired(clock));
      const other = await seed(expired(clock));
      await assert.rejects(refresh.ensureFresh(other.environmentId, s.connectionId), codeOf('not_found'));
    });
  });
}
