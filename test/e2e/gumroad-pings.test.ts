/**
 * Issue 19's Gumroad story through the engine's API against the Gumroad emulator: an end user
 * connects over OAuth, the first `sales` run brings exact counts, the engine subscribes the
 * connection to Gumroad's eight ping resources (`PUT /v2/resource_subscriptions`, the
 * connection's secret token in the URL), a sale made at the emulator is pinged and appears as a record — through the
 * incremental run the ping starts, no full sync — with `records.changed` at the host's endpoint,
 * a forged ping is refused, `verify-license` counts a use at the emulator, and deleting the
 * connection removes its subscriptions at Gumroad. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { testDatabases } from '../support/databases.ts';
import { type GumroadWorld, startGumroadWorld } from '../support/gumroad-world.ts';
import {
  type JsonAnswer,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from '../support/library-engine.ts';

const SALES = 30;
const RESOURCES = [
  'cancellation',
  'dispute',
  'dispute_won',
  'refund',
  'sale',
  'subscription_ended',
  'subscription_restarted',
  'subscription_updated',
];

const targets = await testDatabases();
for (const target of targets) {
  describe(`Gumroad on ${target.name}: connect → sync → sale ping → record → verify-license → delete`, {
    timeout: 60_000,
    skip: target.skip,
  }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: Awaited<ReturnType<NonNullable<typeof target.create>>> | undefined;
    let world: GumroadWorld;
    let receiver: WebhookReceiver;
    let hostSecret: string;
    let membership: string;

    before(async () => {
      database = await target.create!();
      world = await startGumroadWorld({
        engine: {
          config: {
            apiRateLimit: 1_000_000,
            ...(database.databaseUrl ? { databaseUrl: database.databaseUrl } : {}),
          },
        },
        sandbox: { sales: SALES, products: 3, rateLimit: false },
      });
      receiver = await startWebhookReceiver();
      const endpoint = await world.engine.call('POST', '/v1/endpoints', {
        url: receiver.url,
        eventTypes: ['records.changed'],
      });
      assert.equal(endpoint.status, 201, endpoint.text);
      hostSecret = endpoint.body.secret;
    });
    after(async () => {
      await world?.close();
      await receiver?.close();
      await database?.destroy();
    });

    async function runs(): Promise<Array<Record<string, unknown>>> {
      const answer = await world.engine.call('GET', `/v1/sync-runs?connectionId=${world.connectionId}`);
      assert.equal(answer.status, 200, answer.text);
      return answer.body.data;
    }

    async function sale(id: string): Promise<Record<string, unknown> | undefined> {
      const answer: JsonAnswer = await world.engine.call(
        'GET',
        `/v1/records?connectionId=${world.connectionId}&model=sales&limit=100`,
      );
      return answer.body.data.find((record: { id: string }) => record.id === id);
    }

    function delivered(): Array<{ type: string; data: Record<string, unknown> }> {
      return receiver.received.map(
        (request) =>
          new Webhook(hostSecret).verify(request.body, request.headers) as {
            type: string;
            data: Record<string, unknown>;
          },
      );
    }

    async function firstRun(sync: string): Promise<Record<string, unknown>> {
      return waitFor(`the first ${sync} run`, async () => {
        const run = (await runs()).find((r) => r.sync === sync);
        return run && ['succeeded', 'failed'].includes(run.status as string) ? run : undefined;
      });
    }

    /** The finished runs pings started, of one sync. */
    async function pingedRuns(sync: string, count: number): Promise<Array<Record<string, unknown>>> {
      return waitFor(`${count} ping-started ${sync} runs to finish`, async () => {
        const started = (await runs()).filter((r) => r.trigger === 'webhook' && r.sync === sync);
        return started.length === count &&
          started.every((r) => ['succeeded', 'failed'].includes(r.status as string))
          ? started
          : undefined;
      });
    }

    it('syncs every sale and membership on connecting, with exact counts', async () => {
      const sales = await firstRun('sales');
      assert.equal(sales.status, 'succeeded', JSON.stringify(sales.error));
      assert.deepEqual([sales.mode, sales.added, sales.updated, sales.deleted], ['full', SALES, 0, 0]);
      membership = world.gumroad
        .productIds()
        .find((id) => world.gumroad.control.subscribers(id).length > 0) as string;
      const members = world.gumroad.control.subscribers(membership).length;
      assert.ok(members > 1, 'the emulator has a membership with subscribers');
      const subscribers = await firstRun('subscribers');
      assert.equal(subscribers.status, 'succeeded', JSON.stringify(subscribers.error));
      assert.deepEqual([subscribers.added, subscribers.updated, subscribers.deleted], [members, 0, 0]);
    });

    it("subscribes the connection to every ping resource at the connection's secret URL", async () => {
      const subscriptions = await waitFor('eight resource subscriptions at Gumroad', async () => {
        const all = world.gumroad.control.subscriptions;
        return all.length === RESOURCES.length ? all : undefined;
      });
      assert.deepEqual(subscriptions.map((s) => s.resource_name).sort(), RESOURCES);
      for (const subscription of subscriptions) {
        assert.ok(
          subscription.post_url.startsWith(`${world.engine.baseUrl}/webhooks/`),
          subscription.post_url,
        );
        assert.match(new URL(subscription.post_url).searchParams.get('token') ?? '', /^[A-Za-z0-9_-]{43}$/);
      }
      // One intake URL per connection: its token is what routes and authenticates every ping.
      assert.equal(new Set(subscriptions.map((s) => s.post_url)).size, 1);
    });

    it('turns a sale pinged by Gumroad into a record and records.changed, without a full sync', async () => {
      const { saleId, pings } = await world.gumroad.control.sell();
      assert.deepEqual(
        pings.map((ping) => ping.status),
        [200],
      );
      const record = await waitFor('the pinged sale as a record', () => sale(saleId));
      assert.equal((record.data as { id: string }).id, saleId);
      const pinged = await pingedRuns('sales', 1);
      assert.deepEqual(
        pinged.map((r) => [r.sync, r.mode, r.status, r.added]),
        [['sales', 'incremental', 'succeeded', 1]],
      );
      const event = await waitFor('records.changed at the host', async () =>
        delivered().find((e) => e.data.syncRunId === pinged[0]?.id),
      );
      assert.deepEqual(
        [event.data.connectionId, event.data.model, event.data.added],
        [world.connectionId, 'sales', 1],
      );
    });

    it('refuses a ping whose URL token is not one it registered', async () => {
      const [subscription] = world.gumroad.control.subscriptions;
      const forged = new URL(subscription?.post_url ?? '');
      forged.searchParams.set('token', 'x'.repeat(43));
      const answer = await fetch(forged, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ resource_name: 'sale', sale_id: 'forged' }).toString(),
      });
      await answer.arrayBuffer();
      assert.ok(answer.status >= 400 && answer.status < 500, String(answer.status));
      // Only the real sale ping started runs: one of sales, one of subscribers.
      const pinged = (await runs()).filter((r) => r.trigger === 'webhook');
      assert.deepEqual(pinged.map((r) => r.sync).sort(), ['sales', 'subscribers']);
    });

    it('marks a membership cancelled at Gumroad as canceled through its ping', async () => {
      await pingedRuns('subscribers', 1);
      const index = [...Array(world.gumroad.saleCount).keys()].find(
        (n) => world.gumroad.sale(n).product_id === membership,
      ) as number;
      const { subscriptionId, pings } = await world.gumroad.control.cancelMembership(index);
      assert.deepEqual(
        pings.map((ping) => ping.status),
        [200],
      );
      const [run] = (await pingedRuns('subscribers', 2)).filter((r) => r.updated === 1);
      assert.equal(run?.status, 'succeeded');
      const answer = await world.engine.call(
        'GET',
        `/v1/records?connectionId=${world.connectionId}&model=subscriptions&limit=100`,
      );
      const record = answer.body.data.find((r: { id: string }) => r.id === subscriptionId);
      assert.equal(record?.data.status, 'canceled');
      assert.equal(record?.data.items[0].productId, membership);
      const event = await waitFor('records.changed of subscriptions at the host', async () =>
        delivered().find((e) => e.data.syncRunId === run?.id),
      );
      assert.deepEqual([event.data.model, event.data.updated], ['subscriptions', 1]);
    });

    it('verifies a license key through verify-license, counting a use at Gumroad', async () => {
      const index = 4;
      const bought = world.gumroad.sale(index);
      const input = { productId: bought.product_id, licenseKey: bought.license_key, incrementUses: true };
      const run = await world.engine.call(
        'POST',
        `/v1/connections/${world.connectionId}/actions/verify-license`,
        {
          input,
        },
      );
      assert.equal(run.body.status, 'succeeded', run.text);
      assert.deepEqual(
        [run.body.output.valid, run.body.output.uses, run.body.output.saleId],
        [true, 1, bought.id],
      );
      assert.equal(world.gumroad.control.licenseUses(index), 1);

      const unknown = await world.engine.call(
        'POST',
        `/v1/connections/${world.connectionId}/actions/verify-license`,
        { input: { productId: bought.product_id, licenseKey: 'NOT-A-KEY' } },
      );
      assert.equal(unknown.body.status, 'succeeded', unknown.text);
      assert.equal(unknown.body.output.valid, false);
    });

    it('re-subscribes a resource whose subscription was deleted at Gumroad, on the check', async () => {
      const [gone] = world.gumroad.control.subscriptions;
      const removed = await fetch(
        `${world.gumroad.url}/v2/resource_subscriptions/${encodeURIComponent(gone?.id ?? '')}`,
        { method: 'DELETE', headers: { authorization: `Bearer ${world.gumroad.issueAccessToken()}` } },
      );
      assert.equal(removed.status, 200);
      assert.equal(world.gumroad.control.subscriptions.length, RESOURCES.length - 1);
      const check = await world.engine.call(
        'POST',
        `/v1/connections/${world.connectionId}/webhook-subscriptions/check`,
      );
      assert.equal(check.status, 202, check.text);
      const repaired = await waitFor('the resource subscribed again', async () => {
        const all = world.gumroad.control.subscriptions;
        return all.length === RESOURCES.length ? all : undefined;
      });
      assert.deepEqual(repaired.map((s) => s.resource_name).sort(), RESOURCES);
      assert.ok(repaired.every((s) => s.id !== gone?.id));
      assert.equal(new Set(repaired.map((s) => s.post_url)).size, 1);
    });

    it('removes its resource subscriptions at Gumroad when the connection is deleted', async () => {
      const deleted = await world.engine.call('DELETE', `/v1/connections/${world.connectionId}`);
      assert.equal(deleted.status, 200, deleted.text);
      await waitFor('no resource subscriptions at Gumroad', async () =>
        world.gumroad.control.subscriptions.length === 0 ? true : undefined,
      );
    });
  });
}
