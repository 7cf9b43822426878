import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PlanInput, planReconcile, sameTopics, topicGroups } from './plan.ts';

const URL = 'https://patchbay.example/webhooks/env_1/stripe/tok';
const TOPICS = ['invoice.paid', 'customer.created'];

function plan(input: Partial<PlanInput>) {
  return planReconcile({
    groups: topicGroups(TOPICS),
    current: [],
    remote: null,
    url: URL,
    canUpdate: true,
    foreign: new Set(),
    ...input,
  });
}

describe('topic groups', () => {
  it('puts every topic in one subscription, or one per subscription; order does not matter', () => {
    assert.deepEqual(topicGroups(TOPICS), [['customer.created', 'invoice.paid']]);
    assert.deepEqual(topicGroups(TOPICS, 'one'), [['customer.created'], ['invoice.paid']]);
    assert.equal(sameTopics(['b', 'a'], ['a', 'b']), true);
    assert.equal(sameTopics(['a'], ['a', 'b']), false);
    assert.equal(sameTopics(['a', 'a'], ['a', 'b']), false);
  });
});

describe('planReconcile', () => {
  it('registers what a new connection needs, without listing', () => {
    assert.deepEqual(plan({}), {
      keep: [],
      steps: [{ kind: 'register', topics: ['customer.created', 'invoice.paid'] }],
    });
    assert.deepEqual(plan({ groups: topicGroups(TOPICS, 'one') }).steps, [
      { kind: 'register', topics: ['customer.created'] },
      { kind: 'register', topics: ['invoice.paid'] },
    ]);
  });

  it('trusts what was recorded when nothing was listed (a retry after a partial registration)', () => {
    const recorded = { id: 'we_1', topics: ['customer.created', 'invoice.paid'] };
    assert.deepEqual(plan({ current: [recorded] }), { keep: [recorded], steps: [] });
    const half = plan({
      groups: topicGroups(TOPICS, 'one'),
      current: [{ id: 'wh_1', topics: ['invoice.paid'] }],
    });
    assert.deepEqual(half.steps, [{ kind: 'register', topics: ['customer.created'] }]);
  });

  it('leaves a healthy subscription alone', () => {
    const recorded = { id: 'we_1', topics: ['customer.created', 'invoice.paid'] };
    const remote = [{ id: 'we_1', url: URL, topics: ['invoice.paid', 'customer.created'], enabled: true }];
    assert.deepEqual(plan({ current: [recorded], remote }), { keep: [recorded], steps: [] });
  });

  it('registers again one deleted at the provider', () => {
    const recorded = { id: 'we_1', topics: ['customer.created', 'invoice.paid'] };
    const remote = [{ id: 'we_other', url: 'https://elsewhere.example/hook', topics: ['*'] }];
    assert.deepEqual(plan({ current: [recorded], remote }), {
      keep: [],
      steps: [{ kind: 'register', topics: ['customer.created', 'invoice.paid'] }],
    });
  });

  it('repairs a wrong URL, wrong topics or a disabled one in place when the script can update', () => {
    const recorded = { id: 'we_1', topics: ['customer.created', 'invoice.paid'] };
    for (const listed of [
      { id: 'we_1', url: 'https://old.example/hook', topics: ['customer.created', 'invoice.paid'] },
      { id: 'we_1', url: URL, topics: ['invoice.paid'] },
      { id: 'we_1', url: URL, topics: ['customer.created', 'invoice.paid'], enabled: false },
    ]) {
      assert.deepEqual(plan({ current: [recorded], remote: [listed] }), {
        keep: [{ id: 'we_1', topics: ['customer.created', 'invoice.paid'] }],
        steps: [{ kind: 'update', id: 'we_1', topics: ['customer.created', 'invoice.paid'] }],
      });
    }
  });

  it('replaces one it cannot update: the new one first, then the old one goes', () => {
    const recorded = { id: 'we_1', topics: ['customer.created', 'invoice.paid'] };
    const remote = [{ id: 'we_1', url: 'https://old.example/hook', topics: recorded.topics }];
    assert.deepEqual(plan({ current: [recorded], remote, canUpdate: false }).steps, [
      { kind: 'register', topics: ['customer.created', 'invoice.paid'] },
      { kind: 'remove', id: 'we_1', reason: 'unwanted' },
    ]);
  });

  it('removes subscriptions no longer wanted, and strays at the URL that nobody recorded', () => {
    const remote = [
      { id: 'wh_1', url: URL, topics: ['customer.created'] },
      { id: 'wh_2', url: URL, topics: ['invoice.paid'] },
      { id: 'wh_3', url: URL, topics: ['invoice.voided'] },
      { id: 'wh_4', url: URL, topics: ['invoice.paid'] },
      { id: 'wh_5', url: URL, topics: ['invoice.paid'] },
      { id: 'wh_6', url: 'https://someone-else.example', topics: ['invoice.paid'] },
    ];
    const result = plan({
      groups: topicGroups(TOPICS, 'one'),
      current: [
        { id: 'wh_1', topics: ['customer.created'] },
        { id: 'wh_2', topics: ['invoice.paid'] },
        { id: 'wh_3', topics: ['invoice.voided'] },
      ],
      remote,
      canUpdate: false,
      foreign: new Set(['wh_5']),
    });
    assert.deepEqual(
      result.keep.map((k) => k.id),
      ['wh_1', 'wh_2'],
    );
    assert.deepEqual(result.steps, [
      { kind: 'remove', id: 'wh_3', reason: 'unwanted' },
      { kind: 'remove', id: 'wh_4', reason: 'stray' },
    ]);
  });

  it('moves a subscription whose topic is no longer wanted to one that is missing, when it can', () => {
    const result = plan({
      groups: topicGroups(TOPICS, 'one'),
      current: [
        { id: 'wh_1', topics: ['customer.created'] },
        { id: 'wh_3', topics: ['invoice.voided'] },
      ],
      remote: [
        { id: 'wh_1', url: URL, topics: ['customer.created'] },
        { id: 'wh_3', url: URL, topics: ['invoice.voided'] },
      ],
    });
    assert.deepEqual(result.steps, [{ kind: 'update', id: 'wh_3', topics: ['invoice.paid'] }]);
    assert.deepEqual(
      result.keep.map((k) => k.id),
      ['wh_1', 'wh_3'],
    );
  });
});
