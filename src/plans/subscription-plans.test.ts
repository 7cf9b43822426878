/**
 * Plans that follow subscription records, through the engine on both databases: records written
 * the way a sync or a webhook handler writes them (the records repository, then the records
 * hook in the same transaction) queue the derivation, whose job sets the plan with the source
 * `subscription`. The providers here have no subscription scripts of their own: the rules read a
 * record model, whatever writes it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import {
  type LibraryEngine,
  ShiftedClock,
  startLibraryEngine,
  waitFor,
} from '../../test/support/library-engine.ts';
import type { Connection } from '../connections/types.ts';
import { listEvents } from '../events/index.ts';
import { newId } from '../ids/index.ts';
import { customerModel, subscriptionModel } from '../models/commerce.ts';
import { prepareRecord, webhookWriterId } from '../syncs/records/index.ts';

const FREE = { key: 'free', name: 'Free', rank: 0, default: true, integrations: { keys: [] } };
const PRO = { key: 'pro', name: 'Pro', rank: 10, limits: { connections: 1 } };
const BUSINESS = { key: 'business', name: 'Business', rank: 20 };
/** The host's own operator, whose connection is the billing account: nothing limited. */
const OPERATOR = { key: 'operator', name: 'Operator', rank: 100 };

function subscription(id: string, status: string, priceId: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    status,
    customerId: null,
    currency: 'usd',
    items: [{ id: `si_${id}`, priceId, productId: 'prod_1', quantity: 1 }],
    currentPeriodStart: null,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    canceledAt: null,
    createdAt: null,
    metadata: {},
    raw: {},
    ...extra,
  };
}

