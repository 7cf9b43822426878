import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { periodBounds, periodOf } from './period.ts';
import {
  actionAllowed,
  cheapestPlan,
  connectionLimitBroken,
  frequencyFloorMs,
  integrationAllowed,
  quotaOf,
} from './rules.ts';
import type { PlanRules } from './schema.ts';
import type { Plan } from './types.ts';

function plan(key: string, rank: number, rules: PlanRules): Plan {
  return {
    key,
    name: key,
    description: null,
    rank,
    isDefault: false,
    rules,
    source: 'api',
    version: 1,
    createdAt: 0,
    updatedAt: 0,
  };
}

const stripe = { key: 'stripe', categories: ['payments'] };
const whop = { key: 'whop', categories: ['payments', 'commerce'] };
const sheets = { key: 'sheets', categories: ['spreadsheets'] };

describe('plan rules', () => {
  it('allows integrations by key or category, and all when unset', () => {
    assert.ok(integrationAllowed(plan('a', 0, {}), stripe));
    assert.ok(integrationAllowed(plan('a', 0, { integrations: 'all' }), stripe));
    assert.ok(!integrationAllowed(plan('a', 0, { integrations: { keys: [] } }), stripe));
    assert.ok(integrationAllowed(plan('a', 0, { integrations: { keys: ['stripe'] } }), stripe));
    assert.ok(integrationAllowed(plan('a', 0, { integrations: { categories: ['commerce'] } }), whop));
    assert.ok(!integrationAllowed(plan('a', 0, { integrations: { categories: ['commerce'] } }), sheets));
  });

  it('allows actions by name or integration-scoped name', () => {
    const rules = plan('a', 0, { actions: ['send-email', 'stripe:create-invoice'] });
    assert.ok(actionAllowed(rules, 'resend', 'send-email'));
    assert.ok(actionAllowed(rules, 'stripe', 'create-invoice'));
    assert.ok(!actionAllowed(rules, 'whop', 'create-invoice'));
    assert.ok(actionAllowed(plan('a', 0, {}), 'whop', 'anything'));
  });

  it('counts connections in all and per category', () => {
    const rules = plan('a', 0, { limits: { connections: 3, perCategory: { payments: 1 } } });
    assert.equal(connectionLimitBroken(rules, [sheets], stripe), null);
    assert.deepEqual(connectionLimitBroken(rules, [stripe], whop), {
      limit: 'category',
      category: 'payments',
      max: 1,
      usage: 1,
    });
    assert.deepEqual(connectionLimitBroken(rules, [sheets, sheets, sheets], sheets), {
      limit: 'connections',
      max: 3,
      usage: 3,
    });
    assert.equal(
      connectionLimitBroken(plan('a', 0, { limits: { connections: null } }), [sheets, sheets], sheets),
      null,
    );
  });

  it('names the cheapest plan that allows, by rank', () => {
    const plans = [
      plan('business', 20, {}),
      plan('free', 0, { integrations: { keys: [] } }),
      plan('pro', 10, {}),
    ];
    assert.deepEqual(
      cheapestPlan(plans, (candidate) => integrationAllowed(candidate, stripe)),
      { key: 'pro', name: 'pro', rank: 10 },
    );
    assert.equal(
      cheapestPlan(plans, () => false),
      null,
    );
  });

  it('reads frequency floors and quotas', () => {
    assert.equal(frequencyFloorMs(plan('a', 0, { minSyncFrequency: '1d' })), 86_400_000);
    assert.equal(frequencyFloorMs(plan('a', 0, {})), 0);
    assert.equal(frequencyFloorMs(null), 0);
    assert.equal(quotaOf(plan('a', 0, { quotas: { proxyCalls: 5 } }), 'proxyCalls'), 5);
    assert.equal(quotaOf(plan('a', 0, { quotas: { proxyCalls: 5 } }), 'actionRuns'), null);
  });

  it('names calendar months in UTC', () => {
    assert.deepEqual(periodOf(Date.UTC(2026, 11, 31, 23, 59, 59)), {
      key: '2026-12',
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2027, 0, 1),
    });
    assert.equal(periodBounds('2026-02')?.end, Date.UTC(2026, 2, 1));
    assert.equal(periodBounds('2026-13'), undefined);
  });
});

describe('plan schema', () => {
  it('refuses sync frequencies the scheduler could not parse', async () => {
    const { planRulesSchema } = await import('./schema.ts');
    for (const good of ['15m', '1d', '2h30m', '365d'])
      assert.ok(planRulesSchema.safeParse({ minSyncFrequency: good }).success, good);
    for (const bad of ['', '0m', '366d', '02h5875604958m7s', '1x', '1h1d']) {
      assert.ok(!planRulesSchema.safeParse({ minSyncFrequency: bad }).success, bad);
    }
  });
});
