/**
 * Issue 16's live-selling rollup against the Stripe emulator, through the engine: 25 buyers with
 * 80 items → 25 finalized invoices with hosted URLs (and their events, and the run's progress);
 * the same rollup again → nothing new at Stripe; a buyer Stripe refuses → reported with Stripe's
 * code while the others are invoiced. The crash half (SIGKILL mid-rollup) is stripe-rollup-crash.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allInvoices, type StripeWorld, startStripeWorld } from '../support/stripe-world.ts';

const BUYERS = 25;
const ITEMS = 80;

/** 25 buyers with 80 items between them (3 or 4 each), some with emails. */
function showBuyers(rollupId: string) {
  return Array.from({ length: BUYERS }, (_, b) => ({
    buyerId: `${rollupId}-buyer-${b}`,
    handle: `@fan${b}`,
    ...(b % 2 === 0 ? { email: `fan${b}@example.com` } : {}),
    ...(b % 3 === 0 ? { name: `Fan ${b}` } : {}),
    items: Array.from({ length: b < ITEMS - 3 * BUYERS ? 4 : 3 }, (_, i) => ({
      title: `Lot ${b}-${i}`,
      quantity: 1 + (i % 2),
      unitAmount: 500 + 125 * i,
      currency: 'usd',
    })),
  }));
}

