/**
 * `patchbay sync …` and `patchbay action …` as a user runs them: the real CLI in a child process,
 * on a data dir prepared beforehand in library mode (an integration and connections of a test
 * provider whose API is a local HTTP server).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createPatchbay } from '../../src/engine/index.ts';
import { createLogger } from '../../src/logger/index.ts';
import { generateKeyString } from '../../src/vault/index.ts';
import { cli } from '../support/cli.ts';
import { type TestDatabase, testDatabases } from '../support/databases.ts';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const CATALOG_MODULE = pathToFileURL(join(SRC, 'catalog', 'index.ts')).href;
const DEFINE_MODULE = pathToFileURL(join(SRC, 'scripting', 'define.ts')).href;
const ZOD_MODULE = import.meta.resolve('zod');
const MAIN = join(SRC, 'cli', 'main.ts');
const ITEMS = 25;
const PAGE_SIZE = 10;

const DEFINITION = `import { defineProvider } from '${CATALOG_MODULE}';
export default defineProvider({
  name: 'items-api',
  displayName: 'Items API',
  description: 'A test API with a paged item listing and an echo endpoint.',
  categories: ['developer'],
  logo: 'logo.svg',
  docsUrl: 'https://items.example.test/docs',
  auth: {
    mode: 'api_key',
    fields: [{ key: 'apiKey', label: 'API key', secret: true }],
    test: { path: '/items' },
  },
  proxy: { baseUrl: 'https://items.example.test/api', headers: { Authorization: 'Bearer \${apiKey}' } },
  pagination: {
    type: 'cursor',
    cursorParam: 'after',
    cursorFromLastItem: 'id',
    hasMorePath: 'has_more',
    resultsPath: 'data',
    limitParam: 'limit',
    limit: ${PAGE_SIZE},
  },
});
`;

const ITEMS_SYNC = `import { z } from '${ZOD_MODULE}';
import { defineSync } from '${DEFINE_MODULE}';
export default defineSync({
  name: 'items',
  description: 'Every item, one page at a time.',
  models: { items: z.object({ id: z.string(), title: z.string() }) },
  frequency: '1h',
  checkpoint: z.object({ after: z.string() }),
  async exec(ctx) {
    for await (const page of ctx.paginate({ method: 'GET', path: '/items' })) {
      await ctx.records.save('items', page.items);
      // A checkpoint per page flushes per page: progress is reported page by page.
      await ctx.checkpoint.save({ after: page.items.at(-1)?.id ?? '' });
    }
  },
});
`;

const ECHO_ACTION = `import { z } from '${ZOD_MODULE}';
import { defineAction } from '${DEFINE_MODULE}';
export default defineAction({
  name: 'echo',
  description: 'Posts a message; the API answers it back.',
  input: z.object({ message: z.string().min(1), times: z.number().int().positive() }),
  output: z.object({ echoed: z.string() }),
  exec: (ctx, input) => ctx.proxy.sendJson('POST', '/echo', input),
});
`;

/** The provider's API: items paged by cursor; `key_broken` is refused, `key_slow` never gets page 2. */
class ItemsApi {
  readonly server: Server;
  /** Answers held back (the slow connection's second page), released at close. */
  readonly held: ServerResponse[] = [];
  onHeld: (() => void) | null = null;
  echoes: unknown[] = [];

