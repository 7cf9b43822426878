// The package's entry points as package.json declares them, checked in the checkout without a
// build: each export names its TypeScript source under the `patchbay-source` condition (which
// `npm test` passes) and the build of that source in dist/ otherwise, and the built-in providers,
// which ship in the package, reach the engine through the script API only. The package itself is
// installed and run by scripts/test-package.ts.
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import * as scripts from '../../src/scripts/index.ts';

const root = join(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
};

describe('package.json exports', () => {
  it('map each entry to its source under patchbay-source, else to its build in dist/', () => {
    const entries = Object.entries(manifest.exports).filter(([entry]) => entry !== './package.json');
    assert.deepEqual(
      entries.map(([entry]) => entry),
      ['.', './sdk', './scripts'],
    );
    for (const [entry, target] of entries) {
      assert.ok(typeof target === 'object', entry);
      assert.deepEqual(Object.keys(target), ['patchbay-source', 'types', 'default'], entry);
      const source = target['patchbay-source']!;
      assert.match(source, /^\.\/.+\.ts$/);
      // tsconfig.build.json compiles the repository's root into dist/, keeping the layout.
      const built = `./dist/${source.slice(2, -'.ts'.length)}`;
      assert.deepEqual([target.types, target.default], [`${built}.d.ts`, `${built}.js`], entry);
    }
  });

  it('resolve to the sources in the checkout, where tests run with the condition', async () => {
    for (const [entry, source] of [
      ['patchbay', 'src/index.ts'],
      ['patchbay/sdk', 'sdk/src/index.ts'],
      ['patchbay/scripts', 'src/scripts/index.ts'],
    ] as const) {
      assert.equal(import.meta.resolve(entry), pathToFileURL(join(root, source)).href);
    }
    const named = (await import('patchbay/scripts')) as typeof scripts;
    assert.equal(named.defineSync, scripts.defineSync, 'one module, whichever way it is named');
  });
});

describe('patchbay/scripts', () => {
  it('exports the helpers a provider folder calls, and the zod the engine validates with', () => {
    assert.equal(scripts.z, z);
    for (const helper of [
      scripts.defineProvider,
      scripts.defineSync,
      scripts.defineAction,
      scripts.isPatchbayError,
      scripts.PatchbayError,
    ]) {
      assert.equal(typeof helper, 'function');
    }
  });

  it('is all of the engine that the built-in providers import', () => {
    const api = join(root, 'src/scripts/index.ts');
    const files = globSync('providers/*/**/*.ts', { cwd: root }).filter((file) => !file.endsWith('.test.ts'));
    assert.ok(files.length > 20);
    const strays: string[] = [];
    for (const file of files) {
      const folder = join(root, file.split(/[\\/]/).slice(0, 2).join('/'));
      const code = readFileSync(join(root, file), 'utf8');
      for (const [, specifier] of code.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)';/gm)) {
        if (!specifier!.startsWith('.')) continue;
        const target = join(root, dirname(file), specifier!);
        const outside = relative(folder, target).startsWith('..');
        if (outside && target !== api) strays.push(`${file} imports ${specifier}`);
      }
    }
    assert.deepEqual(strays, []);
  });
});
