// The Gumroad syncs' exec against the Gumroad sandbox, with a small in-memory SyncContext: the
// real paginate and script proxy over a plain fetch transport (the end-to-end runs through the
// sync runner, proxy and store are the engine's tests).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { z } from 'zod';
import { type GumroadSandbox, startGumroadSandbox } from '../../sandbox/index.ts';
import { ManualClock } from '../../src/clock/index.ts';
import { isPatchbayError } from '../../src/errors/index.ts';
import { createLogger } from '../../src/logger/index.ts';
import type { ProviderRequest, ProviderResponse } from '../../src/proxy/types.ts';
import { paginate } from '../../src/scripting/paginate.ts';
import { createScriptProxy } from '../../src/scripting/script-proxy.ts';
import type { ModelSchemas, SyncContext, SyncDefinition } from '../../src/scripting/types.ts';
import definition from './definition.ts';
import products from './syncs/products.ts';
import sales, { listFrom, type SalesCheckpoint } from './syncs/sales.ts';

const NOW = Date.UTC(2026, 0, 10, 12);

/** Records and checkpoint of one connection's sync, kept across runs like the store would. */
class Memory<Checkpoint> {
  readonly records = new Map<string, Record<string, unknown>>();
  checkpoint: Checkpoint | null = null;
  checkpointSaves = 0;
  /** Throw (as a crash would) right after the checkpoint save with this number. */
  crashAfterSave: number | undefined;
}

interface RunInfo {
  mode?: 'incremental' | 'full';
  lastSuccessAt?: Date | null;
  attempt?: number;
  /** Another sandbox than the suite's. */
  target?: GumroadSandbox;
  /** Called before request number n (1-based) of the run is sent. */
  beforeRequest?: (n: number) => void;
}

interface RunResult {
  requests: string[];
  /** Ids saved during the run (what a full run "saw"). */
  saved: Set<string>;
  /** Records whose content changed or that are new. */
  changed: number;
}