for (const target of await testDatabases()) {
  describe(`plans from subscription records on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let pb: LibraryEngine;
    let envId: string;
    let billing: Connection;
    let written = 0;
    const clock = new ShiftedClock();
    const services = () => pb.engine.services;

    const planOf = async (endUserId: string) => {
      const answer = await pb.call('GET', `/v1/end-users/${endUserId}`);
      return answer.status === 200 ? (answer.body.planKey as string | null) : undefined;
    };
    const planChanges = async (endUserId: string) =>
      (await listEvents(pb.engine.store.db, envId, { type: 'end_user.plan_changed' }))
        .map((event) => event.data as Record<string, unknown>)
        .filter((data) => data.endUserId === endUserId && data.source === 'subscription');

    /** Writes records as a webhook handler does: the upsert and the records hook in one transaction. */
    async function write(connection: Connection, model: 'subscriptions' | 'customers', list: unknown[]) {
      const schema = model === 'subscriptions' ? subscriptionModel : customerModel;
      const since = clock.now();
      const { records, recordsHooks } = services().syncs;
      written += 1;
      await pb.engine.store.db.transaction().execute(async (trx) => {
        const scope = {
          environmentId: envId,
          connectionId: connection.id,
          runId: webhookWriterId(`in_test_${written}`),
        };
        const counts = await records.upsert(
          trx,
          scope,
          model,
          list.map((input) => prepareRecord(model, schema, input)),
        );
        if (counts.added + counts.updated === 0) return;
        await recordsHooks.changed(
          {
            trx,
            environmentId: envId,
            connectionId: connection.id,
            integrationId: connection.integrationId,
            integrationKey: connection.integrationKey,
            provider: connection.provider,
            endUserId: connection.endUser.id,
            model,
            added: counts.added,
            updated: counts.updated,
            deleted: 0,
            since,
            sync: null,
            syncRunId: null,
          },
          { clock, newId },
        );
      });
    }

    const connect = (integrationId: string, endUserId: string, email: string | null = null) =>
      services().providers.connections.save(envId, {
        integrationId,
        endUser: { id: endUserId, email, organization: null },
        credentials: { type: 'api_key', values: { apiKey: `key-${integrationId}-${endUserId}` } },
        connectionConfig: {},
        metadata: {},
      });

    before(async () => {
      database = await target.create!();
      pb = await startLibraryEngine({ config: { databaseUrl: database.databaseUrl }, clock });
      envId = (await pb.call('GET', '/v1/environment')).body.id;
      for (const plan of [FREE, PRO, BUSINESS, OPERATOR]) {
        assert.equal((await pb.call('POST', '/v1/plans', plan)).status, 201);
      }
      for (const provider of ['stripe-api-key', 'whop']) {
        await services().providers.integrations.create(envId, { provider });
      }
      // The host's own billing account, connected once under an operator id on a plan of its own.
      await pb.call('POST', '/v1/end-users', { id: 'host-billing', planKey: 'operator' });
      billing = await connect('stripe-api-key', 'host-billing');
    });
    after(async () => {
      await pb?.stop();
      await database?.destroy();
    });

    it('refuses rules naming unknown plans, and keeps file-style validation messages', async () => {
      const unknown = await pb.call('POST', '/v1/subscription-rules', {
        key: 'bad',
        integrationKey: 'stripe-api-key',
        endUser: { from: 'connection' },
        plans: [{ planKey: 'platinum', path: 'items.priceId', values: ['price_x'] }],
      });
      assert.equal(unknown.status, 400, unknown.text);
      assert.match(unknown.body.error.message, /platinum/);
      const malformed = await pb.call('POST', '/v1/subscription-rules', {
        key: 'bad',
        integrationKey: 'stripe-api-key',
        endUser: { from: 'metadata' },
        plans: [],
      });
      assert.equal(malformed.status, 400, malformed.text);
      assert.equal((await pb.call('GET', '/v1/subscription-rules/bad')).status, 404);
    });

    it('metadata rule: a subscription gives its end user Pro; canceling it drops them to the fallback', async () => {
      const rule = await pb.call('POST', '/v1/subscription-rules', {
        key: 'stripe-billing',
        integrationKey: 'stripe-api-key',
        endUser: { from: 'metadata', key: 'patchbayEndUserId' },
        activeStatuses: ['active', 'trialing', 'past_due'],
        plans: [
          { planKey: 'pro', path: 'items.priceId', values: ['price_pro'] },
          { planKey: 'business', path: 'items.priceId', values: ['price_business'] },
        ],
        fallbackPlanKey: 'free',
      });
      assert.equal(rule.status, 201, rule.text);
      assert.deepEqual(
        [rule.body.model, rule.body.statusPath, rule.body.version, rule.body.source],
        ['subscriptions', 'status', 1, 'api'],
      );
      // A plan the host set by hand for someone without subscriptions stays.
      await pb.call('POST', '/v1/end-users', { id: 'comp-user', planKey: 'business' });

      // Business for now (set by the host): the seller connects an integration.
      await pb.call('POST', '/v1/end-users', { id: 'seller-7', planKey: 'business' });
      const seller = await connect((await pb.call('GET', '/v1/integrations/whop')).body.id, 'seller-7');
      await write(billing, 'subscriptions', [
        subscription('sub_1', 'active', 'price_pro', { metadata: { patchbayEndUserId: 'seller-7' } }),
      ]);
      await waitFor('seller-7 on Pro', async () => ((await planOf('seller-7')) === 'pro' ? true : undefined));
      const [changed] = await planChanges('seller-7');
      assert.deepEqual(changed, {
        endUserId: 'seller-7',
        from: 'business',
        to: 'pro',
        source: 'subscription',
        subscription: {
          ruleKey: 'stripe-billing',
          integrationKey: 'stripe-api-key',
          subscriptionId: 'sub_1',
          status: 'active',
        },
      });
      // past_due is configured as still paying.
      await write(billing, 'subscriptions', [
        subscription('sub_1', 'past_due', 'price_pro', { metadata: { patchbayEndUserId: 'seller-7' } }),
      ]);
      await waitFor('the past_due change to be handled', async () => {
        const counts = (await services().queue.stats()).byName['plans.subscriptions-changed'];
        return counts && counts.waiting + counts.delayed + counts.active > 0 ? undefined : true;
      });
      assert.equal(await planOf('seller-7'), 'pro');

      await write(billing, 'subscriptions', [
        subscription('sub_1', 'canceled', 'price_pro', { metadata: { patchbayEndUserId: 'seller-7' } }),
      ]);
      await waitFor('seller-7 back on Free', async () =>
        (await planOf('seller-7')) === 'free' ? true : undefined,
      );
      const changes = await planChanges('seller-7');
      assert.deepEqual(
        changes.map((change) => [change.from, change.to, (change.subscription as { status: string }).status]),
        [
          ['business', 'pro', 'active'],
          ['pro', 'free', 'canceled'],
        ],
      );
      // Free allows no integration: the seller's connection is paused like on any downgrade.
      const paused = await listEvents(pb.engine.store.db, envId, { type: 'connection.paused' });
      assert.ok(paused.some((event) => event.data.connectionId === seller.id));
      assert.equal(await planOf('comp-user'), 'business');
    });

    it('customer email rule: the customer record names the end user; a rule change re-derives', async () => {
      await pb.call('POST', '/v1/end-users', { id: 'author-1', email: 'ada@example.com' });
      await write(billing, 'customers', [
        {
          id: 'cus_ada',
          email: 'ada@example.com',
          name: 'Ada',
          phone: null,
          currency: null,
          createdAt: null,
          metadata: {},
          raw: {},
        },
      ]);
      // Written before any rule reads it: nothing happens yet.
      await write(billing, 'subscriptions', [
        subscription('sub_ada', 'trialing', 'price_author_pro', { customerId: 'cus_ada' }),
      ]);
      assert.equal(await planOf('author-1'), null);
      const rule = await pb.call('PUT', '/v1/subscription-rules/by-email', {
        integrationKey: 'stripe-api-key',
        endUser: { from: 'customerEmail' },
        plans: [{ planKey: 'pro', path: 'items.priceId', values: ['price_author_pro'] }],
      });
      assert.equal(rule.status, 201, rule.text);
      await waitFor('author-1 on Pro', async () => ((await planOf('author-1')) === 'pro' ? true : undefined));
      const replaced = await pb.call('PUT', '/v1/subscription-rules/by-email', {
        integrationKey: 'stripe-api-key',
        endUser: { from: 'customerEmail' },
        plans: [{ planKey: 'business', path: 'items.priceId', values: ['price_author_pro'] }],
      });
      assert.equal(replaced.status, 200, replaced.text);
      assert.equal(replaced.body.version, 2);
      await waitFor('author-1 on Business', async () =>
        (await planOf('author-1')) === 'business' ? true : undefined,
      );
      const list = await pb.call('GET', '/v1/subscription-rules');
      assert.deepEqual(
        list.body.data.map((r: { key: string }) => r.key),
        ['by-email', 'stripe-billing'],
      );
      assert.equal((await pb.call('DELETE', '/v1/subscription-rules/by-email')).status, 200);
      assert.equal(await planOf('author-1'), 'business', 'deleting a rule changes no plan');
    });

    it("connection rule: each end user's own billing connection sets their own plan", async () => {
      const whop = (await pb.call('GET', '/v1/integrations/whop')).body.id as string;
      const rule = await pb.call('POST', '/v1/subscription-rules', {
        key: 'whop-memberships',
        integrationKey: 'whop',
        endUser: { from: 'connection' },
        statusPath: 'raw.valid',
        activeStatuses: ['true'],
        plans: [{ planKey: 'business', path: 'raw.plan.id', values: ['plan_author_business'] }],
      });
      assert.equal(rule.status, 201, rule.text);
      await pb.call('POST', '/v1/end-users', { id: 'author-2', planKey: 'pro' });
      const own = await connect(whop, 'author-2');
      await write(own, 'subscriptions', [
        subscription('mem_1', 'active', 'price_x', {
          raw: { valid: true, plan: { id: 'plan_author_business' } },
        }),
      ]);
      await waitFor('author-2 on Business', async () =>
        (await planOf('author-2')) === 'business' ? true : undefined,
      );
      await write(own, 'subscriptions', [
        subscription('mem_1', 'canceled', 'price_x', {
          raw: { valid: false, plan: { id: 'plan_author_business' } },
        }),
      ]);
      // No fallback named: the default plan (null).
      await waitFor('author-2 on the default plan', async () =>
        (await planOf('author-2')) === null ? true : undefined,
      );
    });
  });
}

describe('the plans file in YAML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-plans-yaml-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads plans and subscription rules; the API cannot change them', async () => {
    const file = join(dir, 'plans.yaml');
    writeFileSync(
      file,
      [
        'plans:',
        '  - { key: free, name: Free, rank: 0, default: true, integrations: { keys: [] } }',
        '  - key: pro',
        '    name: Pro',
        '    rank: 10',
        '    limits: { perCategory: { payments: 1 } }',
        'subscriptionRules:',
        '  - key: stripe-billing',
        '    integrationKey: stripe',
        '    endUser: { from: metadata, key: patchbayEndUserId }',
        '    plans:',
        '      - { planKey: pro, path: items.priceId, values: [price_pro] }',
        '    fallbackPlanKey: free',
        '',
      ].join('\n'),
    );
    const pb = await startLibraryEngine({ config: { plansFile: file } });
    try {
      const rules = await pb.call('GET', '/v1/subscription-rules');
      assert.deepEqual(
        rules.body.data.map((rule: { key: string; source: string }) => [rule.key, rule.source]),
        [['stripe-billing', 'file']],
      );
      const change = await pb.call('PUT', '/v1/subscription-rules/stripe-billing', {
        integrationKey: 'stripe',
        endUser: { from: 'connection' },
        plans: [{ planKey: 'pro', path: 'items.priceId', values: ['price_pro'] }],
      });
      assert.equal(change.status, 409, change.text);
      assert.equal((await pb.call('GET', '/v1/plans/pro')).body.source, 'file');
    } finally {
      await pb.stop();
    }
  });
});