  constructor() {
    this.server = createServer((request, response) => this.#handle(request, response));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const auth = request.headers.authorization ?? '';
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (!['Bearer key_good', 'Bearer key_slow', 'Bearer key_broken'].includes(auth))
      return json(401, { error: 'unauthorized' });
    if (url.pathname.endsWith('/items') && request.method === 'GET') {
      if (auth === 'Bearer key_broken') return json(400, { error: 'account suspended' });
      const after = url.searchParams.get('after');
      const start = after === null ? 0 : Number(after.slice('item_'.length)) + 1;
      if (auth === 'Bearer key_slow' && start > 0) {
        this.held.push(response);
        this.onHeld?.();
        return;
      }
      const limit = Number(url.searchParams.get('limit') ?? PAGE_SIZE);
      const end = Math.min(start + limit, ITEMS);
      const data = [];
      for (let i = start; i < end; i++)
        data.push({ id: `item_${String(i).padStart(3, '0')}`, title: `Item ${i}` });
      return json(200, { data, has_more: end < ITEMS });
    }
    if (url.pathname.endsWith('/echo') && request.method === 'POST') {
      let body = '';
      for await (const chunk of request) body += chunk;
      const input = JSON.parse(body) as { message: string; times: number };
      this.echoes.push(input);
      return json(200, { echoed: input.message.repeat(input.times) });
    }
    return json(404, { error: 'not found' });
  }
}

for (const target of await testDatabases()) {
  describe(`patchbay sync and action commands on ${target.name}`, { skip: target.skip ?? false }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let root: string;
    let api: ItemsApi;
    let env: Record<string, string>;
    const connections = { good: '', slow: '', broken: '' };

    before(async () => {
      database = await target.create!();
      root = mkdtempSync(join(tmpdir(), 'patchbay-cli-syncs-'));
      const providers = join(root, 'providers');
      mkdirSync(join(providers, 'items-api', 'syncs'), { recursive: true });
      mkdirSync(join(providers, 'items-api', 'actions'));
      writeFileSync(join(providers, 'items-api', 'definition.ts'), DEFINITION);
      writeFileSync(join(providers, 'items-api', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
      writeFileSync(join(providers, 'items-api', 'syncs', 'items.ts'), ITEMS_SYNC);
      writeFileSync(join(providers, 'items-api', 'actions', 'echo.ts'), ECHO_ACTION);

      api = new ItemsApi();
      await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));

      env = {
        PATCHBAY_DATA_DIR: database.dataDir,
        ...(database.databaseUrl ? { PATCHBAY_DATABASE_URL: database.databaseUrl } : {}),
        PATCHBAY_ENCRYPTION_KEYS: generateKeyString(),
        PATCHBAY_PROVIDER_DIRS: providers,
        PATCHBAY_ALLOW_PRIVATE_NETWORKS: 'loopback',
      };
      // Prepared in library mode, then stopped: the CLI is the only process on the data dir.
      const engine = await createPatchbay({
        env,
        config: { role: 'worker' },
        logger: createLogger({ level: 'silent' }),
      });
      try {
        const { id: environmentId } = await engine.services.environments.getEnvironmentByName('dev');
        const integration = await engine.services.providers.integrations.create(environmentId, {
          provider: 'items-api',
          settings: { baseUrls: { '*': api.url } },
        });
        for (const [name, apiKey] of [
          ['good', 'key_good'],
          ['slow', 'key_slow'],
          ['broken', 'key_broken'],
        ] as const) {
          const connection = await engine.services.providers.connections.save(environmentId, {
            integrationId: integration.id,
            endUser: { id: `user-${name}`, email: null, organization: null },
            credentials: { type: 'api_key', values: { apiKey } },
            connectionConfig: {},
            metadata: {},
          });
          connections[name] = connection.id;
        }
      } finally {
        await engine.stop();
      }
    });

    after(async () => {
      for (const response of api?.held ?? []) response.destroy();
      api?.server.closeAllConnections();
      await new Promise((resolve) => api?.server.close(resolve));
      if (root) rmSync(root, { recursive: true, force: true });
      await database?.destroy();
    });

    it('runs a sync with --json, counting every record and page; a second run finds them unchanged', async () => {
      const first = await cli(['sync', 'run', connections.good, 'items', '--json'], env);
      assert.equal(first.code, 0, first.stderr);
      const run = JSON.parse(first.stdout);
      assert.equal(run.status, 'succeeded');
      assert.equal(run.connectionId, connections.good);
      assert.deepEqual(
        {
          added: run.added,
          updated: run.updated,
          unchanged: run.unchanged,
          deleted: run.deleted,
          pages: run.pages,
        },
        { added: ITEMS, updated: 0, unchanged: 0, deleted: 0, pages: 3 },
      );

      const second = await cli(['sync', 'run', connections.good, 'items', '--full'], env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /^Run run_\w+ succeeded \(items, full, attempt 1\)\n/);
      assert.match(second.stdout, /records {3}25 saved: added 0, updated 0, unchanged 25; deleted 0\n/);
      assert.match(second.stdout, /pages {5}3\n/);
      assert.match(second.stdout, /duration {2}\d+\.\d s\n/);
    });

    it('prints plain progress lines on stderr when it is not a terminal, ending with the totals', async () => {
      const result = await cli(['sync', 'run', connections.good, 'items'], env);
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stderr.split('\n').filter((line) => line.startsWith('progress '));
      assert.ok(lines.length >= 1, result.stderr);
      assert.ok(lines.length <= 3, 'at most one line per committed page');
      assert.match(
        lines.at(-1) ?? '',
        new RegExp(
          `^progress ${connections.good} items: 3 pages, 25 records \\(added 0, updated 0, unchanged 25, deleted 0\\), [\\d,]+ records/s, \\d+\\.\\d s$`,
        ),
      );
      assert.ok(!result.stderr.includes('\u001b['), 'no terminal escapes in a log');
    });

    it('exits 1 with the error code and message when the run fails', async () => {
      const result = await cli(['sync', 'run', connections.broken, 'items'], env);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /^Run run_\w+ failed/);
      assert.match(result.stdout, /error {5}\[provider_error\] .*400/);
    });

    it('aborts on Ctrl-C, leaving the run open for the scheduler, and exits 130', async () => {
      const child = spawn(process.execPath, [MAIN, 'sync', 'run', connections.slow, 'items'], {
        env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
      });
      let stderr = '';
      let onProgress: () => void = () => {};
      const progressed = new Promise<void>((resolve) => {
        onProgress = resolve;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        // The first page's flush committed (progress is reported after the commit).
        if (/progress .* 1 pages, 10 records/.test(stderr)) onProgress();
      });
      const held = new Promise<void>((resolve) => {
        api.onHeld = resolve;
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      // The first page is committed and the second is being fetched: interrupt there.
      await Promise.all([held, progressed]);
      child.kill('SIGINT');
      assert.equal(await exited, 130, stderr);
      assert.match(stderr, /progress .* 1 pages, 10 records/);
      const runId = /Interrupted: run (run_\w+) stays open\. A running engine's scheduler resumes it/.exec(
        stderr,
      )?.[1];
      assert.ok(runId, stderr);

      const runs = await cli(['sync', 'runs', connections.slow], env);
      assert.match(
        runs.stdout,
        new RegExp(`${runId}\\s+items\\s+manual\\s+full\\s+running\\s+10\\s+0\\s+0\\s+0\\s+1\\s`),
      );
    });

    it('lists syncs and runs, and queues a run through the scheduler', async () => {
      const list = await cli(['sync', 'list', connections.good], env);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^SYNC\s+MODELS\s+EVERY\s+STATE/);
      assert.match(list.stdout, /\nitems\s+items\s+1h\s+scheduled\s/);

      const runs = await cli(['sync', 'runs', connections.good, '--sync', 'items', '--limit', '2'], env);
      assert.equal(runs.code, 0, runs.stderr);
      const rows = runs.stdout.trim().split('\n');
      assert.equal(rows.length, 3, runs.stdout);
      assert.match(
        rows[1] ?? '',
        /^run_\w+\s+items\s+manual\s+incremental\s+succeeded\s+0\s+0\s+25\s+0\s+3\s/,
      );

      // The connection's first run was queued when it was made; no worker runs here, so it waits.
      const listed = await cli(['sync', 'runs', connections.good, '--sync', 'items'], env);
      const pending = /^(run_\w+)\s+items\s+schedule\s+\w+\s+queued\s/m.exec(listed.stdout)?.[1];
      assert.ok(pending, listed.stdout);
      const queued = await cli(['sync', 'trigger', connections.good, 'items'], env);
      assert.equal(queued.code, 0, queued.stderr);
      assert.match(
        queued.stdout,
        new RegExp(`^Run ${pending} of this sync is already pending or running; no new run was queued`),
      );
    });

    it('refuses bad usage with exit 2 and unknown targets with their error code', async () => {
      assert.equal((await cli(['sync', 'run', connections.good], env)).code, 2);
      assert.equal((await cli(['sync', 'runs', connections.good, '--limit', 'lots'], env)).code, 2);
      const unknownSync = await cli(['sync', 'run', connections.good, 'nope'], env);
      assert.equal(unknownSync.code, 1);
      assert.match(unknownSync.stderr, /^error \[sync_not_found\]/m);
      const unknownConnection = await cli(['sync', 'run', 'conn_bad', 'items'], env);
      assert.equal(unknownConnection.code, 1);
      assert.equal(
        unknownConnection.stderr,
        'error [not_found]: Connection conn_bad was not found in this environment\n',
      );
      const help = await cli(['action', 'run', '--help'], env);
      assert.equal(help.code, 0, 'help is not a usage error');
      assert.match(help.stdout, /^Usage: patchbay action run \[options\] <connection> <action>/);
    });

    it('runs an action and prints its output; --json prints the run', async () => {
      const result = await cli(
        ['action', 'run', connections.good, 'echo', '--input', '{"message":"hi","times":3}'],
        env,
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        /^Run act\w+ succeeded \(echo, sync, \d+\.\d s\)\noutput:\n\{\n {2}"echoed": "hihihi"\n\}\n$/,
      );

      const file = join(root, 'input.json');
      writeFileSync(file, JSON.stringify({ message: 'yo', times: 1 }));
      const json = await cli(
        [
          'action',
          'run',
          connections.good,
          'echo',
          '--input-file',
          file,
          '--json',
          '--idempotency-key',
          'k1',
        ],
        env,
      );
      assert.equal(json.code, 0, json.stderr);
      const run = JSON.parse(json.stdout);
      assert.deepEqual([run.status, run.output, run.idempotencyKey], ['succeeded', { echoed: 'yo' }, 'k1']);
      const replay = await cli(
        [
          'action',
          'run',
          connections.good,
          'echo',
          '--input-file',
          file,
          '--json',
          '--idempotency-key',
          'k1',
        ],
        env,
      );
      assert.equal(JSON.parse(replay.stdout).id, run.id, 'the same key returns the first run');
      assert.equal(api.echoes.length, 2);

      const runs = await cli(['action', 'runs', '--connection', connections.good, '--limit', '1'], env);
      assert.equal(runs.code, 0, runs.stderr);
      const rows = runs.stdout.trim().split('\n');
      assert.equal(rows.length, 2, runs.stdout);
      assert.match(
        rows[1] ?? '',
        new RegExp(`^${run.id}\\s+${connections.good}\\s+echo\\s+sync\\s+succeeded\\s`),
      );
    });

    it('refuses invalid JSON with exit 2 and invalid input issue by issue with exit 1', async () => {
      const badJson = await cli(['action', 'run', connections.good, 'echo', '--input', '{message:'], env);
      assert.equal(badJson.code, 2);
      assert.match(badJson.stderr, /^error: --input is not valid JSON: /);
      const both = await cli(
        ['action', 'run', connections.good, 'echo', '--input', '{}', '--input-file', 'x.json'],
        env,
      );
      assert.equal(both.code, 2);

      const invalid = await cli(
        ['action', 'run', connections.good, 'echo', '--input', '{"message":"","times":-1}'],
        env,
      );
      assert.equal(invalid.code, 1);
      assert.match(
        invalid.stderr,
        /^error \[action_input_invalid\]: The input of action "echo" is invalid:\n/,
      );
      assert.match(invalid.stderr, /\n {2}- message: .+\n/);
      assert.match(invalid.stderr, /\n {2}- times: .+\n/);
      assert.equal(api.echoes.length, 2, 'nothing was sent');
    });
  });
}
