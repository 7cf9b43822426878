import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import { z } from 'zod';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { PatchbayError } from '../errors/index.ts';
import { createLogger, createMemoryDestination } from '../logger/index.ts';
import type { ConnectionContext, Credentials, TokenRefresher } from '../ports/connections.ts';
import type { RefreshCoordinator } from '../proxy/types.ts';
import { createCatalog, nextCronRun } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import { seedConnection, tableConnections, testVault } from './fixtures/refresh-fixtures.ts';
import { createRefreshCoordinator } from './refresh.ts';
import {
  refreshDueConnections,
  refreshDueHandlers,
  refreshDueJob,
  refreshDueJobs,
  refreshDueSchedule,
} from './refresh-job.ts';

const MINUTE = 60_000;

const oauth = (expiresAt: number | undefined, tag: string): Credentials => ({
  type: 'oauth2',
  accessToken: `access-${tag}`,
  refreshToken: `refresh-${tag}`,
  ...(expiresAt === undefined ? {} : { expiresAt }),
});

/** A coordinator stand-in that records which connections it was asked about. */
function recordingCoordinator(options: { failFor?: Set<string>; holdMs?: boolean } = {}) {
  const asked: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const coordinator: RefreshCoordinator = {
    async ensureFresh(environmentId, connectionId) {
      asked.push(connectionId);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        // Let the other lanes start, so concurrency is observable.
        await setImmediate();
        await setImmediate();
        if (options.failFor?.has(connectionId)) {
          throw new PatchbayError('refresh_failed', `Connection ${connectionId}: the provider is down`);
        }
        return { id: connectionId, environmentId, updatedAt: 0 } as ConnectionContext;
      } finally {
        inFlight -= 1;
      }
    },
  };
  return {
    coordinator,
    asked,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

describe('refresh-due job declaration', () => {
  it('is a catalog fragment the engine can merge, scheduled every minute', () => {
    const catalog = createCatalog([...refreshDueJobs]);
    assert.equal(catalog['connections.refresh-due'], refreshDueJob);
    assert.equal(refreshDueSchedule.job, refreshDueJob.name);
    assert.deepEqual(refreshDueJob.payload.parse(refreshDueSchedule.payload), {});
    const start = Date.UTC(2026, 0, 1, 12, 0, 30);
    assert.equal(nextCronRun(refreshDueSchedule.cron, 'UTC', start), Date.UTC(2026, 0, 1, 12, 1, 0));
    assert.ok(refreshDueJob.payload instanceof z.ZodObject);
  });
});

for (const target of await testDatabases()) {
  describe(`refresh-due job on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    let vault: Vault;
    let clock: ManualClock;

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
    beforeEach(async () => {
      for (const table of [
        'connection_locks',
        'events',
        'connections',
        'integrations',
        'environments',
      ] as const) {
        await store.db.deleteFrom(table).execute();
      }
      clock = new ManualClock();
    });

    const seed = (
      credentials: Credentials,
      extra: { status?: 'reauth_required'; environmentId?: string } = {},
    ) => seedConnection(store, vault, { credentials, now: clock.now(), ...extra });

    it('picks only active connections expiring within the window, in every environment', async () => {
      const now = clock.now();
      const soon = await seed(oauth(now + 3 * MINUTE, 'soon'));
      const expired = await seed(oauth(now - MINUTE, 'expired'));
      const edge = await seed(oauth(now + 7 * MINUTE, 'edge'), { environmentId: soon.environmentId });
      const otherEnvironment = await seed(oauth(now + MINUTE, 'other-env'));
      await seed(oauth(now + 7 * MINUTE + 1, 'later'));
      await seed(oauth(now + 24 * 60 * MINUTE, 'tomorrow'));
      await seed(oauth(undefined, 'never-expires'));
      await seed({ type: 'api_key', values: { apiKey: 'k' } });
      await seed(oauth(now - MINUTE, 'revoked'), { status: 'reauth_required' });

      const recorder = recordingCoordinator();
      const report = await refreshDueConnections({
        store,
        clock,
        coordinator: recorder.coordinator,
        logger: createLogger({ level: 'silent' }),
        lookAheadMs: 7 * MINUTE,
      });
      // Soonest expiry first.
      assert.deepEqual(recorder.asked, [
        expired.connectionId,
        otherEnvironment.connectionId,
        soon.connectionId,
        edge.connectionId,
      ]);
      assert.equal(report.due, 4);
      assert.equal(report.failed, 0);
    });

    it('walks every due connection once across batches, with bounded concurrency', async () => {
      const now = clock.now();
      const seeded = [];
      // Several share one expiry, so the pages must also order by id.
      for (let i = 0; i < 11; i++) seeded.push(await seed(oauth(now + (i % 3) * MINUTE, `c${i}`)));
      const recorder = recordingCoordinator();
      const report = await refreshDueConnections({
        store,
        clock,
        coordinator: recorder.coordinator,
        logger: createLogger({ level: 'silent' }),
        batchSize: 4,
        concurrency: 3,
      });
      assert.equal(report.due, 11);
      assert.deepEqual([...recorder.asked].sort(), seeded.map((s) => s.connectionId).sort());
      assert.equal(recorder.maxInFlight, 3);
    });

    it('logs a failing connection without secrets and goes on with the others', async () => {
      const now = clock.now();
      const failing = await seed(oauth(now, 'failing'));
      const fine = await seed(oauth(now + MINUTE, 'fine'));
      const recorder = recordingCoordinator({ failFor: new Set([failing.connectionId]) });
      const logs = createMemoryDestination();
      const report = await refreshDueConnections({
        store,
        clock,
        coordinator: recorder.coordinator,
        logger: createLogger({ destination: logs }),
      });
      assert.deepEqual(recorder.asked, [failing.connectionId, fine.connectionId]);
      assert.deepEqual({ due: report.due, failed: report.failed }, { due: 2, failed: 1 });
      const warning = logs.entries().find((e) => e.msg === 'scheduled token refresh failed');
      assert.equal(warning?.connectionId, failing.connectionId);
      assert.equal(warning?.code, 'refresh_failed');
      assert.doesNotMatch(logs.text(), /access-|refresh-failing/);
    });

    it('stops starting refreshes once its signal is aborted', async () => {
      for (let i = 0; i < 5; i++) await seed(oauth(clock.now(), `c${i}`));
      const controller = new AbortController();
      const recorder = recordingCoordinator();
      const coordinator: RefreshCoordinator = {
        ensureFresh: async (environmentId, connectionId) => {
          controller.abort();
          return recorder.coordinator.ensureFresh(environmentId, connectionId);
        },
      };
      await refreshDueConnections(
        { store, clock, coordinator, logger: createLogger({ level: 'silent' }), concurrency: 1 },
        controller.signal,
      );
      assert.equal(recorder.asked.length, 1);
    });

    it('refreshes through the real coordinator only what is inside its margin (handler)', async () => {
      const now = clock.now();
      // Tokens stored an hour ago (the margin shrinks for tokens that live shorter than twice it).
      const storedAt = now - 60 * MINUTE;
      const seedAt = (credentials: Credentials) =>
        seedConnection(store, vault, { credentials, now: storedAt });
      const inside = await seedAt(oauth(now + 2 * MINUTE, 'inside'));
      const lookedAt = await seedAt(oauth(now + 6 * MINUTE, 'looked-at'));
      const revoked = await seedAt(oauth(now - MINUTE, 'revoked'));
      const calls: string[] = [];
      const refresher: TokenRefresher = {
        async refresh(_integration, credentials) {
          const tag = credentials.type === 'oauth2' ? credentials.refreshToken : '';
          calls.push(tag ?? '');
          if (tag === 'refresh-revoked') {
            return { ok: false, kind: 'rejected', code: 'invalid_grant', message: 'revoked' };
          }
          return { ok: true, credentials: oauth(clock.now() + 60 * MINUTE, `${tag}-new`) };
        },
      };
      const logs = createMemoryDestination();
      const logger = createLogger({ destination: logs });
      const coordinator = createRefreshCoordinator({
        store,
        connections: tableConnections(store, vault, clock),
        refresher,
        clock,
        logger,
        marginMs: 5 * MINUTE,
      });
      const handlers = refreshDueHandlers({ store, clock, coordinator, logger });
      const run = handlers['connections.refresh-due']!;
      await run({}, { signal: new AbortController().signal, job: jobInfo() });
      assert.deepEqual(calls.sort(), ['refresh-inside', 'refresh-revoked']);
      const statuses = await store.db
        .selectFrom('connections')
        .select(['id', 'status', 'expires_at'])
        .execute();
      const byId = new Map(statuses.map((s) => [s.id, s]));
      assert.equal(byId.get(inside.connectionId)?.expires_at, now + 60 * MINUTE);
      assert.equal(byId.get(lookedAt.connectionId)?.expires_at, now + 6 * MINUTE);
      assert.equal(byId.get(revoked.connectionId)?.status, 'reauth_required');
      const summary = logs.entries().find((e) => e.msg === 'scheduled token refresh pass');
      assert.deepEqual([summary?.due, summary?.refreshed, summary?.failed], [3, 1, 1]);

      // A minute later the looked-at token has entered the margin and is refreshed; the revoked
      // connection is no longer picked.
      calls.length = 0;
      clock.advance(MINUTE);
      await run({}, { signal: new AbortController().signal, job: jobInfo() });
      assert.deepEqual(calls, ['refresh-looked-at']);
    });
  });
}

function jobInfo() {
  return {
    id: 'job_1',
    name: 'connections.refresh-due',
    attempt: 1,
    maxAttempts: 1,
    environmentId: null,
    createdAt: 0,
  };
}
