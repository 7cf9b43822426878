import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPatchbay, type Patchbay } from '../../src/engine/index.ts';
import { newId } from '../../src/ids/index.ts';
import { createLogger } from '../../src/logger/index.ts';
import { generateKeyString } from '../../src/vault/index.ts';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import {
  type ActionRun,
  isPatchbayApiError,
  type PatchbayApiError,
  PatchbayClient,
  type SyncedRecord,
  type SyncRun,
} from './index.ts';

async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  status: number,
): Promise<PatchbayApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isPatchbayApiError(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, status);
    return error;
  }
  assert.fail(`expected ${code}`);
}

const PROVIDER = 'sdk-shop';
const ORIGIN = 'https://sdk-shop.example.test';
const API_KEY = 'sdk-shop-key';
const ORDERS = [
  { id: 'o1', total_cents: 1250, buyer: { email: 'a@example.com' } },
  { id: 'o2', total_cents: 990, buyer: { email: 'b@example.com' } },
  { id: 'o3', total_cents: 100, buyer: { email: 'c@example.com' } },
];

/**
 * A provider folder written for the test: one sync (`orders`, read with the response cache) and
 * one action (`create-note`), calling the local shop server through the engine's proxy.
 */
function writeProvider(dir: string): void {
  const catalog = new URL('../../src/catalog/index.ts', import.meta.url).href;
  const define = new URL('../../src/scripting/define.ts', import.meta.url).href;
  const zod = import.meta.resolve('zod');
  const folder = join(dir, PROVIDER);
  mkdirSync(join(folder, 'syncs'), { recursive: true });
  mkdirSync(join(folder, 'actions'), { recursive: true });
  writeFileSync(
    join(folder, 'definition.ts'),
    `import { defineProvider } from '${catalog}';
export default defineProvider({
  name: '${PROVIDER}',
  displayName: 'SDK shop',
  description: 'A local shop for the SDK tests.',
  categories: ['commerce'],
  logo: '${ORIGIN}/logo.svg',
  docsUrl: '${ORIGIN}/docs',
  auth: { mode: 'api_key', fields: [{ key: 'apiKey', label: 'API key', secret: true }], test: { path: '/orders' } },
  proxy: { baseUrl: '${ORIGIN}', headers: { Authorization: 'Bearer \${apiKey}' } },
});
`,
  );
  writeFileSync(
    join(folder, 'syncs', 'orders.ts'),
    `import { z } from '${zod}';
import { defineSync } from '${define}';
const order = z.object({ id: z.string(), total_cents: z.number(), buyer: z.object({ email: z.string() }) });
export default defineSync({
  name: 'orders',
  description: 'Orders of the shop.',
  models: { orders: order },
  frequency: '1h',
  autoStart: false,
  async exec(ctx) {
    const body = await ctx.proxy.getJson('/orders', { cacheTtlSeconds: 600 });
    await ctx.records.save('orders', body.orders);
  },
});
`,
  );
  writeFileSync(
    join(folder, 'actions', 'create-note.ts'),
    `import { z } from '${zod}';
import { defineAction } from '${define}';
export default defineAction({
  name: 'create-note',
  description: 'Adds a note to the shop.',
  input: z.object({ text: z.string().min(1) }),
  output: z.object({ id: z.string(), text: z.string() }),
  async exec(ctx, input) {
    return ctx.proxy.sendJson('POST', '/notes', input);
  },
});
`,
  );
}

