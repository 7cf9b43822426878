// Library mode from the installed package: start an engine, ask it /ready, stop it.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPatchbay, PACKAGE_VERSION } from 'patchbay';

const started = performance.now();
const engine = await createPatchbay({
  config: { dataDir: mkdtempSync(join(tmpdir(), 'patchbay-library-')), port: 0, logLevel: 'warn' },
});
const { url } = await engine.start();
const ready = await fetch(`${url}/ready`);
assert.equal(ready.status, 200, await ready.text());
await engine.stop();
const ms = Math.round(performance.now() - started);
console.log(
  `ok createPatchbay from 'patchbay' ${PACKAGE_VERSION} started, answered /ready, stopped (${ms} ms)`,
);
console.log(`node ${process.version}`);
