/**
 * Issue 6's crash promise, end to end: a full Gumroad `sales` run on `patchbay start` is killed
 * with SIGKILL once about a quarter of its pages are committed, and the engine is restarted on
 * the same database. The queue reclaims the job when its lease runs out, the run lock expires,
 * and the SAME run continues as attempt 2 from its checkpoint — not from page 1. At the kill the
 * database holds whole pages only (records, counts and checkpoint commit together); at the end
 * it holds every sale exactly once, equal to what the emulator serves, with exact run counts.
 *
 * The emulator is paced by the proxy (Gumroad's 120 requests a minute), so the 40 pages take
 * about 20 s: a wide window for the kill. The wait for the dead worker's leases (30 s) is most of
 * the test's time; the databases run side by side.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toSale } from '../../providers/gumroad/models.ts';
import { type GumroadSandbox, startGumroadSandbox } from '../../sandbox/index.ts';
import { connectHeadless } from '../support/connect-flow.ts';
import { type TestDatabase, testDatabases } from '../support/databases.ts';
import { type EngineProcess, sharedEngineEnv, startEngineProcess } from '../support/engine-process.ts';
import { waitFor } from '../support/library-engine.ts';

const SALES = 400;
const PAGE_SIZE = 10;
const PAGES = SALES / PAGE_SIZE;
/** Committed pages before the kill: enough that a restart from page 1 would show. */
const KILL_AFTER_PAGES = 10;
/** How long the emulator holds the request in flight at the kill. */
const HOLD_MS = 5_000;

interface SyncRunBody {
  id: string;
  status: string;
  attempt: number;
  mode: string;
  added: number;
  updated: number;
  deleted: number;
  unchanged: number;
  pages: number;
  error: unknown;
}

/** The run's row and what it committed, read straight from the database of the killed engine. */
interface CrashState {
  status: string;
  attempt: number;
  pages: number;
  added: number;
  records: number;
  checkpoint: { after: string | null; pageCursor: unknown } | null;
}

const targets = await testDatabases();

describe('a sync run across an engine SIGKILL', { concurrency: true, timeout: 180_000 }, () => {
  for (const target of targets) {
    it(`${target.name}: killed after ${KILL_AFTER_PAGES}+ of ${PAGES} pages, the same run resumes at its checkpoint with exact counts`, {
      skip: target.skip ?? false,
    }, async () => {
      const database = await target.create!();
      const engines: EngineProcess[] = [];
      let gumroad: GumroadSandbox | undefined;
      try {
        await crashAndResume(target.name, database, engines, (sandbox) => {
          gumroad = sandbox;
        });
      } finally {
        await Promise.allSettled(engines.map((engine) => engine.stop('SIGKILL')));
        await gumroad?.close();
        await database.destroy();
      }
    });
    if (target.skip) console.log(`# ${target.skip}`);
  }
});

