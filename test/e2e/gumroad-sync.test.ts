/**
 * Gumroad end to end on the script runtime: an engine in this process connects to the Gumroad
 * emulator over OAuth, runs the real `sales` and `products` syncs through the queue, and serves
 * the records — change detection, deletes, field mappings, and the emulator's faults (429 bursts,
 * 500s, a slow answer past the proxy timeout, a truncated page) ending in exact counts and no
 * duplicate records.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toSale } from '../../providers/gumroad/models.ts';
import type { GumroadSandbox } from '../../sandbox/index.ts';
import { type GumroadWorld, startGumroadWorld } from '../support/gumroad-world.ts';
import { type JsonAnswer, type LibraryEngine, waitFor } from '../support/library-engine.ts';

const SALES = 100;
const PAGE_SIZE = 25;

describe('Gumroad syncs end to end', () => {
  let engine: LibraryEngine;
  let gumroad: GumroadSandbox;
  let connectionId: string;
  let world: GumroadWorld;

  before(async () => {
    world = await startGumroadWorld({
      // The test polls runs every 25 ms: far above the default 600 API calls per minute.
      engine: { config: { proxyTimeoutMs: 1_000, apiRateLimit: 1_000_000 } },
      sandbox: {
        sales: SALES,
        products: 5,
        pageSize: PAGE_SIZE,
        // The proxy paces calls at Gumroad's 120/min itself (tested in proxy-rate-limit); the
        // emulator's own window would only add Retry-After waits to the fault cases here.
        rateLimit: false,
      },
    });
    ({ engine, gumroad, connectionId } = world);
  });

  after(() => world?.close());

  async function run(sync: string, mode: 'full' | 'incremental' = 'full'): Promise<JsonAnswer['body']> {
    const trigger = await engine.call('POST', `/v1/connections/${connectionId}/syncs/${sync}/trigger`, {
      mode,
    });
    assert.equal(trigger.status, 202, trigger.text);
    return finished(trigger.body.runId);
  }

  async function finished(runId: string): Promise<JsonAnswer['body']> {
    return waitFor(
      `run ${runId} to finish`,
      async () => {
        const answer = await engine.call('GET', `/v1/sync-runs/${runId}`);
        return ['succeeded', 'failed'].includes(answer.body.status) ? answer.body : undefined;
      },
      60_000,
    );
  }

  async function allRecords(model: string, query = ''): Promise<Array<Record<string, unknown>>> {
    const all: Array<Record<string, unknown>> = [];
    let after: string | null = null;
    do {
      const page: JsonAnswer = await engine.call(
        'GET',
        `/v1/records?connectionId=${connectionId}&model=${model}&limit=30${after ? `&after=${after}` : ''}${query}`,
      );
      assert.equal(page.status, 200, page.text);
      all.push(...page.body.data);
      after = page.body.nextAfter;
    } while (after);
    return all;
  }

  function assertDistinct(records: Array<Record<string, unknown>>): void {
    assert.equal(new Set(records.map((record) => record.id)).size, records.length, 'no record appears twice');
  }

  it("starts a new connection's syncs when it is made, not at the scheduler's next tick", async () => {
    // The scheduler ticks once a minute; the runs exist as soon as the connect flow has ended.
    const runs = await engine.call('GET', `/v1/sync-runs?connectionId=${connectionId}`);
    assert.equal(runs.status, 200, runs.text);
    assert.deepEqual(
      runs.body.data.map((r: { sync: string; trigger: string }) => `${r.sync}:${r.trigger}`).sort(),
      ['products:schedule', 'sales:schedule', 'subscribers:schedule'],
    );
  });

  it('syncs every sale, page by page, into normalized records', async () => {
    const syncs = await engine.call('GET', `/v1/connections/${connectionId}/syncs`);
    assert.deepEqual(syncs.body.data.map((s: { name: string }) => s.name).sort(), [
      'products',
      'sales',
      'subscribers',
    ]);
    const first = await run('sales');
    assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
    assert.deepEqual(
      [first.added, first.updated, first.deleted, first.pages],
      [SALES, 0, 0, SALES / PAGE_SIZE],
    );
    const records = await allRecords('sales');
    assert.equal(records.length, SALES);
    assertDistinct(records);
    const sample = records[0]?.data as Record<string, unknown>;
    assert.equal(typeof sample.amount, 'number');
    assert.equal(sample.currency, 'usd');
    assert.equal(typeof (sample.buyer as { email: unknown }).email, 'string');
  });

  it('an unchanged re-run updates nothing; a revision that changes 1 % updates exactly those', async () => {
    const unchanged = await run('sales');
    assert.deepEqual([unchanged.added, unchanged.updated, unchanged.unchanged], [0, 0, SALES]);
    gumroad.control.setRevision(1);
    const changed = await run('sales');
    assert.deepEqual(
      [changed.added, changed.updated, changed.unchanged],
      [0, SALES / 100, SALES - SALES / 100],
    );
    const events = await engine.call('GET', '/v1/events?type=records.changed&limit=200');
    assert.ok(
      events.body.data.some(
        (e: { data: { syncRunId: string; updated: number } }) =>
          e.data.syncRunId === changed.id && e.data.updated === 1,
      ),
    );
  });

  it('detects a deleted product on the next full run', async () => {
    // The connection's own first run may already have added them.
    const first = await run('products');
    assert.equal(first.added + first.unchanged, 5);
    gumroad.control.deleteProduct(gumroad.productIds()[0]!);
    const second = await run('products');
    assert.deepEqual([second.added, second.deleted, second.unchanged], [0, 1, 4]);
    assert.equal((await allRecords('products')).length, 4);
    const withDeleted = await allRecords('products', '&includeDeleted=true');
    assert.equal(withDeleted.filter((record) => record.deleted === true).length, 1);
  });

  it('applies a field mapping to the records it serves', async () => {
    const put = await engine.call('PUT', `/v1/connections/${connectionId}/field-mappings/model/sales`, {
      fields: [
        { from: 'amount', to: 'amountCents' },
        { from: 'buyer.email', to: 'customerEmail' },
        { from: 'createdAt', to: 'createdAtUnix', transform: { type: 'date', format: 'unix' } },
      ],
      keepUnmapped: true,
    });
    assert.equal(put.status, 200, put.text);
    const [record] = (
      await engine.call('GET', `/v1/records?connectionId=${connectionId}&model=sales&limit=1`)
    ).body.data;
    assert.equal(typeof record.data.amountCents, 'number');
    assert.equal(record.data.amount, undefined);
    assert.match(record.data.customerEmail, /@/);
    assert.equal(typeof record.data.createdAtUnix, 'number');
    await engine.call('DELETE', `/v1/connections/${connectionId}/field-mappings/model/sales`);
  });

  it('rides out 429 bursts, 500s and a timeout with exact counts', async () => {
    // Three failures of one request, then an answer: within the proxy's four attempts.
    gumroad.control.faults.tooManyRequests(2, 1);
    gumroad.control.faults.serverErrors(1);
    const retried = await run('sales');
    assert.equal(retried.status, 'succeeded', JSON.stringify(retried.error));
    assert.deepEqual([retried.added, retried.updated, retried.unchanged], [0, 0, SALES]);
    assert.equal(gumroad.stats.injected.tooManyRequests, 2);
    assert.equal(gumroad.stats.injected.serverErrors, 1);

    // An answer slower than the proxy's 1 s timeout is abandoned and asked again.
    gumroad.control.faults.delay(1, 2_500);
    const slow = await run('sales');
    assert.equal(slow.status, 'succeeded', JSON.stringify(slow.error));
    assert.equal(slow.unchanged, SALES);
    assert.equal(gumroad.stats.injected.delayed, 1);
    assertDistinct(await allRecords('sales'));
  });

  it('a provider that keeps failing fails the run cleanly with the committed counts', async () => {
    const trigger = await engine.call('POST', `/v1/connections/${connectionId}/syncs/sales/trigger`, {
      mode: 'full',
    });
    await waitFor('the first page', async () => {
      const answer = await engine.call('GET', `/v1/sync-runs/${trigger.body.runId}`);
      return answer.body.pages >= 1 ? true : undefined;
    });
    gumroad.control.faults.serverErrors(20);
    const failed = await finished(trigger.body.runId);
    gumroad.control.faults.clear();
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error.code, 'provider_error');
    assert.match(failed.error.message, /500/);
    assert.equal(failed.added + failed.updated + failed.unchanged, failed.pages * PAGE_SIZE);
    const records = await allRecords('sales');
    assert.equal(records.length, SALES);
    assertDistinct(records);
  });

  it('a truncated page fails the run cleanly; the next run resumes from the checkpoint', async () => {
    gumroad.control.setRevision(2);
    const trigger = await engine.call('POST', `/v1/connections/${connectionId}/syncs/sales/trigger`, {
      mode: 'full',
    });
    // Arm the fault once the first page is committed: a later page arrives cut mid-array.
    await waitFor('the first page', async () => {
      const answer = await engine.call('GET', `/v1/sync-runs/${trigger.body.runId}`);
      return answer.body.pages >= 1 ? true : undefined;
    });
    gumroad.control.faults.truncate(1);
    const failed = await finished(trigger.body.runId);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error.code, 'provider_response_invalid');
    assert.ok(failed.pages >= 1 && failed.pages < SALES / PAGE_SIZE);
    // Committed pages were counted exactly: every record seen so far was either unchanged or updated.
    assert.equal(failed.added + failed.updated + failed.unchanged, failed.pages * PAGE_SIZE);
    const records = await allRecords('sales');
    assert.equal(records.length, SALES);
    assertDistinct(records);

    const resumed = await run('sales', 'incremental');
    assert.equal(resumed.status, 'succeeded', JSON.stringify(resumed.error));
    assert.equal(
      resumed.pages,
      SALES / PAGE_SIZE - failed.pages,
      'the next run starts at the page that failed',
    );
    const after = await allRecords('sales');
    assert.equal(after.length, SALES);
    assertDistinct(after);
    // No half-written record: every stored sale is exactly what the provider serves now.
    const expected = new Map<string, unknown>();
    for (let index = 0; index < gumroad.saleCount; index++) {
      const sale = toSale(gumroad.sale(index));
      expected.set(sale.id, JSON.parse(JSON.stringify(sale)));
    }
    for (const record of after) assert.deepEqual(record.data, expected.get(record.id as string));
  });

  it('a trigger while a run is pending returns that run', async () => {
    const [a, b] = await Promise.all([
      engine.call('POST', `/v1/connections/${connectionId}/syncs/sales/trigger`, { mode: 'full' }),
      engine.call('POST', `/v1/connections/${connectionId}/syncs/sales/trigger`, { mode: 'full' }),
    ]);
    assert.equal(a.body.runId, b.body.runId);
    assert.deepEqual([a.body.created, b.body.created].sort(), [false, true]);
    await finished(a.body.runId);
    const runs = await engine.call('GET', `/v1/sync-runs?connectionId=${connectionId}&sync=sales&limit=200`);
    assert.ok(runs.body.data.every((r: { status: string }) => r.status !== 'running'));
  });

  it('a Gumroad sale ping starts an incremental sales run for its connection', async () => {
    const issued = await engine.call('POST', `/v1/connections/${connectionId}/webhook-token`);
    assert.equal(issued.status, 201, issued.text);
    const [newSale] = gumroad.control.addSales(1);
    const ping = await fetch(issued.body.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ resource_name: 'sale', sale_id: newSale!, seller_id: 'seller' }).toString(),
    });
    assert.equal(ping.status, 200, await ping.text());
    const run = await waitFor('a run started by the webhook', async () => {
      const runs = await engine.call('GET', `/v1/sync-runs?connectionId=${connectionId}&sync=sales&limit=5`);
      const started = runs.body.data.find((r: { trigger: string }) => r.trigger === 'webhook');
      return started && ['succeeded', 'failed'].includes(started.status) ? started : undefined;
    });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(run.mode, 'incremental');
    assert.equal(run.added, 1, 'the new sale arrived without waiting for the schedule');
    const record = await engine.call('GET', `/v1/records?connectionId=${connectionId}&model=sales&limit=200`);
    assert.ok(record.body.data.some((r: { id: string }) => r.id === newSale));
  });

  it('answers bad requests with stable 4xx codes', async () => {
    const unknownSync = await engine.call('POST', `/v1/connections/${connectionId}/syncs/orders/trigger`, {});
    assert.equal(unknownSync.status, 404);
    assert.equal(unknownSync.body.error.code, 'sync_not_found');
    const badMode = await engine.call('POST', `/v1/connections/${connectionId}/syncs/sales/trigger`, {
      mode: 'partial',
    });
    assert.equal(badMode.status, 400);
    const badFrequency = await engine.call('PATCH', `/v1/connections/${connectionId}/syncs/sales`, {
      frequency: 'often',
    });
    assert.equal(badFrequency.status, 400, badFrequency.text);
    const paused = await engine.call('PATCH', `/v1/connections/${connectionId}/syncs/sales`, {
      paused: true,
      frequency: '2h',
    });
    assert.equal(paused.status, 200, paused.text);
    assert.deepEqual(
      [paused.body.paused, paused.body.frequencySeconds, paused.body.nextRunAt],
      [true, 7200, null],
    );
    const badCursor = await engine.call(
      'GET',
      `/v1/records?connectionId=${connectionId}&model=sales&after=nonsense`,
    );
    assert.equal(badCursor.status, 400);
  });
});
