/**
 * Whop's objects as shared records: statuses, plan ids as price ids, decimal amounts as minor
 * units, and the membership handler's ordering and change detection, called directly with a
 * context that keeps records in a map.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paymentModel, productModel, subscriptionModel } from '../../src/scripts/index.ts';
import {
  minorUnits,
  subscriptionStatusOf,
  toPayment,
  toProduct,
  toSubscription,
  type WhopMembership,
  type WhopPayment,
  type WhopPlan,
  type WhopProduct,
} from './models.ts';
import memberships from './webhooks/handlers/memberships.ts';

const membership: WhopMembership = {
  id: 'mem_Ab12Cd34Ef56Gh',
  status: 'active',
  cancel_at_period_end: false,
  canceled_at: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  currency: 'usd',
  renewal_period_start: '2026-01-01T00:00:00.000Z',
  renewal_period_end: '2026-01-31T00:00:00.000Z',
  metadata: { hostUser: 'u_1', seats: 3, nested: { no: true } },
  plan: { id: 'plan_Pro' },
  product: { id: 'prod_Course', title: 'Course' },
  user: { id: 'user_Buyer', email: 'buyer@example.com' },
  member: { id: 'mber_1' },
};

describe('Whop records', () => {
  it('maps a membership to a subscription whose item price is the plan', () => {
    const record = toSubscription(membership);
    assert.ok(subscriptionModel.safeParse(record).success);
    assert.equal(record.status, 'active');
    assert.equal(record.customerId, 'user_Buyer');
    assert.deepEqual(record.items, [
      { id: 'mem_Ab12Cd34Ef56Gh:plan_Pro', priceId: 'plan_Pro', productId: 'prod_Course', quantity: 1 },
    ]);
    assert.deepEqual(record.metadata, { hostUser: 'u_1', seats: '3' });
    assert.equal(record.raw, membership);
  });

  it('maps every Whop membership status onto the shared vocabulary', () => {
    assert.deepEqual(
      [
        'trialing',
        'active',
        'canceling',
        'past_due',
        'unresolved',
        'drafted',
        'canceled',
        'expired',
        'completed',
        'new_one',
      ].map(subscriptionStatusOf),
      [
        'trialing',
        'active',
        'active',
        'past_due',
        'unpaid',
        'incomplete',
        'canceled',
        'canceled',
        'canceled',
        'incomplete',
      ],
    );
  });

  it('keeps plans as prices in minor units with their period', () => {
    const product: WhopProduct = {
      id: 'prod_Course',
      title: 'Course',
      headline: 'Learn',
      visibility: 'visible',
      route: 'course',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-02T00:00:00Z',
      metadata: null,
    };
    const plan = (
      id: string,
      type: string,
      period: number | null,
      price: number,
      currency = 'usd',
    ): WhopPlan => ({
      id,
      currency,
      plan_type: type,
      billing_period: period,
      initial_price: price + 1,
      renewal_price: price,
      visibility: 'visible',
      product: { id: product.id },
    });
    const record = toProduct(product, [
      plan('plan_M', 'renewal', 30, 10.43),
      plan('plan_Y', 'renewal', 365, 99),
      plan('plan_O', 'one_time', null, 49.99),
      plan('plan_J', 'renewal', 30, 1200, 'JPY'),
    ]);
    assert.ok(productModel.safeParse(record).success);
    assert.deepEqual(
      record.prices.map((price) => [price.id, price.unitAmount, price.currency, price.recurring]),
      [
        ['plan_M', 1043, 'usd', { interval: 'month', intervalCount: 1 }],
        ['plan_Y', 9900, 'usd', { interval: 'year', intervalCount: 1 }],
        ['plan_O', 5099, 'usd', null],
        ['plan_J', 1200, 'jpy', { interval: 'month', intervalCount: 1 }],
      ],
    );
    assert.equal(minorUnits(0.1 + 0.2, 'usd'), 30);
  });

  it('maps payments by their substatus, refunds included', () => {
    const payment: WhopPayment = {
      id: 'pay_1',
      status: 'paid',
      substatus: 'partially_refunded',
      currency: 'usd',
      total: 29.99,
      subtotal: 29.99,
      refunded_amount: 10,
      refunded_at: '2026-01-03T00:00:00Z',
      created_at: '2026-01-01T00:00:00Z',
      paid_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-03T00:00:00Z',
      metadata: null,
      membership: { id: membership.id },
      product: { id: 'prod_Course', title: 'Course' },
      user: { id: 'user_Buyer' },
      application_fee: null,
    };
    const record = toPayment(payment);
    assert.ok(paymentModel.safeParse(record).success);
    assert.deepEqual(
      [record.status, record.amount, record.amountRefunded, record.refunds.length],
      ['partially_refunded', 2999, 1000, 1],
    );
    assert.equal(
      toPayment({ ...payment, substatus: 'succeeded', refunded_amount: null }).status,
      'succeeded',
    );
  });
});

describe('Whop membership handler', () => {
  function context() {
    const stored = new Map<string, ReturnType<typeof toSubscription>>();
    const emitted: Array<{ type: string; data: Record<string, unknown> }> = [];
    const warnings: string[] = [];
    const ctx = {
      records: {
        async get(_model: string, id: string) {
          return stored.get(id) ?? null;
        },
        async save(_model: string, records: readonly ReturnType<typeof toSubscription>[]) {
          for (const record of records) stored.set(record.id, record);
        },
        async delete() {},
      },
      events: {
        emit(type: string, data: Record<string, unknown>) {
          emitted.push({ type, data });
        },
      },
      log: {
        warn(_fields: unknown, message: string) {
          warnings.push(message);
        },
      },
    };
    const handle = (type: string, data: unknown) =>
      memberships.handle(ctx as unknown as Parameters<typeof memberships.handle>[0], {
        id: 'in_1',
        type,
        payload: { id: 'msg_1', api_version: 'v1', type, timestamp: '2026-01-01T00:00:00Z', data },
        receivedAt: 0,
      });
    return { stored, emitted, warnings, handle };
  }

  it('emits subscription.changed with the previous status, once per change', async () => {
    const { stored, emitted, handle } = context();
    await handle('membership.activated', membership);
    const canceled = {
      ...membership,
      status: 'canceled',
      canceled_at: '2026-01-05T00:00:00Z',
      updated_at: '2026-01-05T00:00:00Z',
    };
    await handle('membership.deactivated', canceled);
    await handle('membership.deactivated', canceled);
    assert.deepEqual(
      emitted.map((event) => [event.data.previousStatus, event.data.status, event.data.providerType]),
      [
        [null, 'active', 'membership.activated'],
        ['active', 'canceled', 'membership.deactivated'],
      ],
    );
    assert.deepEqual(emitted[1]?.data.priceIds, ['plan_Pro']);
    assert.equal(stored.get(membership.id)?.status, 'canceled');
  });

  it('leaves a newer record alone when an older event arrives late', async () => {
    const { stored, emitted, handle } = context();
    const canceled = { ...membership, status: 'canceled', updated_at: '2026-01-05T00:00:00Z' };
    await handle('membership.deactivated', canceled);
    await handle('membership.activated', membership);
    assert.equal(stored.get(membership.id)?.status, 'canceled');
    assert.equal(emitted.length, 1);
  });

  it('leaves a body that is not a membership to the raw event', async () => {
    const { stored, emitted, warnings, handle } = context();
    await handle('membership.activated', { id: 'mem_x' });
    assert.deepEqual([stored.size, emitted.length, warnings.length], [0, 0, 1]);
  });
});