async function crashAndResume(
  name: string,
  database: TestDatabase,
  engines: EngineProcess[],
  onSandbox: (sandbox: GumroadSandbox) => void,
): Promise<void> {
  const t0 = performance.now();
  const since = (mark: number) => `${Math.round(performance.now() - mark)} ms`;
  // One encryption key for both lives of the engine: the restarted one must read the credentials.
  const env = {
    ...sharedEngineEnv({ dataDir: database.dataDir, databaseUrl: database.databaseUrl }),
    // The test polls the run every 25 ms: far above the default 600 API calls a minute.
    PATCHBAY_API_RATE_LIMIT: '1000000',
  };
  const first = await startEngineProcess({ env });
  engines.push(first);
  const apiKey = first.firstApiKey;
  assert.ok(apiKey, 'the first start printed the dev key');

  const gumroad = await startGumroadSandbox({
    sales: SALES,
    products: 1,
    pageSize: PAGE_SIZE,
    // The proxy paces Gumroad at 120/min itself: that pacing is the window for the kill.
    rateLimit: false,
    clients: [
      {
        clientId: 'gumroad-app',
        clientSecret: 'gumroad-secret',
        redirectUris: [`${first.url}/connect/oauth/callback`],
      },
    ],
  });
  onSandbox(gumroad);
  const integration = await call(first.url, apiKey, 'POST', '/v1/integrations', {
    provider: 'gumroad',
    clientId: 'gumroad-app',
    clientSecret: 'gumroad-secret',
    settings: { baseUrls: { '*': gumroad.url } },
  });
  assert.equal(integration.status, 201, JSON.stringify(integration.body));
  const { connectionId } = await connectHeadless({
    engineUrl: first.url,
    apiKey,
    integration: 'gumroad',
  });
  const setupMs = since(t0);

  // 1. A full run, killed once at least KILL_AFTER_PAGES pages are committed.
  const t1 = performance.now();
  const trigger = await call(
    first.url,
    apiKey,
    'POST',
    `/v1/connections/${connectionId}/syncs/sales/trigger`,
    {
      mode: 'full',
    },
  );
  assert.equal(trigger.status, 202, JSON.stringify(trigger.body));
  const runId = trigger.body.runId as string;
  const beforeKill = await waitFor(
    `${KILL_AFTER_PAGES} committed pages of run ${runId}`,
    async () => {
      const run = await getRun(first.url, apiKey, runId);
      const open = run.status === 'queued' || run.status === 'running';
      return run.pages >= KILL_AFTER_PAGES || !open ? run : undefined;
    },
    60_000,
  );
  assert.equal(beforeKill.status, 'running', 'the run was still going when the engine was killed');
  // The kill lands while the engine waits on the provider: the emulator holds the next request
  // (longer than the kill takes, shorter than the restart's wait for the leases; a held request
  // whose client is gone is never answered), and the engine dies with that page unanswered.
  gumroad.control.faults.delay(1, HOLD_MS);
  await waitFor('the next sales request to be held', () =>
    gumroad.control.faults.pending.delayed === 0 ? true : undefined,
  );
  await first.stop('SIGKILL');
  const killMs = since(t1);
  const servedBeforeRestart = gumroad.stats.salesPages;
  const requestedBeforeRestart = gumroad.stats.byPath['/v2/sales'] ?? 0;
  assert.equal(requestedBeforeRestart, servedBeforeRestart + 1, 'one request was in flight at the kill');

  // 2. What the dead engine left: whole pages only, counted once, and the checkpoint after them.
  const crash = await readCrashState(database, runId, connectionId);
  assert.equal(crash.status, 'running', 'the killed run is left open for its next attempt');
  assert.equal(crash.attempt, 1);
  assert.ok(crash.pages >= beforeKill.pages, 'nothing the API showed as committed was lost');
  assert.ok(crash.pages < PAGES, `the kill came mid-run (${crash.pages} of ${PAGES} pages committed)`);
  assert.equal(crash.added, crash.pages * PAGE_SIZE, 'the counts are those of whole committed pages');
  assert.equal(crash.records, crash.added, 'every counted record is stored, and nothing more');
  assert.notEqual(crash.checkpoint?.pageCursor ?? null, null, 'the checkpoint points at the next page');
  assert.ok(
    servedBeforeRestart >= crash.pages,
    `the emulator served ${servedBeforeRestart} pages, ${crash.pages} committed`,
  );

  // 3. Restart on the same database: the same run finishes as a later attempt.
  const t2 = performance.now();
  const second = await startEngineProcess({ env });
  engines.push(second);
  const restartMs = since(t2);
  let resumedAt: number | undefined;
  const finished = await waitFor(
    `run ${runId} to finish after the restart`,
    async () => {
      const run = await getRun(second.url, apiKey, runId);
      if (resumedAt === undefined && run.attempt >= 2 && run.status === 'running')
        resumedAt = performance.now();
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    120_000,
  );
  const finishMs = since(t2);
  assert.equal(finished.status, 'succeeded', JSON.stringify(finished.error));
  assert.equal(finished.id, runId);
  assert.ok(finished.attempt >= 2, `finished as attempt ${finished.attempt}`);
  assert.equal(finished.mode, 'full');
  assert.deepEqual(
    [finished.added, finished.updated, finished.deleted, finished.unchanged],
    [SALES, 0, 0, 0],
    'every sale added exactly once across the attempts',
  );
  assert.equal(
    finished.pages,
    PAGES,
    'each page counted once: committed pages before the kill plus the rest',
  );

  // 4. The resume started at the checkpoint: only the pages after it were asked for again.
  const servedAfterRestart = gumroad.stats.salesPages - servedBeforeRestart;
  assert.equal(
    servedAfterRestart,
    PAGES - crash.pages,
    `attempt 2 fetched the ${PAGES - crash.pages} pages after the checkpoint, not page 1 again`,
  );
  assert.ok(
    gumroad.stats.salesPages < PAGES + KILL_AFTER_PAGES,
    `${gumroad.stats.salesPages} sales pages served in all`,
  );
  // Every request of attempt 2 was answered: the only unanswered one is the one held at the kill.
  assert.equal(gumroad.stats.injected.delayed, 1, 'the held request was released (to a closed socket)');
  assert.equal(gumroad.stats.byPath['/v2/sales'], gumroad.stats.salesPages + 1);

  // 5. No duplicate and no half-written record: exactly the sales the emulator serves.
  const records = await allRecords(second.url, apiKey, connectionId);
  assert.equal(records.length, SALES);
  assert.equal(new Set(records.map((record) => record.id)).size, SALES, 'no record appears twice');
  const expected = new Map<string, unknown>();
  for (let index = 0; index < gumroad.saleCount; index++) {
    const sale = toSale(gumroad.sale(index));
    expected.set(sale.id, JSON.parse(JSON.stringify(sale)));
  }
  assert.equal(expected.size, SALES);
  for (const record of records) assert.deepEqual(record.data, expected.get(record.id as string));

  assert.equal(await second.stop(), 0, 'the restarted engine stops cleanly');
  const waitMs = resumedAt === undefined ? 'unseen' : since(resumedAt);
  console.log(
    `# ${name}: setup ${setupMs}; trigger → kill ${killMs} (${crash.pages} pages committed, ` +
      `${servedBeforeRestart} served, 1 in flight); restart ready ${restartMs}; restart → succeeded ${finishMs} ` +
      `(attempt ${finished.attempt}, resumed → succeeded ${waitMs}, ${servedAfterRestart} pages fetched ` +
      `again); total ${since(t0)}`,
  );
}

async function readCrashState(
  database: TestDatabase,
  runId: string,
  connectionId: string,
): Promise<CrashState> {
  const store = await database.open();
  try {
    const run = await store.db
      .selectFrom('sync_runs')
      .select(['status', 'attempt', 'pages', 'added', 'sync_name'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    const schedule = await store.db
      .selectFrom('sync_schedules')
      .select('checkpoint')
      .where('connection_id', '=', connectionId)
      .where('sync_name', '=', run.sync_name)
      .executeTakeFirstOrThrow();
    const records = await store.db
      .selectFrom('records')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('connection_id', '=', connectionId)
      .where('model', '=', 'sales')
      .executeTakeFirstOrThrow();
    return {
      status: run.status,
      attempt: Number(run.attempt),
      pages: Number(run.pages),
      added: Number(run.added),
      records: Number(records.count),
      checkpoint: schedule.checkpoint === null ? null : JSON.parse(schedule.checkpoint),
    };
  } finally {
    await store.close();
  }
}

async function call(
  url: string,
  apiKey: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function getRun(url: string, apiKey: string, runId: string): Promise<SyncRunBody> {
  const answer = await call(url, apiKey, 'GET', `/v1/sync-runs/${runId}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as unknown as SyncRunBody;
}

async function allRecords(
  url: string,
  apiKey: string,
  connectionId: string,
): Promise<Array<Record<string, unknown>>> {
  const all: Array<Record<string, unknown>> = [];
  let after: string | null = null;
  do {
    const page = await call(
      url,
      apiKey,
      'GET',
      `/v1/records?connectionId=${connectionId}&model=sales&limit=100${after ? `&after=${after}` : ''}`,
    );
    assert.equal(page.status, 200, JSON.stringify(page.body));
    all.push(...(page.body.data as Array<Record<string, unknown>>));
    after = page.body.nextAfter as string | null;
  } while (after);
  return all;
}
