import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createPatchbay } from '../engine/index.ts';
import { createLogger, createMemoryDestination } from '../logger/index.ts';
import { generateKeyString } from '../vault/index.ts';
import { holdYoungGeneration, releaseYoungGeneration } from './young-generation.ts';

// Each test file runs in a process of its own, so the module cache below is this file's alone.
const loadedModules = () => Object.keys(createRequire(import.meta.url).cache);

describe('start-up', () => {
  it('an engine on the embedded SQLite default never loads the PostgreSQL driver', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-startup-test-'));
    const engine = await createPatchbay({
      env: {},
      config: { dataDir, encryptionKeys: generateKeyString(), port: 0, role: 'all' },
      logger: createLogger({ level: 'error', destination: createMemoryDestination() }),
    });
    try {
      await engine.start();
      // Loaded modules are recorded: fastify is there, so the check would see pg if it were.
      assert.ok(loadedModules().some((path) => path.includes('/node_modules/fastify/')));
      assert.deepEqual(
        loadedModules().filter((path) => /\/node_modules\/pg(-[a-z]+)?\//.test(path)),
        [],
      );
    } finally {
      await engine.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('holding and releasing the young generation is idempotent and safe in any order', () => {
    releaseYoungGeneration();
    holdYoungGeneration();
    holdYoungGeneration();
    releaseYoungGeneration();
    releaseYoungGeneration();
    // V8 keeps working with the restored flag: allocate enough to grow and scavenge the new space.
    const chunks = Array.from({ length: 2_000 }, (_, i) => ({ i, text: `chunk ${i}`.repeat(50) }));
    assert.equal(chunks.length, 2_000);
  });
});
