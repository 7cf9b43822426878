/**
 * docs/hub.md is checked against the code: its SDK walk-through runs as written against an
 * engine and prints what the doc says it prints, and every hub operation its API table names is
 * a route of the contract or of the hub page.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type LibraryEngine, startLibraryEngine } from '../../test/support/library-engine.ts';
import * as hubContract from '../api/contract/hub.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(new URL('docs/hub.md', `file://${root}`), 'utf8');

function blocks(language: string): string[] {
  return [...doc.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');
}

/** Runs a `js` block from the repository root, `patchbay/sdk` resolved to this checkout's sources. */
function run(code: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=patchbay-source', '--input-type=module', '-e', code],
      {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.once('exit', (exitCode) => resolve({ code: exitCode, output }));
  });
}

describe('docs/hub.md', () => {
  let engine: LibraryEngine;
  before(async () => {
    engine = await startLibraryEngine({ config: { role: 'api' } });
  });
  after(async () => {
    await engine?.stop();
  });

  it('runs the SDK walk-through as written and prints the tiles it shows', { timeout: 60_000 }, async () => {
    const walkThrough = blocks('js').find((code) => code.includes("from 'patchbay/sdk'"));
    assert.ok(walkThrough, 'the doc has the walk-through');
    const expected = blocks('text')[0]?.trim().split('\n') ?? [];
    assert.ok(expected.length > 1);
    const env = { PATCHBAY_URL: engine.baseUrl, PATCHBAY_API_KEY: engine.apiKey };
    for (const attempt of ['first run', 'second run (plans and integrations kept)']) {
      const { code, output } = await run(walkThrough, env);
      assert.equal(code, 0, `${attempt}: ${output}`);
      const lines = output.trim().split('\n');
      assert.equal(lines.length, expected.length, output);
      lines.forEach((line, index) => {
        const want = expected[index] ?? '';
        if (want.startsWith('open ')) {
          assert.match(line, /^open http:\/\/127\.0\.0\.1:\d+\/hub\?session=pb_cst_[\w-]+$/);
        } else {
          assert.equal(line, want);
        }
      });
    }
  });

  it('names only operations that exist', () => {
    const paths = new Set(
      (Object.values(hubContract) as unknown[])
        .filter(
          (value): value is { method: string; path: string } =>
            typeof value === 'object' && value !== null && 'path' in value,
        )
        .map((operation) => operation.path.replace(/:(\w+)/g, '{$1}')),
    );
    paths.add('/hub?session=…[&scheme=light\\|dark]');
    const table = doc.slice(doc.indexOf('## API'));
    const named = [...table.matchAll(/`(?:[A-Z]+(?:`, `[A-Z]+)? )?(\/[^` ]+)`/g)].map(
      (match) => match[1] ?? '',
    );
    assert.ok(named.length >= 10, named.join(', '));
    for (const path of named) {
      if (path.startsWith('/v1/connections')) continue;
      assert.ok(paths.has(path), `${path} is a hub operation`);
    }
  });
});
