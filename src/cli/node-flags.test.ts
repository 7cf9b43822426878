import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ENGINE_NODE_FLAGS } from './node-flags.ts';

const root = new URL('../../', import.meta.url);

describe("the engine's V8 flags", () => {
  it('are the ones `npm start` and the `patchbay` launcher run with', () => {
    const scripts = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts as Record<
      string,
      string
    >;
    assert.equal(scripts.start, `node ${ENGINE_NODE_FLAGS.join(' ')} bin/patchbay.js start`);
    const shebang = readFileSync(new URL('bin/patchbay.js', root), 'utf8').split('\n')[0];
    assert.equal(shebang, `#!/usr/bin/env -S node ${ENGINE_NODE_FLAGS.join(' ')}`);
  });

  it('bound the heap of a process started with them', () => {
    const limit = Number(
      execFileSync(process.execPath, [
        ...ENGINE_NODE_FLAGS,
        '-e',
        "process.stdout.write(String(require('node:v8').getHeapStatistics().heap_size_limit))",
      ]),
    );
    // 512 MB of old space plus the young generation: far below V8's default on a large machine.
    assert.ok(limit > 512 * 2 ** 20 && limit < 640 * 2 ** 20, `heap limit ${limit}`);
  });
});