describe('gumroad syncs', () => {
  let sandbox: GumroadSandbox;
  let token: string;
  const clock = new ManualClock(NOW);

  before(async () => {
    sandbox = await startGumroadSandbox({ sales: 95, products: 4, rateLimit: false, clock });
    token = sandbox.issueAccessToken();
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sandbox.control.faults.clear();
    sandbox.control.setRevision(0);
  });

  /** Runs a sync's exec once with an in-memory context; throws what exec throws. */
  async function run<Models extends ModelSchemas, C extends z.ZodType>(
    sync: SyncDefinition<Models, C>,
    memory: Memory<z.output<C>>,
    info: RunInfo = {},
    result: RunResult = { requests: [], saved: new Set(), changed: 0 },
  ): Promise<RunResult> {
    const target = info.target ?? sandbox;
    const bearer = info.target ? info.target.issueAccessToken() : token;
    const send = async (request: ProviderRequest): Promise<ProviderResponse> => {
      const url = /^https?:/.test(request.path)
        ? new URL(request.path)
        : new URL(`${target.url}/v2${request.path}`);
      for (const [name, value] of Object.entries(request.query ?? {})) {
        for (const item of [value].flat()) url.searchParams.append(name, item);
      }
      result.requests.push(`${url.pathname}${url.search}`);
      info.beforeRequest?.(result.requests.length);
      const res = await fetch(url, {
        method: request.method,
        headers: { ...request.headers, authorization: `Bearer ${bearer}` },
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
    const proxyBaseUrl = `${target.url}/v2`;
    const ctx: SyncContext<Models, z.output<C>> = {
      connection: {
        id: 'conn_1',
        environmentId: 'env_1',
        integrationId: 'int_1',
        provider: 'gumroad',
        endUserId: 'user_1',
        config: {},
        metadata: {},
      },
      proxy: createScriptProxy({ send, scope: { environmentId: 'env_1', connectionId: 'conn_1' } }),
      paginate: (request) => paginate({ pagination: definition.pagination, request, send, proxyBaseUrl }),
      log: createLogger({ level: 'silent' }),
      signal: new AbortController().signal,
      run: {
        id: 'run_1',
        mode: info.mode ?? 'incremental',
        attempt: info.attempt ?? 1,
        lastSuccessAt: info.lastSuccessAt ?? null,
      },
      records: {
        async save(model, records) {
          for (const input of records) {
            const record = (sync.models[model] as z.ZodType).parse(input) as Record<string, unknown>;
            const key = `${model}:${record.id}`;
            const before = memory.records.get(key);
            if (JSON.stringify(before) !== JSON.stringify(record)) result.changed++;
            memory.records.set(key, record);
            result.saved.add(key);
          }
        },
        async delete(model, ids) {
          for (const id of ids) memory.records.delete(`${model}:${id}`);
        },
      },
      checkpoint: {
        get: async () => memory.checkpoint,
        async save(checkpoint) {
          memory.checkpoint = sync.checkpoint
            ? (sync.checkpoint.parse(checkpoint) as z.output<C>)
            : checkpoint;
          memory.checkpointSaves++;
          if (memory.checkpointSaves === memory.crashAfterSave) throw new Error('worker crashed');
        },
      },
    };
    assert.ok(sync.exec);
    await sync.exec(ctx);
    return result;
  }

  it('lists products in one request and drops deleted ones from a full run', async () => {
    const memory = new Memory<never>();
    const first = await run(products, memory, { mode: 'full' });
    assert.deepEqual(first.requests, ['/v2/products']);
    assert.equal(first.saved.size, 4);
    const record = memory.records.get(`products:${sandbox.productIds()[0]}`);
    assert.equal(typeof record?.price, 'number');
    assert.match(String(record?.currency), /^[a-z]{3}$/);

    const [gone] = sandbox.productIds();
    sandbox.control.deleteProduct(gone as string);
    const second = await run(products, memory, { mode: 'full' });
    // The runner soft-deletes what a full run of a trackDeletes sync did not save.
    assert.equal(products.trackDeletes, true);
    assert.equal(second.saved.size, 3);
    assert.equal(second.saved.has(`products:${gone}`), false);
  });

  it('lists every sale on a first run, checkpointing each page, and ends with no page cursor', async () => {
    const memory = new Memory<SalesCheckpoint>();
    const result = await run(sales, memory);
    assert.equal(result.requests.length, 10);
    assert.equal(result.requests[0], '/v2/sales');
    assert.equal(memory.records.size, 95);
    assert.equal(memory.checkpointSaves, 10);
    assert.deepEqual(memory.checkpoint, { after: null, pageCursor: null });
    const newest = memory.records.get(`sales:${sandbox.sale(94).id}`);
    assert.equal(newest?.amount, sandbox.sale(94).price);
    assert.equal(newest?.currency, 'usd');
  });

  it('resumes a crashed run at the page it stopped at', async () => {
    const memory = new Memory<SalesCheckpoint>();
    memory.crashAfterSave = 4;
    const crashed: RunResult = { requests: [], saved: new Set(), changed: 0 };
    await assert.rejects(run(sales, memory, {}, crashed), /worker crashed/);
    assert.equal(memory.records.size, 40);
    assert.equal(memory.checkpoint?.pageCursor?.type, 'cursor');
    const cursor = memory.checkpoint?.pageCursor;

    memory.crashAfterSave = undefined;
    const resumed = await run(sales, memory, { attempt: 2 });
    assert.equal(resumed.requests.length, 6);
    assert.ok(cursor?.type === 'cursor');
    assert.equal(resumed.requests[0], `/v2/sales?page_key=${cursor.cursor}`);
    assert.equal(resumed.saved.size, 55);
    assert.equal(memory.records.size, 95);
    assert.deepEqual(memory.checkpoint, { after: null, pageCursor: null });
  });

  it('asks incremental runs from the day before the last success and picks up new sales', async () => {
    assert.equal(listFrom('incremental', new Date(NOW)), '2026-01-09');
    assert.equal(listFrom('full', new Date(NOW)), null);
    assert.equal(listFrom('incremental', null), null);

    const memory = new Memory<SalesCheckpoint>();
    await run(sales, memory);
    const added = sandbox.control.addSales(12);
    const incremental = await run(sales, memory, { lastSuccessAt: new Date(NOW - 3_600_000) });
    assert.equal(incremental.requests.length, 2);
    assert.equal(incremental.requests[0], '/v2/sales?after=2026-01-09');
    assert.match(incremental.requests[1] ?? '', /^\/v2\/sales\?after=2026-01-09&page_key=\d{20}-\d+$/);
    assert.equal(incremental.saved.size, 12);
    assert.deepEqual([...incremental.saved].sort(), added.map((id) => `sales:${id}`).sort());
    assert.deepEqual(memory.checkpoint, { after: '2026-01-09', pageCursor: null });
    assert.equal(memory.records.size, 95 + 12);
  });

  it('sees the 1 % of sales a revision changed on a full run', async () => {
    const bigger = await startGumroadSandbox({
      sales: 300,
      products: 3,
      pageSize: 100,
      rateLimit: false,
      clock,
    });
    try {
      const memory = new Memory<SalesCheckpoint>();
      const first = await run(sales, memory, { mode: 'full', target: bigger });
      assert.equal(first.changed, 300);
      bigger.control.setRevision(3);
      const full = await run(sales, memory, { mode: 'full', lastSuccessAt: new Date(NOW), target: bigger });
      assert.equal(full.requests.length, 3);
      assert.equal(full.saved.size, 300);
      assert.equal(full.changed, 3);
      const refunded = [...memory.records.values()].filter((r) => r.refunded || r.partiallyRefunded);
      assert.equal(refunded.length, 3);
    } finally {
      await bigger.close();
    }
  });

  it('stops at a truncated page with the pages before it saved, and the next attempt resumes there', async () => {
    const memory = new Memory<SalesCheckpoint>();
    await assert.rejects(
      run(sales, memory, {
        beforeRequest: (n) => {
          if (n === 2) sandbox.control.faults.truncate(1);
        },
      }),
      (error: unknown) => isPatchbayError(error) && error.code === 'provider_response_invalid',
    );
    assert.equal(memory.records.size, 10);
    const cursor = memory.checkpoint?.pageCursor;
    assert.ok(cursor?.type === 'cursor');
    const resumed = await run(sales, memory, { attempt: 2 });
    assert.equal(resumed.requests[0], `/v2/sales?page_key=${cursor.cursor}`);
    // Sales added by an earlier test are listed too.
    assert.equal(resumed.requests.length, Math.ceil(sandbox.saleCount / 10) - 1);
    assert.equal(memory.records.size, sandbox.saleCount);
    assert.deepEqual(memory.checkpoint, { after: null, pageCursor: null });
  });

  it('surfaces 500s and a truncated first page as provider errors, saving nothing', async () => {
    sandbox.control.faults.serverErrors(1);
    await assert.rejects(
      run(products, new Memory<never>()),
      (error: unknown) => isPatchbayError(error) && error.code === 'provider_error',
    );
    const memory = new Memory<SalesCheckpoint>();
    sandbox.control.faults.truncate(1);
    await assert.rejects(
      run(sales, memory),
      (error: unknown) => isPatchbayError(error) && error.code === 'provider_response_invalid',
    );
    assert.equal(memory.checkpoint, null);
    assert.equal(memory.records.size, 0);
  });
});