describe('Stripe: invoices from a live-selling rollup', { timeout: 60_000 }, () => {
  let world: StripeWorld;
  before(async () => {
    world = await startStripeWorld();
  });
  after(() => world?.close());

  it('starts none of the syncs of a connection whose integration lists none in autoStartSyncs', async () => {
    const syncs = await world.engine.call('GET', `/v1/connections/${world.connectionId}/syncs`);
    assert.equal(syncs.status, 200, syncs.text);
    const listed = syncs.body.data as Array<{ name: string; schedule: { nextRunAt: string | null } | null }>;
    assert.ok(listed.length >= 5, syncs.text);
    // Scheduled (so a host can start them), but with no turn until one is started.
    assert.ok(
      listed.every((sync) => sync.schedule !== null && sync.schedule.nextRunAt === null),
      syncs.text,
    );
    const runs = await world.engine.call('GET', `/v1/sync-runs?connectionId=${world.connectionId}`);
    assert.equal(runs.status, 200, runs.text);
    assert.deepEqual(runs.body.data, []);
  });

  it('invoices 25 buyers (80 items) once each; the same rollup again creates nothing', async () => {
    const buyers = showBuyers('show-1');
    assert.equal(
      buyers.reduce((n, b) => n + b.items.length, 0),
      ITEMS,
    );
    const queued = await world.run(
      'create-invoices-from-rollup',
      { rollupId: 'show-1', buyers, options: { memo: 'Thanks for watching!', daysUntilDue: 3 } },
      { async: true, idempotencyKey: 'show-1-first' },
    );
    assert.equal(queued.status, 202, queued.text);
    const run = await world.finished(queued.body.id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual([run.output.invoiced, run.output.alreadyInvoiced, run.output.failed], [BUYERS, 0, 0]);
    assert.deepEqual(run.progress, { done: BUYERS, total: BUYERS, updatedAt: run.progress.updatedAt });

    const invoices = await allInvoices(world.sdk, world.accountId);
    assert.equal(invoices.length, BUYERS);
    const byBuyer = new Map(invoices.map((invoice) => [invoice.metadata?.buyerId, invoice]));
    assert.equal(byBuyer.size, BUYERS, 'one invoice per buyer');
    let lines = 0;
    for (const [index, buyer] of buyers.entries()) {
      const invoice = byBuyer.get(buyer.buyerId)!;
      const result = run.output.buyers[index];
      assert.equal(result.buyerId, buyer.buyerId);
      assert.equal(result.invoiceId, invoice.id);
      assert.equal(result.alreadyExisted, false);
      assert.equal(result.error, null);
      assert.equal(invoice.status, 'open');
      assert.match(invoice.number ?? '', /^[A-Z0-9]+-\d{4}$/);
      assert.equal(result.number, invoice.number);
      assert.ok(invoice.hosted_invoice_url?.startsWith(world.stripe.url), invoice.hosted_invoice_url ?? '');
      assert.equal(result.hostedUrl, invoice.hosted_invoice_url);
      assert.equal(invoice.collection_method, 'send_invoice');
      assert.equal(invoice.description, 'Thanks for watching!');
      assert.deepEqual(
        { rollupId: invoice.metadata?.rollupId, handle: invoice.metadata?.handle },
        { rollupId: 'show-1', handle: buyer.handle },
      );
      const expected = buyer.items.reduce((sum, item) => sum + item.quantity * item.unitAmount, 0);
      assert.equal(invoice.total, expected);
      const invoiceLines = await world.sdk.invoices.listLineItems(
        invoice.id,
        {},
        { stripeAccount: world.accountId },
      );
      assert.deepEqual(
        invoiceLines.data.map((line) => [line.description, line.quantity]).sort(),
        buyer.items.map((item) => [item.title, item.quantity]).sort(),
      );
      lines += invoiceLines.data.length;
      const customer = await world.sdk.customers.retrieve(
        invoice.customer as string,
        {},
        { stripeAccount: world.accountId },
      );
      assert.ok(!customer.deleted);
      assert.equal(customer.metadata.handle, buyer.handle);
      assert.equal(customer.email, buyer.email ?? null);
    }
    assert.equal(lines, ITEMS);

    const events = await world.engine.call('GET', '/v1/events?type=invoice.*&limit=100');
    assert.equal(events.body.data.length, BUYERS, 'one invoice.created per new invoice');
    const rollupEvents = await world.engine.call('GET', '/v1/events?type=rollup.invoiced');
    assert.deepEqual(
      rollupEvents.body.data.map((e: { data: unknown }) => e.data),
      [
        {
          rollupId: 'show-1',
          buyers: BUYERS,
          invoiced: BUYERS,
          alreadyInvoiced: 0,
          failed: 0,
          connectionId: world.connectionId,
          integrationId: rollupEvents.body.data[0].data.integrationId,
          integrationKey: 'stripe',
          provider: 'stripe',
          endUserId: 'end-user-1',
        },
      ],
    );

    // The same rollup again, as a new run (another key): found by its metadata, nothing written.
    const writesBefore = postCount(world);
    const again = await world.run('create-invoices-from-rollup', { rollupId: 'show-1', buyers });
    assert.equal(again.body.status, 'succeeded', again.text);
    assert.deepEqual(
      [again.body.output.invoiced, again.body.output.alreadyInvoiced, again.body.output.failed],
      [0, BUYERS, 0],
    );
    assert.ok(again.body.output.buyers.every((b: { alreadyExisted: boolean }) => b.alreadyExisted));
    assert.equal((await allInvoices(world.sdk, world.accountId)).length, BUYERS, '0 new invoices');
    assert.equal(postCount(world), writesBefore, 'not one write reached Stripe');
  });

  it('reports a buyer Stripe refuses with its error code and invoices the others', async () => {
    const buyers = showBuyers('show-2').slice(0, 5);
    // A new buyer (the others are customers since show-1, found by their handle) with a bad email.
    buyers[2] = { ...buyers[2]!, handle: '@newfan', email: 'newfan at example' };
    const before = (await allInvoices(world.sdk, world.accountId)).length;
    const run = await world.run('create-invoices-from-rollup', {
      rollupId: 'show-2',
      buyers,
      options: { collectionMethod: 'charge_automatically' },
    });
    assert.equal(run.body.status, 'succeeded', run.text);
    const output = run.body.output;
    assert.deepEqual([output.invoiced, output.alreadyInvoiced, output.failed], [4, 0, 1]);
    const failed = output.buyers[2];
    assert.equal(failed.invoiceId, null);
    assert.deepEqual(
      { ...failed.error, message: undefined },
      {
        code: 'email_invalid',
        message: undefined,
        status: 400,
        type: 'invalid_request_error',
        param: 'email',
        declineCode: null,
      },
    );
    assert.match(failed.error.message, /Invalid email address/);
    const invoices = await allInvoices(world.sdk, world.accountId);
    assert.equal(invoices.length, before + 4);
    assert.ok(
      invoices
        .slice(before)
        .every((i) => i.collection_method === 'charge_automatically' && i.status === 'open'),
    );
    const customers = await world.sdk.customers.list({ limit: 100 }, { stripeAccount: world.accountId });
    assert.equal(
      customers.data.length,
      BUYERS,
      'show-1 buyers reused their customers; the refused one made none',
    );
    // Corrected, the rollup invoices the missing buyer only.
    buyers[2] = { ...buyers[2]!, email: 'newfan@example.com' };
    const fixed = await world.run('create-invoices-from-rollup', { rollupId: 'show-2', buyers });
    assert.deepEqual(
      [fixed.body.output.invoiced, fixed.body.output.alreadyInvoiced, fixed.body.output.failed],
      [1, 4, 0],
    );
    assert.equal((await allInvoices(world.sdk, world.accountId)).length, before + 5);
  });
  it('completes a draft a stopped run left behind: only its missing lines, then finalized', async () => {
    const on = { stripeAccount: world.accountId };
    const customer = await world.sdk.customers.create({ metadata: { handle: '@draft' } }, on);
    const draft = await world.sdk.invoices.create(
      {
        customer: customer.id,
        collection_method: 'send_invoice',
        days_until_due: 7,
        metadata: { rollupId: 'show-3', buyerId: 'd-1', handle: '@draft', patchbayRunId: 'act_gone' },
      },
      on,
    );
    await world.sdk.invoiceItems.create(
      {
        customer: customer.id,
        invoice: draft.id,
        currency: 'usd',
        description: 'Lot A',
        quantity: 1,
        amount: 700,
        metadata: { patchbay_line: '0' },
      },
      on,
    );
    const run = await world.run('create-invoices-from-rollup', {
      rollupId: 'show-3',
      buyers: [
        {
          buyerId: 'd-1',
          handle: '@draft',
          items: [
            { title: 'Lot A', quantity: 1, unitAmount: 700, currency: 'usd' },
            { title: 'Lot B', quantity: 3, unitAmount: 100, currency: 'usd' },
          ],
        },
      ],
    });
    assert.equal(run.body.status, 'succeeded', run.text);
    const [result] = run.body.output.buyers;
    assert.equal(result.invoiceId, draft.id, 'the draft was completed, not replaced');
    assert.equal(result.alreadyExisted, false, 'this run finalized it');
    const invoice = await world.sdk.invoices.retrieve(draft.id, {}, on);
    assert.equal(invoice.status, 'open');
    assert.equal(invoice.total, 1000);
    const lines = await world.sdk.invoices.listLineItems(draft.id, {}, on);
    assert.deepEqual(lines.data.map((line) => line.description).sort(), ['Lot A', 'Lot B']);
  });
});

function postCount(world: StripeWorld): number {
  return Object.entries(world.stripe.stats.byPath)
    .filter(([route]) => route.startsWith('POST '))
    .reduce((sum, [, count]) => sum + count, 0);
}

describe('Stripe: the rollup on a connection by the user’s own keys', { timeout: 60_000 }, () => {
  let world: StripeWorld;
  before(async () => {
    world = await startStripeWorld({ method: 'keys' });
  });
  after(() => world?.close());

  it('runs the same actions on the account of the pasted key', async () => {
    const buyers = showBuyers('keys-1').slice(0, 5);
    const run = await world.run('create-invoices-from-rollup', { rollupId: 'keys-1', buyers });
    assert.equal(run.body.status, 'succeeded', run.text);
    assert.deepEqual(
      [run.body.output.invoiced, run.body.output.alreadyInvoiced, run.body.output.failed],
      [5, 0, 0],
    );
    const invoices = await allInvoices(world.sdk, world.on);
    assert.equal(invoices.length, 5, 'in the key owner’s own account');
    assert.ok(invoices.every((invoice) => invoice.status === 'open' && invoice.hosted_invoice_url));
    const again = await world.run('create-invoices-from-rollup', { rollupId: 'keys-1', buyers });
    assert.equal(again.body.output.alreadyInvoiced, 5);
    assert.equal((await allInvoices(world.sdk, world.on)).length, 5);
  });
});
