/**
 * The layer check of `npm run lint` (scripts/check-layers.ts): it passes on the tree, and a
 * planted wrong-way import — infrastructure reaching up into the API — fails it with the file,
 * the line and both layers named.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { layerViolations } from '../../scripts/check-layers.ts';

const root = join(import.meta.dirname, '..', '..');
const script = join(root, 'scripts', 'check-layers.ts');

function plantedTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, 'src', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'src', path), text);
  }
  return dir;
}

describe('the layer check', () => {
  it('finds no wrong-way import in src/', () => {
    assert.deepEqual(layerViolations(join(root, 'src')), { violations: [], unknown: [] });
  });

  it('fails on a planted wrong-way import, naming the file, line and layers', () => {
    const dir = plantedTree({
      'api/core/routes.ts': 'export const x = 1;\n',
      'store/index.ts':
        "// a store that reaches up\n\nimport { x } from '../api/core/routes.ts';\nexport const y = x;\n",
      'syncs/runner.ts':
        "import { y } from '../store/index.ts';\nexport type { Z } from '../catalog/index.ts';\nexport const z = y;\n",
      'catalog/index.ts': 'export type Z = 1;\n',
    });
    try {
      const result = spawnSync(process.execPath, [script, join(dir, 'src')], { cwd: dir, encoding: 'utf8' });
      assert.equal(result.status, 1, result.stderr);
      assert.match(
        result.stderr,
        /src\/store\/index\.ts:3: imports \.\.\/api\/core\/routes\.ts — infrastructure may not import api\n/,
      );
      assert.match(result.stderr, /^1 wrong-way imports/m, 'imports down or across pass');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails on a folder that belongs to no layer, and on dynamic and re-export imports', () => {
    const dir = plantedTree({
      'widgets/index.ts': 'export const w = 1;\n',
      'queue/index.ts':
        "export { a } from '../syncs/a.ts';\nexport const b = () => import('../engine/b.ts');\n",
      'syncs/a.ts': 'export const a = 1;\n',
      'engine/b.ts': 'export const b = 1;\n',
    });
    try {
      const { violations, unknown } = layerViolations(join(dir, 'src'));
      assert.deepEqual(unknown, ['widgets']);
      assert.deepEqual(
        violations.map((v) => `${v.specifier}:${v.to}`),
        ['../syncs/a.ts:engine services', '../engine/b.ts:assembly'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
