// The Stripe syncs' exec against the Stripe emulator, with a small in-memory SyncContext (records
// and checkpoint kept like the store keeps them) over the real paginate and script proxy. What the
// engine adds — the proxy's auth, Stripe-Account, rate limits, the runner — is driven end to end
// in test/e2e/stripe-sync.test.ts; the full-size first sync in bench/stripe-sync.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import type { z } from 'zod';
import { type StripeSandbox, startStripeSandbox } from '../../sandbox/index.ts';
import { createLogger } from '../../src/logger/index.ts';
import type { ProviderRequest, ProviderResponse } from '../../src/proxy/types.ts';
import { paginate } from '../../src/scripting/paginate.ts';
import { createScriptProxy } from '../../src/scripting/script-proxy.ts';
import type { ModelSchemas, SyncContext, SyncDefinition } from '../../src/scripting/types.ts';
import definition from './definition.ts';
import { EVENT_RETENTION_MS, type StripeCheckpoint } from './incremental.ts';
import customers from './syncs/customers.ts';
import invoices from './syncs/invoices.ts';
import payments from './syncs/payments.ts';
import products from './syncs/products.ts';
import subscriptions from './syncs/subscriptions.ts';

/** Records and checkpoint of one connection's sync, kept across runs like the store would. */
class Memory {
  readonly records = new Map<string, Record<string, unknown>>();
  readonly deleted = new Set<string>();
  checkpoint: StripeCheckpoint | null = null;
  checkpointSaves = 0;
  /** Throw (as a crash would) right after the checkpoint save with this number. */
  crashAfterSave: number | undefined;

  get(id: string): Record<string, unknown> | undefined {
    return this.records.get(id);
  }
}

function lengthOf(list: unknown): number {
  assert.ok(Array.isArray(list));
  return list.length;
}

interface RunResult {
  requests: string[];
}