/** The shop: `GET /orders` and `POST /notes`, answering only the connection's key. */
async function startShop(): Promise<{ server: Server; url: string; notes: string[] }> {
  const notes: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== `Bearer ${API_KEY}`) {
        res.statusCode = 401;
        res.end('{"error":"unauthorized"}');
      } else if (req.method === 'GET' && req.url === '/orders') {
        res.end(JSON.stringify({ orders: ORDERS }));
      } else if (req.method === 'POST' && req.url === '/notes') {
        const { text } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string };
        notes.push(text);
        res.end(JSON.stringify({ id: `note_${notes.length}`, text }));
      } else {
        res.statusCode = 404;
        res.end('{"error":"not found"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, notes };
}

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

for (const target of await testDatabases()) {
  describe(`SDK syncs, records, actions, field mappings and cache on ${target.name}`, {
    skip: target.skip,
  }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let providersDir: string;
    let shop: Awaited<ReturnType<typeof startShop>>;
    let engine: Patchbay;
    let baseUrl: string;
    let client: PatchbayClient;
    let prod: PatchbayClient;
    let connectionId: string;
    let firstRun: SyncRun;
    const sent: Sent[] = [];

    before(async () => {
      database = await target.create!();
      providersDir = mkdtempSync(join(tmpdir(), 'patchbay-sdk-providers-'));
      writeProvider(providersDir);
      shop = await startShop();
      engine = await createPatchbay({
        env: {},
        config: {
          dataDir: database.dataDir,
          databaseUrl: database.databaseUrl,
          encryptionKeys: generateKeyString(),
          port: 0,
          providerDirs: providersDir,
          allowPrivateNetworks: 'loopback',
          shutdownTimeoutMs: 2_000,
        },
        logger: createLogger({ level: 'silent' }),
      });
      const report = await engine.start();
      baseUrl = report.url ?? '';
      const spy: typeof fetch = (input, init) => {
        sent.push({
          method: init?.method ?? 'GET',
          url: String(input),
          headers: { ...(init?.headers as Record<string, string>) },
          body: typeof init?.body === 'string' ? init.body : undefined,
        });
        return fetch(input, init);
      };
      client = new PatchbayClient({ baseUrl, apiKey: report.firstApiKey ?? '', fetch: spy });
      const environments = engine.services.environments;
      const prodKey = await environments.createKey((await environments.getEnvironmentByName('prod')).id, {
        name: 'sdk prod',
      });
      prod = new PatchbayClient({ baseUrl, apiKey: prodKey.secret });

      await client.integrations.create({
        provider: PROVIDER,
        settings: { baseUrls: { [ORIGIN]: shop.url } },
      });
      const dev = await client.environment.get();
      const connection = await engine.services.providers.connections.save(dev.id, {
        integrationId: PROVIDER,
        endUser: { id: 'sdk-user', email: null, organization: null },
        credentials: { type: 'api_key', values: { apiKey: API_KEY } },
        connectionConfig: {},
        metadata: {},
      });
      connectionId = connection.id;
    });
    after(async () => {
      await engine?.stop();
      await new Promise<void>((resolve) => (shop ? shop.server.close(() => resolve()) : resolve()));
      if (providersDir) rmSync(providersDir, { recursive: true, force: true });
      await database?.destroy();
    });

    it('lists syncs, triggers a run, waits for it and reads the run log', async () => {
      const { data: syncs } = await client.syncs.list(connectionId);
      assert.deepEqual(
        syncs.map((s) => [s.name, s.models, s.defaultFrequency, s.autoStart]),
        [['orders', ['orders'], '1h', false]],
      );
      assert.equal(sent.at(-1)?.url, `${baseUrl}/v1/connections/${connectionId}/syncs`);

      const triggered = await client.syncs.trigger(connectionId, 'orders');
      assert.equal(triggered.created, true);
      assert.match(triggered.runId, /^run_/);
      assert.deepEqual(
        [sent.at(-1)?.method, sent.at(-1)?.url, sent.at(-1)?.body],
        ['POST', `${baseUrl}/v1/connections/${connectionId}/syncs/orders/trigger`, '{}'],
      );

      firstRun = await client.syncs.runs.wait(triggered.runId, { intervalMs: 20 });
      assert.equal(firstRun.status, 'succeeded', JSON.stringify(firstRun.error));
      // A connection's first run lists everything: it is `full` though no mode was asked for.
      assert.deepEqual(
        [firstRun.id, firstRun.sync, firstRun.trigger, firstRun.mode, firstRun.added, firstRun.updated],
        [triggered.runId, 'orders', 'manual', 'full', 3, 0],
      );
      assert.deepEqual(await client.syncs.runs.get(triggered.runId), firstRun);

      const full = await client.syncs.trigger(connectionId, 'orders', { mode: 'full' });
      assert.equal(sent.at(-1)?.body, '{"mode":"full"}');
      const fullRun = await client.syncs.runs.wait(full.runId, { intervalMs: 20 });
      assert.deepEqual([fullRun.mode, fullRun.status, fullRun.unchanged], ['full', 'succeeded', 3]);

      const page = await client.syncs.runs.list({
        connectionId,
        sync: 'orders',
        status: 'succeeded',
        limit: 1,
      });
      assert.deepEqual(
        page.data.map((run) => run.id),
        [full.runId],
        'newest first',
      );
      assert.ok(page.nextAfter);
      const next = await client.syncs.runs.list({ connectionId, after: page.nextAfter, limit: 1 });
      assert.deepEqual(
        next.data.map((run) => run.id),
        [triggered.runId],
      );
      assert.equal(
        sent.at(-1)?.url,
        `${baseUrl}/v1/sync-runs?connectionId=${connectionId}&after=${encodeURIComponent(page.nextAfter)}&limit=1`,
      );
    });

    it('changes the frequency of a sync and pauses it', async () => {
      const schedule = await client.syncs.update(connectionId, 'orders', { frequency: '2h' });
      assert.equal(schedule.frequencySeconds, 7200);
      assert.equal(schedule.paused, false);
      assert.deepEqual([sent.at(-1)?.method, sent.at(-1)?.body], ['PATCH', '{"frequency":"2h"}']);
      const paused = await client.syncs.update(connectionId, 'orders', { paused: true });
      assert.deepEqual([paused.paused, paused.nextRunAt, paused.frequencySeconds], [true, null, 7200]);
      const [listed] = (await client.syncs.list(connectionId)).data;
      assert.equal(listed?.schedule?.paused, true);
      await rejectsWith(client.syncs.update(connectionId, 'orders', {}), 'validation_failed', 400);
    });

    it('lists records by page and iterates over every page', async () => {
      const page = await client.records.list({ connectionId, model: 'orders', limit: 2 });
      assert.equal(page.data.length, 2);
      const first = page.data[0] as SyncedRecord;
      assert.deepEqual(
        [first.model, first.deleted, first.deletedAt, Object.keys(first.data).sort()],
        ['orders', false, null, ['buyer', 'id', 'total_cents']],
      );
      assert.ok(page.nextAfter);

      const before = sent.length;
      const seen: SyncedRecord[] = [];
      for await (const record of client.records.iterate({ connectionId, model: 'orders', limit: 2 })) {
        seen.push(record);
      }
      assert.deepEqual(seen.map((r) => r.id).sort(), ['o1', 'o2', 'o3']);
      const pages = sent.slice(before);
      assert.ok(pages.length >= 2, 'followed nextAfter');
      assert.ok(pages.slice(1).every((request) => new URL(request.url).searchParams.has('after')));

      // Stopping early fetches no further page.
      const onePage = sent.length;
      for await (const record of client.records.iterate({ connectionId, model: 'orders', limit: 2 })) {
        assert.ok(record.id);
        break;
      }
      assert.equal(sent.length, onePage + 1);
    });

    it('sets, lists and deletes field mappings, applied to records on read', async () => {
      const mapping = await client.fieldMappings.put(connectionId, 'model', 'orders', {
        fields: [
          {
            from: 'total_cents',
            to: 'amount',
            transform: { type: 'number', format: 'decimal', scale: 0.01 },
          },
          { from: 'buyer.email', to: 'email' },
        ],
        keepUnmapped: false,
      });
      assert.deepEqual(
        [mapping.connectionId, mapping.kind, mapping.target, mapping.mapping.keepUnmapped],
        [connectionId, 'model', 'orders', false],
      );
      assert.equal(sent.at(-1)?.method, 'PUT');
      assert.equal(sent.at(-1)?.url, `${baseUrl}/v1/connections/${connectionId}/field-mappings/model/orders`);

      const mapped = [];
      for await (const record of client.records.iterate({ connectionId, model: 'orders' }))
        mapped.push(record);
      assert.deepEqual(mapped.find((r) => r.id === 'o1')?.data, { amount: 12.5, email: 'a@example.com' });

      assert.deepEqual(
        (await client.fieldMappings.list(connectionId)).data.map((m) => [m.kind, m.target]),
        [['model', 'orders']],
      );
      assert.deepEqual(await client.fieldMappings.delete(connectionId, 'model', 'orders'), {
        connectionId,
        kind: 'model',
        target: 'orders',
        deleted: true,
      });
      assert.deepEqual((await client.fieldMappings.list(connectionId)).data, []);

      const unknown = await rejectsWith(
        client.fieldMappings.put(connectionId, 'model', 'refunds', { fields: [] }),
        'mapping_invalid',
        400,
      );
      assert.match(unknown.message, /orders/);
    });

    it('runs actions now, queued and idempotently, and reads their runs', async () => {
      const run: ActionRun = await client.actions.run(connectionId, 'create-note', { text: 'hello' });
      assert.deepEqual(
        [run.action, run.mode, run.status, run.output, run.error, run.idempotencyKey],
        ['create-note', 'sync', 'succeeded', { id: 'note_1', text: 'hello' }, null, null],
      );
      assert.deepEqual(
        [sent.at(-1)?.url, sent.at(-1)?.body],
        [`${baseUrl}/v1/connections/${connectionId}/actions/create-note`, '{"input":{"text":"hello"}}'],
      );

      const keyed = await client.actions.run(
        connectionId,
        'create-note',
        { text: 'once' },
        { idempotencyKey: 'note-once' },
      );
      assert.equal(sent.at(-1)?.headers['idempotency-key'], 'note-once');
      assert.equal(sent.at(-1)?.body, '{"input":{"text":"once"}}', 'the key travels as a header only');
      assert.equal(keyed.idempotencyKey, 'note-once');
      const again = await client.actions.run(
        connectionId,
        'create-note',
        { text: 'once' },
        { idempotencyKey: 'note-once' },
      );
      assert.deepEqual(again, keyed);
      assert.deepEqual(shop.notes, ['hello', 'once'], 'the repeat did not call the provider');
      await rejectsWith(
        client.actions.run(connectionId, 'create-note', { text: 'other' }, { idempotencyKey: 'note-once' }),
        'idempotency_key_reused',
        409,
      );

      const queued = await client.actions.run(
        connectionId,
        'create-note',
        { text: 'later' },
        { async: true },
      );
      assert.equal(sent.at(-1)?.body, '{"input":{"text":"later"},"async":true}');
      assert.equal(queued.mode, 'async');
      let finished = await client.actions.runs.get(queued.id);
      for (
        let reads = 0;
        (finished.status === 'queued' || finished.status === 'running') && reads < 500;
        reads++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished = await client.actions.runs.get(queued.id);
      }
      assert.deepEqual([finished.status, finished.output], ['succeeded', { id: 'note_3', text: 'later' }]);

      const page = await client.actions.runs.list({ connectionId, action: 'create-note', limit: 2 });
      assert.deepEqual(
        page.data.map((r) => r.id),
        [run.id, keyed.id],
        'oldest first',
      );
      assert.ok(page.nextAfter);
      const rest = await client.actions.runs.list({ connectionId, after: page.nextAfter });
      assert.deepEqual(
        rest.data.map((r) => r.id),
        [queued.id],
      );

      const invalid = await rejectsWith(
        client.actions.run(connectionId, 'create-note', { text: '' }),
        'action_input_invalid',
        400,
      );
      assert.deepEqual(
        (invalid.details as { issues: Array<{ path: string }> }).issues.map((i) => i.path),
        ['text'],
      );
      await rejectsWith(client.actions.run(connectionId, 'delete-shop', {}), 'action_not_found', 404);
    });

    it('invalidates the cached provider answers of a connection', async () => {
      // The syncs above read /orders with a cache TTL.
      assert.deepEqual(await client.cache.invalidate(connectionId, { pathPrefix: '/notes' }), {
        invalidated: 0,
      });
      assert.equal(sent.at(-1)?.url, `${baseUrl}/v1/connections/${connectionId}/cache?pathPrefix=%2Fnotes`);
      assert.equal(sent.at(-1)?.method, 'DELETE');
      assert.deepEqual(await client.cache.invalidate(connectionId, { pathPrefix: '/orders' }), {
        invalidated: 1,
      });
      assert.deepEqual(await client.cache.invalidate(connectionId), { invalidated: 0 });
      await rejectsWith(
        client.cache.invalidate(connectionId, { pathPrefix: 'orders' }),
        'validation_failed',
        400,
      );
    });

    it('maps unknown and other-environment ids to not_found, and unknown names to their codes', async () => {
      const missing = newId('syncRun');
      const error = await rejectsWith(client.syncs.runs.get(missing), 'not_found', 404);
      assert.match(error.requestId ?? '', /^req_/);
      await rejectsWith(client.syncs.runs.wait(missing), 'not_found', 404);
      await rejectsWith(prod.syncs.runs.get(firstRun.id), 'not_found', 404);
      await rejectsWith(client.actions.runs.get(newId('actionRun')), 'not_found', 404);
      await rejectsWith(prod.syncs.list(connectionId), 'not_found', 404);
      await rejectsWith(prod.syncs.trigger(connectionId, 'orders'), 'not_found', 404);
      await rejectsWith(prod.records.list({ connectionId, model: 'orders' }), 'not_found', 404);
      await rejectsWith(prod.actions.run(connectionId, 'create-note', { text: 'x' }), 'not_found', 404);
      await rejectsWith(prod.fieldMappings.list(connectionId), 'not_found', 404);
      await rejectsWith(prod.cache.invalidate(connectionId), 'not_found', 404);
      await rejectsWith(client.syncs.trigger(connectionId, 'refunds'), 'sync_not_found', 404);
      await rejectsWith(client.syncs.runs.get('not-a-run'), 'invalid_id', 400);
      assert.deepEqual((await prod.syncs.runs.list({ connectionId })).data, []);
    });
  });
}

