/**
 * Plans and syncs through the engine, on both databases: a 15-minute schedule on a daily plan
 * runs daily (the real scheduler asking the real entitlements, with an injected clock), and a
 * sync asked for by hand on a connection the plan keeps paused is refused with a stable code.
 * The integration's calls go to a closed loopback port: runs fail at once, which is all the
 * scheduler needs of them here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import {
  type LibraryEngine,
  ShiftedClock,
  startLibraryEngine,
  waitFor,
} from '../../test/support/library-engine.ts';
import { isPatchbayError } from '../errors/index.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;

for (const target of await testDatabases()) {
  describe(`plans pacing and gating syncs on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let pb: LibraryEngine;
    let envId: string;
    let integrationId: string;
    const clock = new ShiftedClock();
    const services = () => pb.engine.services;
    const connect = (endUserId: string) =>
      services().providers.connections.save(envId, {
        integrationId,
        endUser: { id: endUserId, email: null, organization: null },
        credentials: { type: 'api_key', values: { secretKey: `sk_test_${endUserId}` } },
        connectionConfig: {},
        metadata: {},
      });
    const runsOf = async (connectionId: string) =>
      (await pb.call('GET', `/v1/sync-runs?connectionId=${connectionId}&limit=100`)).body.data as Array<{
        trigger: string;
        status: string;
      }>;

    before(async () => {
      database = await target.create!();
      pb = await startLibraryEngine({ config: { databaseUrl: database.databaseUrl }, clock });
      envId = (await pb.call('GET', '/v1/environment')).body.id;
      const integration = await pb.call('POST', '/v1/integrations', {
        provider: 'stripe-api-key',
        settings: { baseUrls: { '*': 'http://127.0.0.1:9' }, autoStartSyncs: [] },
      });
      assert.equal(integration.status, 201, integration.text);
      integrationId = integration.body.id;
      for (const plan of [
        {
          key: 'daily',
          name: 'Daily',
          rank: 0,
          default: true,
          limits: { connections: 1 },
          minSyncFrequency: '1d',
        },
        { key: 'label', name: 'Label', rank: 20 },
      ]) {
        assert.equal((await pb.call('POST', '/v1/plans', plan)).status, 201);
      }
    });
    after(async () => {
      await pb?.stop();
      await database?.destroy();
    });

    it('a 15-minute schedule on a daily plan runs daily', async () => {
      const connection = await connect('u-daily');
      const schedule = await pb.call('PATCH', `/v1/connections/${connection.id}/syncs/customers`, {
        frequency: '15m',
      });
      assert.equal(schedule.status, 200, schedule.text);
      assert.equal(schedule.body.frequencySeconds, 15 * 60);
      const scheduled = async () => (await runsOf(connection.id)).filter((run) => run.trigger === 'schedule');

      await services().syncs.scheduler.tick();
      await waitFor('the first scheduled run', async () =>
        (await scheduled()).length === 1 ? true : undefined,
      );
      // Its close sets the next turn by the schedule's own 15 minutes; the scheduler still waits a day.
      await waitFor(
        'the first run to end',
        async () =>
          (await runsOf(connection.id)).every((run) => run.status === 'failed' || run.status === 'succeeded')
            ? true
            : undefined,
        30_000,
      );
      const startedAt = clock.now();
      for (const step of [15, 15, 60, 6 * 60]) {
        clock.offset += step * MINUTE;
        await services().syncs.scheduler.tick();
        assert.equal((await scheduled()).length, 1, `no run ${step} minutes later on a daily plan`);
      }
      const [paced] = await services().syncs.scheduler.list(envId, connection.id);
      // The schedule keeps its 15 minutes; the plan sets the next turn a day after the last run.
      assert.equal(paced?.frequencyMs, 15 * MINUTE);
      assert.ok((paced?.nextRunAt ?? 0) >= startedAt + DAY - MINUTE, String(paced?.nextRunAt));
      clock.offset += DAY;
      await services().syncs.scheduler.tick();
      await waitFor('the next day’s run', async () => ((await scheduled()).length === 2 ? true : undefined));
    });

    it('a manual sync of a connection paused by the plan is refused with plan_limit_reached', async () => {
      assert.equal((await pb.call('POST', '/v1/end-users', { id: 'u-two', planKey: 'label' })).status, 201);
      const first = await connect('u-two');
      clock.offset += MINUTE;
      const second = await connect('u-two');
      // Back to the default plan (one connection): the less recently used one is paused. Which
      // one that is depends on when each one's first sync ran, so ask the plan instead of assuming.
      const downgraded = await pb.call('PATCH', '/v1/end-users/u-two', { planKey: null });
      assert.equal(downgraded.status, 200, downgraded.text);
      const paused = await services().plans.entitlements.pausedConnections(envId, 'u-two');
      assert.equal(paused.size, 1, JSON.stringify([...paused]));
      const [older, newer] = paused.has(first.id) ? [first, second] : [second, first];
      assert.ok(paused.has(older.id));

      const refused = await pb.call('POST', `/v1/connections/${older.id}/syncs/customers/trigger`, {});
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.error.code, 'plan_limit_reached');
      assert.equal(refused.body.error.details.limit, 'paused');
      assert.equal(refused.body.error.details.connectionId, older.id);
      assert.match(refused.body.error.message, /is paused.*Upgrade, or delete another connection/);
      assert.deepEqual(await runsOf(older.id), [], 'a refused trigger leaves no run');
      await assert.rejects(services().syncs.syncs.runNow(envId, older.id, 'customers'), (error: unknown) =>
        isPatchbayError(error, 'plan_limit_reached'),
      );
      // The connection that fits the plan syncs on demand.
      await services().plans.entitlements.beforeManualSync(envId, newer.id);
      const allowed = await pb.call('POST', `/v1/connections/${newer.id}/syncs/customers/trigger`, {});
      assert.equal(allowed.status, 202, allowed.text);
    });
  });
}
