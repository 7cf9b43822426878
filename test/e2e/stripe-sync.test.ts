/**
 * Stripe syncs end to end: a seller connects through Stripe Connect OAuth, the engine runs the
 * real syncs through its queue and proxy (the platform key, `Stripe-Account`, the test-mode rate
 * limit) against the emulator enforcing Stripe's test-mode limit, and serves the records.
 * A scaled first sync (1,000 customers, 2,000 invoices) in exact counts with no 429; then an
 * invoice paid, one voided and a customer deleted at Stripe are reflected by the next incremental
 * runs, through two 429s the proxy retries. The full size (10,000 + 20,000) runs in
 * `npm run bench -- stripe-sync`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type StripeSyncWorld, startStripeSyncWorld } from '../support/stripe-sync-world.ts';

const CUSTOMERS = 1_000;
const INVOICES = 2_000;
const PLATFORM_CUSTOMERS = 7;

describe('Stripe syncs end to end', () => {
  let world: StripeSyncWorld;
  let seller: Stripe;

  before(async () => {
    world = await startStripeSyncWorld({
      // The test polls runs every 25 ms: far above the default API allowance.
      engine: { config: { apiRateLimit: 1_000_000 } },
      customers: CUSTOMERS,
      invoices: INVOICES,
      platformCustomers: PLATFORM_CUSTOMERS,
    });
    seller = new Stripe(world.stripe.platform.secretKey, {
      host: '127.0.0.1',
      port: world.stripe.port,
      protocol: 'http',
      maxNetworkRetries: 3,
      stripeAccount: world.accountId,
    });
  });
  after(() => world?.close());

  it("runs a new connection's first syncs on the seller's account in exact counts, with no 429", async () => {
    const customers = await world.finishedRun('customers');
    const invoices = await world.finishedRun('invoices');
    // The platform's own customers are not the seller's: Stripe-Account was sent on every call.
    assert.deepEqual(
      [customers.status, customers.mode, customers.added, customers.error],
      ['succeeded', 'full', CUSTOMERS, null],
    );
    assert.deepEqual(
      [invoices.status, invoices.added, invoices.pages],
      ['succeeded', INVOICES, INVOICES / 100],
    );
    for (const sync of ['products', 'payments', 'subscriptions']) {
      const run = await world.finishedRun(sync);
      assert.deepEqual([sync, run.status, run.added], [sync, 'succeeded', 0]);
    }
    assert.deepEqual(world.stripe.stats.tooManyRequests, { planned: 0, injected: 0 });
  });

  it('reflects invoices paid and voided and a customer deleted at Stripe in the next incremental runs', async () => {
    const open = await seller.invoices.list({ status: 'open', limit: 2 });
    const [toPay, toVoid] = open.data;
    assert.ok(toPay && toVoid);
    const customer = (await seller.customers.list({ limit: 1 })).data[0];
    assert.ok(customer);
    const before = new Date().toISOString();
    await seller.invoices.pay(toPay.id, { paid_out_of_band: true });
    await seller.invoices.voidInvoice(toVoid.id);
    await seller.customers.del(customer.id);
    // Two 429s Stripe might still send (another program on the same key): the proxy backs off
    // and retries, and the runs succeed.
    world.stripe.control.tooManyRequests(2);

    for (const sync of ['invoices', 'customers']) {
      const trigger = await world.engine.call(
        'POST',
        `/v1/connections/${world.connectionId}/syncs/${sync}/trigger`,
        {},
      );
      assert.equal(trigger.status, 202, trigger.text);
      const run = await world.finishedRun(sync, trigger.body.runId);
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.equal(run.mode, 'incremental');
      if (sync === 'invoices') assert.deepEqual([run.added, run.updated, run.deleted], [0, 2, 0]);
      else assert.deepEqual([run.added, run.updated, run.deleted], [0, 0, 1]);
    }

    const changed = await world.engine.call(
      'GET',
      `/v1/records?connectionId=${world.connectionId}&model=invoices&modifiedSince=${before}`,
    );
    assert.equal(changed.status, 200, changed.text);
    const statusOf = new Map(
      changed.body.data.map((record: { id: string; data: { status: string } }) => [
        record.id,
        record.data.status,
      ]),
    );
    assert.deepEqual([statusOf.get(toPay.id), statusOf.get(toVoid.id)], ['paid', 'void']);
    const deleted = await world.engine.call(
      'GET',
      `/v1/records?connectionId=${world.connectionId}&model=customers&modifiedSince=${before}&includeDeleted=true`,
    );
    assert.deepEqual(
      deleted.body.data.map((record: { id: string; deleted: boolean }) => [record.id, record.deleted]),
      [[customer.id, true]],
    );
    assert.deepEqual(world.stripe.stats.tooManyRequests, { planned: 0, injected: 2 });
  });

  it('runs the same syncs for a seller connected by their own key (stripe-api-key)', async () => {
    // Another seller, whose secret key Patchbay is given: no Connect, no Stripe-Account.
    const own = world.stripe.control.connectAccount({ email: 'own-keys@example.com' });
    world.stripe.control.seedCustomers(150, { account: own.accountId });
    const { engine } = world.engine;
    const { id: environmentId } = await engine.services.environments.getEnvironmentByName('dev');
    const integration = await engine.services.providers.integrations.create(environmentId, {
      provider: 'stripe-api-key',
      settings: { baseUrls: { '*': world.stripe.url } },
    });
    const connection = await engine.services.providers.connections.save(environmentId, {
      integrationId: integration.id,
      endUser: { id: 'own-keys-seller', email: null, organization: null },
      credentials: { type: 'api_key', values: { secretKey: own.accessToken } },
      connectionConfig: {},
      metadata: {},
    });
    const trigger = await world.engine.call(
      'POST',
      `/v1/connections/${connection.id}/syncs/customers/trigger`,
      { mode: 'full' },
    );
    assert.equal(trigger.status, 202, trigger.text);
    const run = await world.finishedRun('customers', trigger.body.runId);
    assert.deepEqual([run.status, run.added], ['succeeded', 150]);
  });
});