describe('stripe syncs', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  /** A connected account of the platform: each test works in its own, so counts stay exact. */
  let account: string;

  before(async () => {
    sandbox = await startStripeSandbox({ rateLimit: false });
  });
  after(() => sandbox.close());

  function useAccount(): string {
    account = sandbox.control.connectAccount().accountId;
    stripe = new Stripe(sandbox.platform.secretKey, {
      host: '127.0.0.1',
      port: sandbox.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      stripeAccount: account,
    });
    return account;
  }

  /** Runs a sync's exec once with an in-memory context, as the platform on `account`. */
  async function run<Models extends ModelSchemas, C extends z.ZodType>(
    sync: SyncDefinition<Models, C>,
    memory: Memory,
    mode: 'full' | 'incremental' = memory.checkpoint === null ? 'full' : 'incremental',
  ): Promise<RunResult> {
    const result: RunResult = { requests: [] };
    const send = async (request: ProviderRequest): Promise<ProviderResponse> => {
      const url = /^https?:/.test(request.path)
        ? new URL(request.path)
        : new URL(`${sandbox.url}${request.path}`);
      for (const [name, value] of Object.entries(request.query ?? {})) {
        for (const item of [value].flat()) url.searchParams.append(name, item);
      }
      result.requests.push(decodeURIComponent(`${url.pathname}${url.search}`));
      const res = await fetch(url, {
        method: request.method,
        headers: {
          ...request.headers,
          authorization: `Bearer ${sandbox.platform.secretKey}`,
          'stripe-account': account,
        },
        ...(request.signal ? { signal: request.signal } : {}),
      });
      return {
        status: res.status,
        headers: Object.fromEntries(res.headers),
        body: res.body ?? new Blob([]).stream(),
        json: <T>() => res.json() as Promise<T>,
        text: () => res.text(),
        attempts: 1,
      };
    };
    const ctx: SyncContext<Models, z.output<C>> = {
      connection: {
        id: 'conn_1',
        environmentId: 'env_1',
        integrationId: 'int_1',
        provider: 'stripe',
        endUserId: 'user_1',
        config: {},
        metadata: {},
      },
      proxy: createScriptProxy({ send, scope: { environmentId: 'env_1', connectionId: 'conn_1' } }),
      paginate: (request) =>
        paginate({ pagination: definition.pagination, request, send, proxyBaseUrl: sandbox.url }),
      log: createLogger({ level: 'silent' }),
      signal: new AbortController().signal,
      run: { id: 'run_1', mode, attempt: 1, lastSuccessAt: null },
      records: {
        async save(model, records) {
          for (const input of records) {
            const record = (sync.models[model] as z.ZodType).parse(input) as Record<string, unknown>;
            memory.records.set(String(record.id), record);
          }
        },
        async delete(_model, ids) {
          for (const id of ids) {
            memory.records.delete(id);
            memory.deleted.add(id);
          }
        },
      },
      checkpoint: {
        get: async () => memory.checkpoint as z.output<C> | null,
        async save(checkpoint) {
          memory.checkpoint = (sync.checkpoint as z.ZodType).parse(checkpoint) as StripeCheckpoint;
          memory.checkpointSaves++;
          if (memory.checkpointSaves === memory.crashAfterSave) throw new Error('worker crashed');
        },
      },
    };
    assert.ok(sync.exec);
    await sync.exec(ctx);
    return result;
  }

  it('lists every customer first, then sees new, edited and deleted ones from events', async () => {
    useAccount();
    const seeded = sandbox.control.seedCustomers(250, { account });
    const memory = new Memory();
    const before = Math.floor(Date.now() / 1000);
    const first = await run(customers, memory);
    assert.equal(memory.records.size, 250);
    // A first run spends its requests on the listing only: no event is read before it.
    assert.deepEqual(first.requests, [
      '/v1/customers?limit=100',
      `/v1/customers?limit=100&starting_after=${seeded[150]}`,
      `/v1/customers?limit=100&starting_after=${seeded[50]}`,
    ]);
    assert.equal(memory.checkpoint?.listing, null);
    const eventsFrom = memory.checkpoint?.eventsFrom ?? 0;
    assert.ok(
      eventsFrom >= before && eventsFrom <= Math.floor(Date.now() / 1000),
      'the next pass starts where the listing began',
    );

    const highWater = memory.checkpoint?.highWater;
    const added = await stripe.customers.create({ email: 'new@example.com' });
    await stripe.customers.update(seeded[10] as string, { name: 'Renamed', metadata: { vip: 'yes' } });
    await stripe.customers.del(seeded[20] as string);
    const second = await run(customers, memory);
    assert.equal(second.requests[0], `/v1/customers?created[gte]=${highWater}&limit=100`);
    assert.equal(memory.records.size, 250);
    assert.equal(memory.get(added.id)?.email, 'new@example.com');
    assert.equal(memory.get(seeded[10] as string)?.name, 'Renamed');
    assert.deepEqual(memory.get(seeded[10] as string)?.metadata, { seeded: 'true', vip: 'yes' });
    assert.equal(memory.get(seeded[20] as string), undefined);
    assert.ok(memory.deleted.has(seeded[20] as string));
    assert.ok(memory.checkpoint?.eventsFrom, 'the next pass starts at the newest event');

    // Nothing changed: one listing page and one events page. The pass re-reads a few minutes of
    // events before its start, so the deletion is applied again: a soft delete of a deleted record.
    memory.deleted.clear();
    const third = await run(customers, memory);
    assert.equal(third.requests.length, 2);
    assert.deepEqual([...memory.deleted], [seeded[20]]);
    assert.equal(memory.records.size, 250);
  });

  it('lists invoices in exact counts and statuses, then applies edits and deletions', async () => {
    useAccount();
    sandbox.control.seedCustomers(40, { account });
    const seeded = sandbox.control.seedInvoices(480, { account });
    const memory = new Memory();
    await run(invoices, memory);
    assert.equal(memory.records.size, 480);
    const byStatus = (status: string) =>
      [...memory.records.values()].filter((r) => r.status === status).length;
    // The seed cycles paid, open, paid, void, paid, draft, paid, uncollectible.
    assert.deepEqual(['paid', 'open', 'void', 'draft', 'uncollectible'].map(byStatus), [240, 60, 60, 60, 60]);
    const open = seeded[1] as string;
    const draft = seeded[5] as string;
    assert.equal(memory.get(open)?.status, 'open');
    assert.equal(lengthOf(memory.get(open)?.lines), 1);

    await stripe.invoices.pay(open, { paid_out_of_band: true });
    await stripe.invoices.del(draft);
    const customer = await stripe.customers.create({ email: 'many@example.com' });
    const long = await stripe.invoices.create({
      customer: customer.id,
      collection_method: 'send_invoice',
      days_until_due: 3,
    });
    for (let i = 0; i < 12; i++) {
      await stripe.invoiceItems.create({
        customer: customer.id,
        invoice: long.id,
        amount: 100 + i,
        currency: 'usd',
      });
    }
    await run(invoices, memory);
    assert.equal(memory.get(open)?.status, 'paid');
    assert.ok(memory.get(open)?.paidAt);
    assert.equal(memory.get(draft), undefined);
    assert.equal(lengthOf(memory.get(long.id)?.lines), 12, 'lines past the first 10 are read');
    assert.equal(memory.records.size, 480);
  });

  it('resumes a crashed first listing at the page it stopped at', async () => {
    useAccount();
    sandbox.control.seedCustomers(10, { account });
    sandbox.control.seedInvoices(530, { account });
    const memory = new Memory();
    // Save 1 starts the listing, saves 2–4 follow pages 1–3.
    memory.crashAfterSave = 4;
    await assert.rejects(run(invoices, memory), /worker crashed/);
    assert.equal(memory.records.size, 300);
    const next = memory.checkpoint?.listing?.next;
    assert.ok(next?.type === 'cursor');

    memory.crashAfterSave = undefined;
    const resumed = await run(invoices, memory, 'incremental');
    assert.equal(resumed.requests[0], `/v1/invoices?limit=100&starting_after=${next.cursor}`);
    assert.equal(resumed.requests.length, 3);
    assert.equal(memory.records.size, 530);
    assert.equal(memory.checkpoint?.listing, null);
  });

  it('lists everything again when the last pass is older than the events Stripe keeps', async () => {
    useAccount();
    sandbox.control.seedCustomers(120, { account });
    const memory = new Memory();
    await run(customers, memory);
    assert.ok(memory.checkpoint);
    memory.checkpoint = { ...memory.checkpoint, passedAtMs: Date.now() - EVENT_RETENTION_MS - 60_000 };
    memory.records.clear();
    const stale = await run(customers, memory, 'incremental');
    assert.equal(stale.requests[0], '/v1/customers?limit=100');
    assert.equal(memory.records.size, 120);
  });

  it('syncs products with their prices, and a price change through its product', async () => {
    useAccount();
    const mug = await stripe.products.create({ name: 'Mug' });
    const usd = await stripe.prices.create({ product: mug.id, currency: 'usd', unit_amount: 1200 });
    await stripe.prices.create({ product: mug.id, currency: 'eur', unit_amount: 1100 });
    const club = await stripe.products.create({ name: 'Club' });
    await stripe.prices.create({
      product: club.id,
      currency: 'usd',
      unit_amount: 900,
      recurring: { interval: 'month' },
    });
    const bare = await stripe.products.create({ name: 'Soon' });
    const memory = new Memory();
    const first = await run(products, memory);
    assert.equal(
      first.requests.filter((r) => r.startsWith('/v1/prices')).length,
      1,
      'every price in one listing',
    );
    assert.equal(memory.records.size, 3);
    assert.equal(lengthOf(memory.get(mug.id)?.prices), 2);
    const clubPrices = memory.get(club.id)?.prices as Array<{ id: string }> | undefined;
    assert.deepEqual(clubPrices, [
      {
        id: clubPrices?.[0]?.id,
        currency: 'usd',
        unitAmount: 900,
        active: true,
        recurring: { interval: 'month', intervalCount: 1 },
      },
    ]);
    assert.deepEqual(memory.get(bare.id)?.prices, []);

    await stripe.prices.update(usd.id, { active: false });
    await stripe.products.del(bare.id);
    await run(products, memory);
    assert.equal(memory.get(bare.id), undefined);
    assert.ok(memory.deleted.has(bare.id), 'product.deleted soft-deletes the record');
    const prices = memory.get(mug.id)?.prices as Array<{ id: string; active: boolean }>;
    assert.equal(prices.find((price) => price.id === usd.id)?.active, false);
  });

  it('syncs charges with refunds and application fees, and refunds made later', async () => {
    useAccount();
    const paid = await stripe.paymentIntents.create({
      amount: 4000,
      currency: 'usd',
      confirm: true,
      payment_method: 'pm_card_visa',
      application_fee_amount: 400,
    });
    await stripe.refunds.create({ payment_intent: paid.id, amount: 1000 });
    await stripe.paymentIntents
      .create({ amount: 700, currency: 'usd', confirm: true, payment_method: 'pm_card_chargeDeclined' })
      .catch(() => undefined);
    const memory = new Memory();
    await run(payments, memory);
    assert.equal(memory.records.size, 2);
    const charge = memory.get(String(paid.latest_charge));
    assert.deepEqual(
      [charge?.status, charge?.amountRefunded, charge?.applicationFeeAmount, lengthOf(charge?.refunds)],
      ['partially_refunded', 1000, 400, 1],
    );
    assert.equal([...memory.records.values()].filter((r) => r.status === 'failed').length, 1);

    await stripe.refunds.create({ payment_intent: paid.id });
    await run(payments, memory);
    const refunded = memory.get(String(paid.latest_charge));
    assert.deepEqual([refunded?.status, lengthOf(refunded?.refunds)], ['refunded', 2]);
  });

  it('syncs subscriptions of every status, canceled ones included', async () => {
    useAccount();
    const customer = await stripe.customers.create({ email: 'sub@example.com' });
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 500,
      recurring: { interval: 'month' },
      product_data: { name: 'Box' },
    });
    const kept = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const gone = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await stripe.subscriptions.cancel(gone.id);
    const memory = new Memory();
    const first = await run(subscriptions, memory);
    assert.ok(first.requests.includes('/v1/subscriptions?status=all&limit=100'));
    assert.deepEqual([memory.get(kept.id)?.status, memory.get(gone.id)?.status], ['active', 'canceled']);

    await stripe.subscriptions.update(kept.id, { cancel_at_period_end: true });
    await run(subscriptions, memory);
    assert.equal(memory.get(kept.id)?.cancelAtPeriodEnd, true);
  });
});
