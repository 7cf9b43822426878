// The mapping of Gumroad subscribers to the shared `subscriptions` model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { subscriptionModel } from '../../src/scripts/index.ts';
import { subscriptionStatusOf, toSubscription } from './subscribers.ts';

const NOW = new Date('2026-01-10T12:00:00Z');

const subscriber = {
  id: 'P5ppE6H8XIjy2JSCgUhbAw==',
  email: 'buyer@example.com',
  product_id: 'sdGbq1Ki1tR1E_8yIEVhOA==',
  product_name: 'Membership',
  user_id: '3523953790232',
  user_email: 'buyer@example.com',
  purchase_ids: ['O4pjE3uOmf94DBNf8nOv8Q=='],
  created_at: '2025-11-20T09:15:00Z',
  user_requested_cancellation_at: null,
  charge_occurrence_count: null,
  recurrence: 'monthly',
  cancelled_at: null,
  ended_at: null,
  failed_at: null,
  free_trial_ends_at: null,
  license_key: '85DB562A-C11D4B06-A2335A6B-8C079166',
  status: 'alive',
};

describe('gumroad subscribers as subscriptions', () => {
  it('maps an alive membership to an active subscription of its product', () => {
    const record = toSubscription(subscriber, NOW);
    assert.equal(subscriptionModel.safeParse(record).success, true);
    assert.deepEqual(
      [record.status, record.customerId, record.cancelAtPeriodEnd, record.canceledAt, record.createdAt],
      ['active', '3523953790232', false, null, '2025-11-20T09:15:00.000Z'],
    );
    assert.deepEqual(record.items, [
      { id: subscriber.id, priceId: null, productId: subscriber.product_id, quantity: 1 },
    ]);
    assert.deepEqual(record.metadata, {
      gumroadStatus: 'alive',
      productName: 'Membership',
      recurrence: 'monthly',
      email: 'buyer@example.com',
    });
  });

  it('keeps access to the period end for a requested cancellation', () => {
    const record = toSubscription(
      {
        ...subscriber,
        status: 'pending_cancellation',
        user_requested_cancellation_at: '2026-01-02T00:00:00Z',
      },
      NOW,
    );
    assert.deepEqual(
      [record.status, record.cancelAtPeriodEnd, record.canceledAt],
      ['active', true, '2026-01-02T00:00:00.000Z'],
    );
  });

  it("maps every Gumroad status, a running free trial as trialing, and refuses one it doesn't know", () => {
    assert.deepEqual(
      ['pending_failure', 'failed_payment', 'cancelled', 'fixed_subscription_period_ended'].map((status) =>
        subscriptionStatusOf(status, null, NOW),
      ),
      ['past_due', 'unpaid', 'canceled', 'canceled'],
    );
    assert.equal(subscriptionStatusOf('alive', '2026-01-20T00:00:00Z', NOW), 'trialing');
    assert.equal(subscriptionStatusOf('alive', '2026-01-01T00:00:00Z', NOW), 'active');
    assert.throws(() => subscriptionStatusOf('paused', null, NOW), /not known/);
  });
});
