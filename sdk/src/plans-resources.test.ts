import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LibraryEngine, startLibraryEngine } from '../../test/support/library-engine.ts';
import { isPatchbayApiError, PatchbayClient } from './index.ts';

describe('SDK end users and plans', () => {
  let pb: LibraryEngine;
  let client: PatchbayClient;
  before(async () => {
    pb = await startLibraryEngine();
    client = new PatchbayClient({ baseUrl: pb.baseUrl, apiKey: pb.apiKey });
    await client.integrations.create({ provider: 'stripe-api-key' });
  });
  after(async () => {
    await pb?.stop();
  });

  it('manages plans and end users, and reads the refusal a locked integration gets', async () => {
    await client.plans.create({
      key: 'free',
      name: 'Free',
      rank: 0,
      default: true,
      integrations: { keys: [] },
    });
    const pro = await client.plans.put('pro', {
      name: 'Pro',
      rank: 1,
      limits: { perCategory: { payments: 1 } },
    });
    assert.equal(pro.version, 1);
    assert.deepEqual(
      (await client.plans.list()).data.map((plan) => plan.key),
      ['free', 'pro'],
    );
    assert.equal((await client.plans.versions('pro')).data[0]?.change, 'created');

    const user = await client.endUsers.upsert({ id: 'user/42', email: 'ada@example.com' });
    assert.deepEqual(user.plan, { key: 'free', name: 'Free' });
    await assert.rejects(
      client.connectSessions.create({ endUser: { id: 'user/42' }, allowedIntegrations: ['stripe-api-key'] }),
      (error: unknown) => {
        assert.ok(isPatchbayApiError(error));
        assert.equal(error.code, 'plan_upgrade_required');
        assert.equal(error.status, 403);
        assert.equal((error.details as { requiredPlan: { key: string } }).requiredPlan.key, 'pro');
        return true;
      },
    );
    assert.equal((await client.endUsers.update('user/42', { planKey: 'pro' })).planKey, 'pro');
    const session = await client.connectSessions.create({
      endUser: { id: 'user/42' },
      allowedIntegrations: ['stripe-api-key'],
    });
    assert.deepEqual(session.locked, []);

    const detail = await client.endUsers.get('user/42');
    assert.equal(detail.connections.length, 0);
    assert.equal(detail.usage.connections.perCategory.payments?.limit, 1);
    assert.equal((await client.endUsers.usage('user/42')).plan?.key, 'pro');
    assert.deepEqual(
      (await client.endUsers.list({ search: 'ADA' })).data.map((endUser) => endUser.id),
      ['user/42'],
    );
    assert.equal((await client.endUsers.delete('user/42')).connectionsDeleted, 0);
    await client.endUsers.update('user/42', {}).then(
      () => assert.fail('deleted end user updated'),
      (error: unknown) => assert.ok(isPatchbayApiError(error) && error.code === 'not_found'),
    );
    await assert.rejects(
      client.plans.delete('nope'),
      (error: unknown) => isPatchbayApiError(error) && error.status === 404,
    );
  });
});
