/**
 * Property-based fuzz test of the HTTP API, driven by the engine's own /openapi.json (see
 * fuzz.ts): for every operation and for the intake, proxy and connect routes, generated
 * requests never get a 5xx, every 4xx carries a stable error code, the engine stays healthy, and
 * the data seeded before the run reads back unchanged. Bounded here; `npm run bench -- fuzz` runs
 * it at a larger size. PATCHBAY_FUZZ_SEED with PATCHBAY_FUZZ_RUNS (or PATCHBAY_FUZZ_PATH) replay
 * a failure it printed; PATCHBAY_FUZZ_RUNS alone changes the number of requests per database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../support/databases.ts';
import { type LoopbackGuard, refuseNonLoopbackConnections } from '../support/loopback-only.ts';
import { afterRunProblems } from './after-run.ts';
import { runFuzz } from './fuzz.ts';
import { createWorld, type World } from './world.ts';

const RUNS = Number(process.env.PATCHBAY_FUZZ_RUNS ?? 1000);
/** `PATCHBAY_FUZZ_DEEP=0` leaves out JSON nested thousands of levels deep (to see other findings). */
const DEEP = process.env.PATCHBAY_FUZZ_DEEP !== '0';
const SEED =
  process.env.PATCHBAY_FUZZ_SEED === undefined ? undefined : Number(process.env.PATCHBAY_FUZZ_SEED);
const PATH = process.env.PATCHBAY_FUZZ_PATH || undefined;

for (const target of await testDatabases()) {
  describe(`API fuzz on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let world: World;
    let seeded: Record<string, unknown>;
    let network: LoopbackGuard;

    before(async () => {
      network = refuseNonLoopbackConnections();
      database = await target.create!();
      world = await createWorld(database);
      seeded = await world.snapshotProtected();
    });
    after(async () => {
      await world?.close();
      await database?.destroy();
      network?.restore();
    });

    it('answers generated requests without a 5xx, and every 4xx with a stable error code', async (t) => {
      const outcome = await runFuzz(world, {
        numRuns: RUNS,
        deep: DEEP,
        ...(SEED === undefined ? {} : { seed: SEED }),
        ...(PATH === undefined ? {} : { path: PATH }),
      });
      const lines = [
        `fuzz on ${target.name}: ${outcome.stats.summary()}`,
        `errors: ${outcome.stats.errors()}`,
        `fast-check seed ${outcome.seed}`,
      ];
      for (const line of lines) t.diagnostic(line);
      if (outcome.failure !== null) assert.fail(outcome.failure);
    });

    it('stays healthy, and the data seeded before the run reads back unchanged', async () => {
      const problems = await afterRunProblems(world, seeded, network);
      if (problems.length > 0) assert.fail(problems.join('\n'));
    });
  });
}