describe('SDK polling and paging helpers against a stubbed transport', () => {
  const run = (status: SyncRun['status']): SyncRun => ({
    id: 'run_stub',
    connectionId: 'conn_stub',
    sync: 'orders',
    trigger: 'manual',
    mode: 'incremental',
    status,
    attempt: 1,
    added: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    pages: 0,
    rejected: 0,
    error: null,
    details: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    durationMs: null,
  });
  const answering = (bodies: unknown[], urls: string[] = []): PatchbayClient =>
    new PatchbayClient({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'pb_sk_dev_stub',
      fetch: async (input) => {
        urls.push(String(input));
        const body = bodies.length > 1 ? bodies.shift() : bodies[0];
        return new Response(JSON.stringify(body), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      },
    });

  it('wait() reads a run until it is neither queued nor running', async () => {
    const urls: string[] = [];
    const client = answering([run('queued'), run('running'), run('failed')], urls);
    const finished = await client.syncs.runs.wait('run_stub', { intervalMs: 1 });
    assert.equal(finished.status, 'failed');
    assert.deepEqual(urls, Array(3).fill('http://127.0.0.1:9/v1/sync-runs/run_stub'));
  });

  it('wait() gives up with wait_timeout, naming the run and its last status', async () => {
    const urls: string[] = [];
    const client = answering([run('running')], urls);
    const error = await rejectsWith(client.syncs.runs.wait('run_stub', { timeoutMs: 0 }), 'wait_timeout', 0);
    assert.deepEqual(error.details, { runId: 'run_stub', status: 'running', timeoutMs: 0 });
    assert.match(error.message, /^Sync run run_stub was still running after 0 ms/);
    assert.equal(urls.length, 1);
    await assert.rejects(client.syncs.runs.wait('run_stub', { intervalMs: 0 }), TypeError);
    await assert.rejects(client.syncs.runs.wait('run_stub', { timeoutMs: Number.NaN }), TypeError);
  });

  it('iterate() refuses an answer that repeats its cursor instead of looping', async () => {
    const record: SyncedRecord = {
      id: 'o1',
      model: 'orders',
      data: {},
      deleted: false,
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      modifiedAt: '2026-01-01T00:00:00.000Z',
      deletedAt: null,
    };
    const client = answering([{ data: [record], nextAfter: 'c1' }]);
    const seen: string[] = [];
    const error = await rejectsWith(
      (async () => {
        for await (const r of client.records.iterate({ connectionId: 'conn_stub', model: 'orders' }))
          seen.push(r.id);
      })(),
      'invalid_response',
      200,
    );
    assert.deepEqual(error.details, { after: 'c1' });
    assert.deepEqual(seen, ['o1', 'o1']);
  });
});
