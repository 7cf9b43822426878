/**
 * docs/syncs.md is checked against the code: the Gumroad syncs it shows are the real files, the
 * KDP excerpt is taken from the real sync, the example action loads as a provider script and runs,
 * every API path it names is a route, its CLI commands and options exist, and its runnable
 * snippets (the Gumroad emulator command, the SDK walk-through, the KDP upload and its report) run
 * as written, the last two against an engine connected to the emulator.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { type GumroadWorld, startGumroadWorld } from '../../test/support/gumroad-world.ts';
import { contract } from '../api/contract/index.ts';
import type { Catalog } from '../catalog/index.ts';
import { registerAction } from '../cli/commands/action.ts';
import { registerSync } from '../cli/commands/sync.ts';
import { createLogger } from '../logger/index.ts';
import { getAction, loadScripts } from '../scripting/loader.ts';
import type { ActionContext } from '../scripting/types.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/syncs.md'), 'utf8');

/** The doc's fenced blocks of one language, in order. */
function blocks(language: string): string[] {
  return [...doc.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');
}

/** The `ts` block whose first line is `// <path>` (and anything after the path on that line). */
function fileBlock(path: string): string {
  const block = blocks('ts').find((code) => code.startsWith(`// ${path}`));
  assert.ok(block, `docs/syncs.md shows ${path}`);
  return block;
}

/** The code of a `ts` block, without its first line (the path comment). */
function body(block: string): string {
  return block.slice(block.indexOf('\n') + 1);
}

function runnable(marker: string): string {
  const found = blocks('js').filter((code) => code.includes(marker));
  assert.equal(found.length, 1, `one js block with ${marker}`);
  return found[0]!;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs a `js` snippet as written from the repository root; resolves with its output once `done` matches or it exits. */
function runSnippet(
  code: string,
  env: Record<string, string>,
  done: RegExp,
): { child: ChildProcess; output: () => string; finished: Promise<number | null> } {
  // `from 'patchbay/sdk'` as a host writes it: the condition points the package's exports at this
  // checkout's sources instead of the build in dist/ (package.json, "exports").
  const child = spawn(process.execPath, ['--conditions=patchbay-source', '--input-type=module', '-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let resolveDone: (code: number | null) => void = () => {};
  const finished = new Promise<number | null>((resolve) => {
    resolveDone = resolve;
  });
  const onData = (chunk: Buffer) => {
    output += chunk;
    if (done.test(output)) resolveDone(null);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.once('exit', (exitCode) => resolveDone(exitCode));
  return { child, output: () => output, finished };
}

describe('docs/syncs.md', () => {
  it('shows the Gumroad syncs exactly as they are in providers/gumroad/syncs', () => {
    for (const name of ['products', 'sales']) {
      const path = `providers/gumroad/syncs/${name}.ts`;
      assert.equal(body(fileBlock(path)), readFileSync(join(root, path), 'utf8'), `${path} as shown`);
    }
  });

  it('takes every line of the KDP excerpt from the real royalties sync', () => {
    const path = 'providers/amazon-kdp/syncs/royalties.ts';
    const real = readFileSync(join(root, path), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    const lines = body(fileBlock(path))
      .split('\n')
      // The excerpt's own comments explain; the code around them must be the file's.
      .map((line) => line.replace(/\s*\/\/ .*$/, '').trim())
      .filter((line) => line !== '');
    assert.ok(lines.length >= 8);
    for (const line of lines) assert.ok(real.includes(line), `${path} has the line: ${line}`);
  });

  it('names only API routes that exist, with their methods', () => {
    const routes = Object.values(contract).flatMap((group) =>
      Object.values(group as Record<string, { method: string; path: string }>).map(
        (operation) => `${operation.method} ${operation.path}`,
      ),
    );
    // The upload route is multipart, registered outside the JSON contract (src/api/routes/imports.ts).
    routes.push('POST /v1/connections/:id/syncs/:sync/import');
    const patterns = routes.map((route) => {
      const [method, path] = route.split(' ') as [string, string];
      return { method, path: new RegExp(`^${path.replace(/:[a-zA-Z]+/g, '[^/]+')}$`) };
    });
    const exists = (method: string, path: string) =>
      patterns.some((pattern) => pattern.method === method && pattern.path.test(path));

    const named = [...doc.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/v1\/[^`\s?]+)`/g)];
    assert.ok(named.length >= 14, 'the API summary lists the routes');
    for (const [, method, path] of named) {
      assert.ok(routes.includes(`${method} ${path}`), `${method} ${path} is a route`);
    }
    const curls = [
      ...doc.matchAll(
        /curl (?:-X (GET|POST|PUT|PATCH|DELETE) )?"?http:\/\/127\.0\.0\.1:4400(\/v1\/[^"\s?]+)/g,
      ),
    ];
    assert.ok(curls.length >= 10, 'the doc has curl examples');
    for (const [, method = 'GET', path] of curls) {
      assert.ok(exists(method, path!), `curl ${method} ${path} reaches a route`);
    }
  });

  it('lists CLI commands, arguments and options that exist', () => {
    const program = new Command();
    registerSync(program);
    registerAction(program);
    const section = doc.slice(doc.indexOf('## Command line'), doc.indexOf('## SDK'));
    const usage = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    // One entry per `patchbay <group> <command>` line, with its continuation lines.
    const entries = usage.split(/\n(?=patchbay )/).filter((entry) => entry.startsWith('patchbay '));
    assert.equal(entries.length, 6);
    for (const entry of entries) {
      const [, group, name] = /^patchbay (\w+) (\w+)/.exec(entry) ?? [];
      const command = program.commands
        .find((candidate) => candidate.name() === group)
        ?.commands.find((candidate) => candidate.name() === name);
      assert.ok(command, `patchbay ${group} ${name} exists`);
      const synopsis = entry.split(/ {3,}/)[0]!;
      const args = [...synopsis.replace(/\[[^\]]*\]/g, '').matchAll(/<([a-z-]+)>/g)].map((m) => m[1]);
      assert.deepEqual(
        args,
        command.registeredArguments.map((argument) => argument.name()),
        `arguments of patchbay ${group} ${name}`,
      );
      const flags = command.options.map((option) => option.long);
      for (const [flag] of entry.matchAll(/--[a-z-]+/g)) {
        assert.ok(flags.includes(flag), `patchbay ${group} ${name} has ${flag}`);
      }
      const env = command.options.find((option) => option.long === '--env');
      assert.equal(env?.short, '-e', `patchbay ${group} ${name} takes -e, --env`);
      assert.equal(env?.defaultValue, 'dev');
    }
  });

  describe('the example action', () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-docs-action-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    async function load() {
      const path = 'providers/gumroad/actions/mark-as-shipped.ts';
      // The snippet's imports are relative to the provider folder: point them at this checkout.
      const code = body(fileBlock(path))
        .replaceAll("'../../../src/", `'${pathToFileURL(join(root, 'src')).href}/`)
        .replace("from 'zod'", `from '${import.meta.resolve('zod')}'`);
      mkdirSync(join(dir, 'gumroad/actions'), { recursive: true });
      writeFileSync(join(dir, 'gumroad/actions/mark-as-shipped.ts'), code);
      const catalog = new Map([['gumroad', { name: 'gumroad' }]]) as unknown as Catalog;
      const registry = await loadScripts({ dirs: [dir], catalog });
      return getAction(registry, 'gumroad', 'mark-as-shipped');
    }

    it('loads as a provider script and sends the write Gumroad documents', async () => {
      const action = await load();
      assert.equal(action.timeoutMs, 30_000);
      assert.equal(action.input.safeParse({ saleId: '' }).success, false);
      assert.equal(action.input.safeParse({ saleId: 's1', trackingUrl: 'not a url' }).success, false);
      const input = action.input.parse({ saleId: 'a/b==', trackingUrl: 'https://track.example/1' });

      const calls: Array<{ method: string; path: string; body: unknown }> = [];
      const signal = new AbortController().signal;
      const context = {
        runId: 'act_1',
        idempotencyKey: null,
        signal,
        log: createLogger({ level: 'silent' }),
        proxy: {
          async sendJson(method: string, path: string, sent: unknown) {
            calls.push({ method, path, body: sent });
            return { success: true, sale: { id: 'a/b==', shipped: true } };
          },
        },
      } as unknown as ActionContext;
      const output = action.output.parse(await action.exec(context, input));
      assert.deepEqual(output, { saleId: 'a/b==', shipped: true });
      assert.deepEqual(calls, [
        {
          method: 'PUT',
          path: '/sales/a%2Fb%3D%3D/mark_as_shipped',
          body: { tracking_url: 'https://track.example/1' },
        },
      ]);
    });
  });

  it('runs the Gumroad emulator command as written', { timeout: 30_000 }, async () => {
    const command = blocks('sh')
      .flatMap((block) => block.split('\n'))
      .find((line) => line.startsWith('npm run sandbox -- gumroad'));
    assert.ok(command, 'the doc shows the emulator command');
    const args = command.slice('npm run sandbox -- '.length).split(/\s+/);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // What `npm run sandbox -- …` runs, with a free port instead of 4011.
    const child = spawn(process.execPath, ['sandbox/cli.ts', ...args, '--port', String(port)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
        const onData = (chunk: Buffer) => {
          output += chunk;
          if (/Ctrl-C stops it/.test(output)) resolve();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
      });
      assert.match(output, new RegExp(`Gumroad emulator listening at ${url}\n`));
      assert.match(output, /client id +gumroad-demo\n {2}client secret +gumroad-demo-secret\n/);
      const unauthenticated = await fetch(`${url}/v2/sales`);
      await unauthenticated.arrayBuffer();
      assert.equal(unauthenticated.status, 401);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exited, 0, output);
    }
  });

  describe('the SDK and curl examples, against an engine connected to the Gumroad emulator', () => {
    let world: GumroadWorld;
    let engine: GumroadWorld['engine'];
    let connectionId: string;
    const children: ChildProcess[] = [];

    before(async () => {
      world = await startGumroadWorld({
        engine: { config: { apiRateLimit: 1_000_000 } },
        sandbox: { sales: 30, products: 2, pageSize: 10, rateLimit: false },
      });
      ({ engine, connectionId } = world);
    });

    after(async () => {
      for (const child of children) child.kill();
      await world?.close();
    });

    it('runs as written: triggers, waits, maps and reads every sale', { timeout: 60_000 }, async () => {
      const run = runSnippet(
        runnable("from 'patchbay/sdk'"),
        { PATCHBAY_URL: engine.baseUrl, PATCHBAY_API_KEY: engine.apiKey, CONNECTION_ID: connectionId },
        // Never matches: the walk-through is done when it exits.
        /(?!)/,
      );
      children.push(run.child);
      const exitCode = await run.finished;
      const output = run.output();
      assert.equal(exitCode, 0, output);
      assert.match(output, /sales every (3600|1h)/);
      assert.match(output, /run succeeded: \d+ added, \d+ updated/);
      // The mapping divides cents by 100: Gumroad's emulator prices end in .99 (or are whole).
      assert.match(output, /first sale \S+ \d+(\.\d{1,2})?\n/);
      assert.match(output, /sales: 30\n/);

      const schedule = await engine.call('GET', `/v1/connections/${connectionId}/syncs`);
      const sales = schedule.body.data.find((sync: { name: string }) => sync.name === 'sales');
      assert.equal(sales.schedule.frequencySeconds, 900);
      const mappings = await engine.call('GET', `/v1/connections/${connectionId}/field-mappings`);
      assert.deepEqual(
        mappings.body.data.map((m: { kind: string; target: string }) => `${m.kind}/${m.target}`),
        ['model/sales'],
      );
    });

    it('imports the KDP report of the curl example with the report it shows', async () => {
      const curl =
        /curl -X POST http:\/\/127\.0\.0\.1:4400(\/v1\/connections\/conn_…\/syncs\/royalties\/import)[\s\S]*?-F file=@(\S+)/.exec(
          doc,
        );
      assert.ok(curl, 'the doc uploads a KDP report with curl');
      const shown = JSON.parse(
        /```json\n(\{\n {2}"runId": "run_…",[\s\S]*?)```/.exec(doc)?.[1]?.replace('"run_…"', '"run"') ?? '',
      );

      assert.equal((await engine.call('POST', '/v1/integrations', { provider: 'amazon-kdp' })).status, 201);
      const session = await engine.call('POST', '/v1/connect/sessions', { endUser: { id: 'author-1' } });
      const connected = await fetch(`${engine.baseUrl}/connect/api/credentials`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.body.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ integration: 'amazon-kdp', connectionConfig: {}, values: {} }),
      });
      const { connectionId: kdp } = (await connected.json()) as { connectionId: string };

      const file = curl[2]!;
      const form = new FormData();
      form.append('file', new Blob([readFileSync(join(root, file))]), file.split('/').at(-1));
      const answer = await fetch(`${engine.baseUrl}${curl[1]!.replace('conn_…', kdp)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${engine.apiKey}` },
        body: form,
      });
      const result = (await answer.json()) as typeof shown;
      assert.equal(answer.status, 200, JSON.stringify(result));
      assert.match(result.runId, /^run_/);
      const { errors, ...counts } = result.report;
      const { errors: shownErrors, ...shownCounts } = shown.report;
      assert.deepEqual(counts, shownCounts);
      // The doc lists the first errors (abridged).
      assert.deepEqual(errors.slice(0, shownErrors.length), shownErrors);
      assert.deepEqual(
        [result.added, result.updated, result.unchanged],
        [shown.added, shown.updated, shown.unchanged],
      );
    });
  });
});
