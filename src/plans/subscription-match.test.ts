import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { subscriptionRuleInputSchema } from './schema.ts';
import { derivePlan, isActive, ruleOutcome, type SubscriptionFacts } from './subscription-match.ts';
import type { SubscriptionRule } from './subscription-rules.ts';
import type { Plan } from './types.ts';

function plan(key: string, rank: number, isDefault = false): Plan {
  return {
    key,
    name: key,
    description: null,
    rank,
    isDefault,
    rules: {},
    source: 'api',
    version: 1,
    createdAt: 0,
    updatedAt: 0,
  };
}

const PLANS = [plan('free', 0, true), plan('pro', 10), plan('business', 20)];

function rule(overrides: Partial<SubscriptionRule> = {}): SubscriptionRule {
  return {
    key: 'stripe-billing',
    integrationKey: 'stripe',
    model: 'subscriptions',
    endUser: { from: 'metadata', key: 'patchbayEndUserId' },
    activeStatuses: ['active', 'trialing'],
    statusPath: 'status',
    plans: [
      { planKey: 'pro', path: 'items.priceId', values: ['price_pro_month', 'price_pro_year'] },
      { planKey: 'business', path: 'items.productId', values: ['prod_business'] },
    ],
    fallbackPlanKey: 'free',
    source: 'api',
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

function subscription(
  id: string,
  status: string,
  items: Array<{ priceId?: string; productId?: string }>,
  extra: Partial<SubscriptionFacts> = {},
): SubscriptionFacts {
  return {
    id,
    data: { id, status, items: items.map((item, i) => ({ id: `si_${i}`, ...item })), raw: {} },
    deleted: false,
    modifiedAt: 1,
    ...extra,
  };
}

describe('plan-from-subscription rules', () => {
  it('an active subscription with a listed price gives its plan; the dearest match wins', () => {
    const pro = subscription('sub_1', 'active', [{ priceId: 'price_pro_year' }]);
    assert.deepEqual(ruleOutcome(rule(), PLANS, [pro]), {
      planKey: 'pro',
      ruleKey: 'stripe-billing',
      integrationKey: 'stripe',
      subscriptionId: 'sub_1',
      status: 'active',
      fallback: false,
    });
    const both = subscription('sub_2', 'trialing', [
      { priceId: 'price_pro_month' },
      { productId: 'prod_business' },
    ]);
    assert.equal(ruleOutcome(rule(), PLANS, [pro, both])?.planKey, 'business');
  });

  it('canceled, unpaid or deleted subscriptions give the fallback, naming the last one changed', () => {
    const canceled = subscription('sub_1', 'canceled', [{ priceId: 'price_pro_month' }], { modifiedAt: 5 });
    const unpaid = subscription('sub_2', 'unpaid', [{ priceId: 'price_pro_month' }], { modifiedAt: 9 });
    const gone = subscription('sub_3', 'active', [{ priceId: 'price_pro_month' }], { deleted: true });
    const outcome = ruleOutcome(rule(), PLANS, [canceled, unpaid, gone]);
    assert.deepEqual(
      [outcome?.planKey, outcome?.fallback, outcome?.subscriptionId, outcome?.status],
      ['free', true, 'sub_2', 'unpaid'],
    );
    // No fallback plan named: the environment's default (null).
    assert.equal(ruleOutcome(rule({ fallbackPlanKey: null }), PLANS, [canceled])?.planKey, null);
  });

  it('past_due counts when the rule says so; the status may live elsewhere in the record', () => {
    const late = subscription('sub_1', 'past_due', [{ priceId: 'price_pro_month' }]);
    assert.equal(isActive(rule(), late), false);
    assert.equal(
      ruleOutcome(rule({ activeStatuses: ['active', 'past_due'] }), PLANS, [late])?.planKey,
      'pro',
    );
    // A Whop-like membership: status and plan id in `raw`.
    const membership: SubscriptionFacts = {
      id: 'mem_1',
      data: { id: 'mem_1', raw: { valid: true, status: 'completed', plan: { id: 'plan_author_pro' } } },
      deleted: false,
      modifiedAt: 1,
    };
    const whop = rule({
      integrationKey: 'whop',
      statusPath: 'raw.valid',
      activeStatuses: ['true'],
      plans: [{ planKey: 'pro', path: 'raw.plan.id', values: ['plan_author_pro'] }],
    });
    assert.equal(ruleOutcome(whop, PLANS, [membership])?.planKey, 'pro');
  });

  it('a rule without records of the end user gives nothing; plans no longer there are skipped', () => {
    assert.equal(ruleOutcome(rule(), PLANS, []), undefined);
    const orphan = rule({ plans: [{ planKey: 'gone', path: 'items.priceId', values: ['price_pro_month'] }] });
    const active = subscription('sub_1', 'active', [{ priceId: 'price_pro_month' }]);
    assert.deepEqual(ruleOutcome(orphan, PLANS, [active])?.planKey, 'free');
  });

  it('across rules the dearest outcome wins, and no records at all leaves the plan alone', () => {
    const stripe = rule();
    const whop = rule({
      key: 'whop-billing',
      integrationKey: 'whop',
      plans: [{ planKey: 'business', path: 'raw.plan', values: ['plan_b'] }],
    });
    const records = new Map<string, SubscriptionFacts[]>([
      ['stripe-billing', [subscription('sub_1', 'active', [{ priceId: 'price_pro_month' }])]],
      ['whop-billing', [subscription('mem_1', 'canceled', [])]],
    ]);
    const outcome = derivePlan([stripe, whop], PLANS, (r) => records.get(r.key) ?? []);
    assert.deepEqual([outcome?.planKey, outcome?.ruleKey], ['pro', 'stripe-billing']);
    assert.equal(
      derivePlan([stripe, whop], PLANS, () => []),
      undefined,
    );
  });

  it('the rule schema refuses bad paths and empty entries', () => {
    const base = {
      key: 'r',
      integrationKey: 'stripe',
      endUser: { from: 'connection' },
      plans: [{ planKey: 'pro', path: 'items.priceId', values: ['price_1'] }],
    };
    assert.equal(subscriptionRuleInputSchema.safeParse(base).success, true);
    assert.equal(
      subscriptionRuleInputSchema.safeParse({ ...base, plans: [{ ...base.plans[0], path: 'items..x' }] })
        .success,
      false,
    );
    assert.equal(subscriptionRuleInputSchema.safeParse({ ...base, plans: [] }).success, false);
    assert.equal(
      subscriptionRuleInputSchema.safeParse({ ...base, endUser: { from: 'metadata' } }).success,
      false,
    );
  });
});
