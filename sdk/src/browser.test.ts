// The SDK's entry is bundled for browsers too (a host's page imports `connect` from it): no module
// it reaches may import a Node built-in, which a bundler would have to stub. Read from the sources
// independently of any bundler; Vite itself bundles it in the package test (scripts/test-package.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '../..');
// Runtime imports and re-exports; `import type` / `export type` are erased and do not count.
const runtimeImport = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'([^']+)';/gm;

/** Every module reached from `entry` through runtime imports: file → the bare specifiers it imports. */
function moduleGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const bare: string[] = [];
    graph.set(file, bare);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(runtimeImport)) {
      if (specifier!.startsWith('.')) visit(join(dirname(file), specifier!));
      else bare.push(specifier!);
    }
  };
  visit(entry);
  return graph;
}

describe('the SDK in a browser bundle', () => {
  it('reaches no Node built-in from its entry', () => {
    const graph = moduleGraph(join(root, 'sdk/src/index.ts'));
    assert.ok(graph.has(join(root, 'sdk/src/connect.ts')));
    assert.ok(graph.has(join(root, 'src/api/contract/index.ts')), 'the graph follows the contract');
    const builtins = [...graph].flatMap(([file, bare]) =>
      bare.filter((s) => s.startsWith('node:')).map((s) => `${relative(root, file)} imports ${s}`),
    );
    assert.deepEqual(builtins, []);
  });
});
