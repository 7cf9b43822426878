import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { type LibraryEngine, ShiftedClock, startLibraryEngine } from '../../test/support/library-engine.ts';
import { isPatchbayError } from '../errors/index.ts';
import { listEvents } from '../events/index.ts';

const FREE = { key: 'free', name: 'Free', rank: 0, default: true, integrations: { keys: [] } };
const PRO = {
  key: 'pro',
  name: 'Pro',
  rank: 10,
  integrations: { categories: ['payments', 'email'] },
  limits: { connections: 3, perCategory: { payments: 1 } },
  minSyncFrequency: '1d',
  actions: ['send-email'],
  quotas: { proxyCalls: 2 },
  features: { customWebhookEndpoints: false },
};
const BUSINESS = { key: 'business', name: 'Business', rank: 20, features: { customWebhookEndpoints: true } };

function refusedWith(code: string) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, 403);
    return true;
  };
}

for (const target of await testDatabases()) {
  describe(`plans, end users and usage on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let pb: LibraryEngine;
    let envId: string;
    const clock = new ShiftedClock();

    const services = () => pb.engine.services;
    const connect = (integrationId: string, endUserId: string) =>
      services().providers.connections.save(envId, {
        integrationId,
        endUser: { id: endUserId, email: null, organization: null },
        credentials: { type: 'api_key', values: { apiKey: `key-${integrationId}-${endUserId}` } },
        connectionConfig: {},
        metadata: {},
      });
    const events = async (type: string) =>
      (await listEvents(pb.engine.store.db, envId, { type })).map(
        (event) => event.data as Record<string, unknown>,
      );

    before(async () => {
      database = await target.create!();
      pb = await startLibraryEngine({ config: { databaseUrl: database.databaseUrl }, clock });
      envId = (await pb.call('GET', '/v1/environment')).body.id;
      for (const provider of ['stripe-api-key', 'whop', 'resend', 'medusajs']) {
        await services().providers.integrations.create(envId, { provider });
      }
    });
    after(async () => {
      await pb?.stop();
      await database?.destroy();
    });

    it('without plans nothing is limited, and end users are recorded on first use', async () => {
      const session = await pb.call('POST', '/v1/connect/sessions', {
        endUser: { id: 'u-free', email: 'Ada@Example.com' },
      });
      assert.equal(session.status, 201, session.text);
      assert.equal('locked' in session.body, false);
      await connect('stripe-api-key', 'u-free');
      await connect('whop', 'u-free');
      const endUser = await pb.call('GET', '/v1/end-users/u-free');
      assert.equal(endUser.status, 200, endUser.text);
      assert.equal(endUser.body.email, 'Ada@Example.com');
      assert.equal(endUser.body.plan, null);
      assert.equal(endUser.body.connections.length, 2);
      assert.deepEqual(endUser.body.usage.metrics.proxyCalls, { used: 0, limit: null });
      const pace = await services().plans.entitlements.pace(envId, endUser.body.connections[0].id, 900_000);
      assert.deepEqual(pace, { run: true, frequencyMs: 900_000 });
    });

    it('creates plans through the API, versioned and audited', async () => {
      for (const plan of [FREE, PRO]) {
        const created = await pb.call('POST', '/v1/plans', plan);
        assert.equal(created.status, 201, created.text);
        assert.equal(created.body.version, 1);
      }
      const put = await pb.call('PUT', '/v1/plans/business', { ...BUSINESS, key: undefined });
      assert.equal(put.status, 201, put.text);
      const again = await pb.call('PUT', '/v1/plans/business', { name: 'Business', rank: 20 });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.version, 2);
      assert.equal(again.body.features, undefined);
      const restored = await pb.call('PUT', '/v1/plans/business', {
        name: 'Business',
        rank: 20,
        features: BUSINESS.features,
      });
      assert.equal(restored.body.version, 3);
      const versions = await pb.call('GET', '/v1/plans/business/versions');
      assert.deepEqual(
        versions.body.data.map((v: { version: number; change: string }) => [v.version, v.change]),
        [
          [3, 'updated'],
          [2, 'updated'],
          [1, 'created'],
        ],
      );
      assert.match(versions.body.data[0].actor, /^key_/);
      const list = await pb.call('GET', '/v1/plans');
      assert.deepEqual(
        list.body.data.map((plan: { key: string }) => plan.key),
        ['free', 'pro', 'business'],
      );
      assert.equal((await pb.call('POST', '/v1/plans', FREE)).body.error.code, 'conflict');
      const bad = await pb.call('POST', '/v1/plans', {
        ...PRO,
        key: 'x',
        limits: { perCategory: { cars: 1 } },
      });
      assert.equal(bad.status, 400, bad.text);
      assert.equal((await events('plan.updated')).length, 5);
      // A key deleted and used again continues its version log.
      await pb.call('POST', '/v1/plans', { key: 'temp', name: 'Temp', rank: 5 });
      assert.equal((await pb.call('DELETE', '/v1/plans/temp')).status, 200);
      assert.equal(
        (await pb.call('POST', '/v1/plans', { key: 'temp', name: 'Temp', rank: 5 })).body.version,
        3,
      );
      assert.deepEqual(
        (await pb.call('GET', '/v1/plans/temp/versions')).body.data.map((v: { change: string }) => v.change),
        ['created', 'deleted', 'created'],
      );
      assert.equal((await pb.call('DELETE', '/v1/plans/temp')).status, 200);
    });

    it('refuses a session for locked integrations naming the cheapest plan, and filters a mixed one', async () => {
      const refused = await pb.call('POST', '/v1/connect/sessions', {
        endUser: { id: 'u-1' },
        allowedIntegrations: ['stripe-api-key'],
      });
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.error.code, 'plan_upgrade_required');
      assert.equal(refused.body.error.details.requiredPlan.key, 'pro');
      assert.equal(refused.body.error.details.plan.key, 'free');
      assert.match(refused.body.error.message, /Pro plan/);

      await pb.call('PATCH', '/v1/end-users/u-1', { planKey: 'pro' });
      const mixed = await pb.call('POST', '/v1/connect/sessions', {
        endUser: { id: 'u-1' },
        allowedIntegrations: ['stripe-api-key', 'medusajs'],
      });
      assert.equal(mixed.status, 201, mixed.text);
      assert.deepEqual(
        mixed.body.locked.map((lock: { integrationKey: string; code: string }) => [
          lock.integrationKey,
          lock.code,
        ]),
        [['medusajs', 'plan_upgrade_required']],
      );
      assert.equal(mixed.body.locked[0].details.requiredPlan.key, 'business');
      const states = await services().plans.entitlements.integrationStates(envId, 'u-1');
      assert.deepEqual(
        states.map((state) => [state.integrationKey, state.lock?.code ?? null]),
        [
          ['medusajs', 'plan_upgrade_required'],
          ['resend', null],
          ['stripe-api-key', null],
          ['whop', null],
        ],
      );
      const session = await services().providers.sessions.authenticate(mixed.body.token);
      assert.deepEqual(session.allowedIntegrations, ['stripe-api-key']);
      assert.deepEqual(await events('end_user.plan_changed'), [
        { endUserId: 'u-1', from: null, to: 'pro', source: 'api' },
      ]);
    });

    it('limits connections per category, pauses on a downgrade and resumes on an upgrade', async () => {
      const first = await connect('stripe-api-key', 'u-1');
      await assert.rejects(connect('whop', 'u-1'), (error: unknown) => {
        refusedWith('plan_limit_reached')(error);
        const details = (error as { details: Record<string, unknown> }).details;
        assert.equal(details.limit, 'category');
        assert.equal(details.category, 'payments');
        assert.equal(details.max, 1);
        assert.equal(details.usage, 1);
        assert.equal((details.requiredPlan as { key: string }).key, 'business');
        return true;
      });
      const session = await pb.call('POST', '/v1/connect/sessions', {
        endUser: { id: 'u-1' },
        allowedIntegrations: ['whop'],
      });
      assert.equal(session.body.error.code, 'plan_limit_reached');

      await pb.call('PATCH', '/v1/end-users/u-1', { planKey: 'business' });
      clock.offset += 1000;
      const second = await connect('whop', 'u-1');
      await pb.call('PATCH', '/v1/end-users/u-1', { planKey: 'pro' });
      const paused = await events('connection.paused');
      // The free default plan, created after them, paused u-free's connections.
      assert.deepEqual(
        paused.filter((event) => event.endUserId === 'u-free').map((event) => event.reason),
        ['integration', 'integration'],
      );
      // The most recently used (the newer) stays active.
      assert.deepEqual(
        paused
          .filter((event) => event.endUserId === 'u-1')
          .map((event) => [event.connectionId, event.reason]),
        [[first.id, 'category:payments']],
      );
      const detail = await pb.call('GET', '/v1/end-users/u-1');
      const pausedFlags = Object.fromEntries(
        detail.body.connections.map((c: { id: string; paused: boolean }) => [c.id, c.paused]),
      );
      assert.deepEqual(pausedFlags, { [first.id]: true, [second.id]: false });
      assert.equal(detail.body.usage.connections.paused, 1);
      assert.deepEqual(detail.body.usage.connections.perCategory.payments, { used: 1, limit: 1 });
      await assert.rejects(
        services().plans.entitlements.beforeProxyCall(envId, first.id),
        refusedWith('plan_limit_reached'),
      );
      assert.deepEqual(await services().plans.entitlements.pace(envId, first.id, 900_000), {
        run: false,
        frequencyMs: 86_400_000,
      });

      await pb.call('PATCH', '/v1/end-users/u-1', { planKey: 'business' });
      assert.deepEqual(
        (await events('connection.resumed')).map((event) => event.connectionId),
        [first.id],
      );
      await services().plans.entitlements.beforeProxyCall(envId, first.id);
      await pb.call('PATCH', '/v1/end-users/u-1', { planKey: 'pro' });
      // Deleting the active one makes room: the paused one resumes.
      await pb.call('DELETE', `/v1/connections/${second.id}`);
      assert.deepEqual(
        (await events('connection.resumed')).map((event) => event.connectionId),
        [first.id, first.id],
      );
    });

    it('clamps sync frequency, refuses actions outside the plan, and enforces monthly quotas that reset', async () => {
      clock.offset = 0;
      assert.equal((await pb.call('POST', '/v1/end-users', { id: 'u-quota', planKey: 'pro' })).status, 201);
      const connection = await connect('resend', 'u-quota');
      const entitlements = services().plans.entitlements;
      assert.deepEqual(await entitlements.pace(envId, connection.id, 900_000), {
        run: true,
        frequencyMs: 86_400_000,
      });
      await entitlements.beforeAction(envId, connection.id, 'send-email');
      await assert.rejects(
        entitlements.beforeAction(envId, connection.id, 'add-contact'),
        (error: unknown) => {
          refusedWith('plan_upgrade_required')(error);
          assert.equal(
            (error as { details: { requiredPlan: { key: string } } }).details.requiredPlan.key,
            'business',
          );
          return true;
        },
      );
      const action = await pb.call('POST', `/v1/connections/${connection.id}/actions/add-contact`, {
        input: {},
      });
      if (action.status !== 404) {
        assert.equal(action.status, 403, action.text);
        assert.equal(action.body.error.code, 'plan_upgrade_required');
      }

      await entitlements.beforeProxyCall(envId, connection.id);
      await entitlements.beforeProxyCall(envId, connection.id);
      await assert.rejects(entitlements.beforeProxyCall(envId, connection.id), (error: unknown) => {
        refusedWith('quota_exceeded')(error);
        const details = (error as { details: Record<string, unknown> }).details;
        assert.equal(details.metric, 'proxyCalls');
        assert.equal(details.usage, 2);
        assert.equal(details.max, 2);
        assert.equal((details.requiredPlan as { key: string }).key, 'business');
        return true;
      });
      const usage = await pb.call('GET', '/v1/end-users/u-quota/usage');
      assert.deepEqual(usage.body.metrics.proxyCalls, { used: 2, limit: 2 });

      // The next calendar month starts from zero.
      const now = new Date(clock.now());
      clock.offset += Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime() + 1000;
      await entitlements.beforeProxyCall(envId, connection.id);
      const next = await pb.call('GET', '/v1/end-users/u-quota/usage');
      assert.deepEqual(next.body.metrics.proxyCalls, { used: 1, limit: 2 });
      const previous = await pb.call('GET', `/v1/end-users/u-quota/usage?period=${usage.body.period}`);
      assert.equal(previous.body.metrics.proxyCalls.used, 2);
      clock.offset = 0;
    });

    it('lists and searches end users, and deletes one with their connections', async () => {
      await pb.call('POST', '/v1/end-users', { id: 'search-me', email: 'Grace@example.com', name: 'Grace' });
      const byEmail = await pb.call('GET', '/v1/end-users?search=grace');
      assert.deepEqual(
        byEmail.body.data.map((user: { id: string }) => user.id),
        ['search-me'],
      );
      const page = await pb.call('GET', '/v1/end-users?limit=2');
      assert.equal(page.body.data.length, 2);
      assert.ok(page.body.nextAfter);
      const rest = await pb.call('GET', `/v1/end-users?after=${encodeURIComponent(page.body.nextAfter)}`);
      assert.equal(
        rest.body.data.some((user: { id: string }) =>
          page.body.data.some((p: { id: string }) => p.id === user.id),
        ),
        false,
      );
      assert.equal((await pb.call('PATCH', '/v1/end-users/search-me', { planKey: 'nope' })).status, 400);
      assert.equal((await pb.call('GET', '/v1/end-users/nobody')).status, 404);

      const deleted = await pb.call('DELETE', '/v1/end-users/u-free');
      assert.equal(deleted.status, 200, deleted.text);
      assert.equal(deleted.body.connectionsDeleted, 2);
      assert.equal((await pb.call('GET', '/v1/connections?endUserId=u-free')).body.data.length, 0);
      assert.deepEqual(await events('end_user.deleted'), [{ endUserId: 'u-free', connectionsDeleted: 2 }]);
      assert.equal(
        (await events('connection.deleted')).filter((event) => event.endUserId === 'u-free').length,
        2,
      );
      const planInUse = await pb.call('DELETE', '/v1/plans/pro');
      assert.equal(planInUse.body.error.code, 'conflict');
    });
  });
}

describe('the plans file', () => {
  let pb: LibraryEngine;
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-plans-file-'));
  const file = join(dir, 'plans.json');
  before(async () => {
    writeFileSync(
      file,
      JSON.stringify({
        plans: [FREE, PRO],
        environments: { prod: { plans: [{ key: 'all', name: 'All', rank: 0, default: true }] } },
      }),
    );
    pb = await startLibraryEngine({ config: { plansFile: file } });
  });
  after(async () => {
    await pb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads plans per environment at start and keeps the API from changing them', async () => {
    const list = await pb.call('GET', '/v1/plans');
    assert.deepEqual(
      list.body.data.map((plan: { key: string; source: string }) => [plan.key, plan.source]),
      [
        ['free', 'file'],
        ['pro', 'file'],
      ],
    );
    const change = await pb.call('PUT', '/v1/plans/pro', { name: 'Pro!', rank: 1 });
    assert.equal(change.status, 409, change.text);
    const versions = await pb.call('GET', '/v1/plans/free/versions');
    assert.equal(versions.body.data[0].actor, 'file');
  });
});
