/**
 * The API fuzz test (test/fuzz) at a larger size: PATCHBAY_FUZZ_RUNS requests (default 20,000)
 * per database, on the embedded SQLite and on PostgreSQL when a server answers, each against an
 * engine built in this process. Prints the requests run, requests per second and every answer by
 * status and error code; the goal is the test's: no 5xx, every 4xx with a stable code, the engine
 * healthy and the seeded data unchanged afterwards. A failure is printed (to stderr) with its
 * fast-check seed and how to replay it.
 */
import { afterRunProblems } from '../test/fuzz/after-run.ts';
import { runFuzz } from '../test/fuzz/fuzz.ts';
import { createWorld } from '../test/fuzz/world.ts';
import { testDatabases } from '../test/support/databases.ts';
import { refuseNonLoopbackConnections } from '../test/support/loopback-only.ts';
import { round } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const RUNS = Number(process.env.PATCHBAY_FUZZ_RUNS ?? 20_000);
const DEEP = process.env.PATCHBAY_FUZZ_DEEP !== '0';
const SEED =
  process.env.PATCHBAY_FUZZ_SEED === undefined ? undefined : Number(process.env.PATCHBAY_FUZZ_SEED);

type Row = Record<string, string | number | null>;

const benchmark: Benchmark = {
  name: 'fuzz',
  description: `the OpenAPI-driven API fuzz test at ${RUNS.toLocaleString('en-US')} requests per database`,
  async run({ log }) {
    const table: Row[] = [];
    const details: Record<string, unknown> = {
      runsPerDatabase: RUNS,
      deep: DEEP,
      node: process.versions.node,
    };
    let total = 0;
    let met = true;
    for (const target of await testDatabases()) {
      if (target.skip) {
        log(`${target.name}: skipped (${target.skip})`);
        table.push({
          database: target.name,
          answer: 'skipped: no server',
          requests: null,
          'per second': null,
        });
        continue;
      }
      const database = await target.create!();
      const network = refuseNonLoopbackConnections();
      try {
        const world = await createWorld(database);
        try {
          const seeded = await world.snapshotProtected();
          log(`${target.name}: fuzzing…`);
          const outcome = await runFuzz(world, {
            numRuns: RUNS,
            deep: DEEP,
            ...(SEED === undefined ? {} : { seed: SEED }),
          });
          const problems = await afterRunProblems(world, seeded, network);
          const { stats } = outcome;
          total += stats.requests;
          if (outcome.failure !== null) log(`${target.name}: FAILED\n${outcome.failure}`);
          for (const problem of problems) log(`${target.name}: after the run: ${problem}`);
          met &&= outcome.failure === null && problems.length === 0;
          const verdict = outcome.failure === null && problems.length === 0 ? 'all promises kept' : 'FAILED';
          table.push({
            database: target.name,
            answer: `all (${verdict})`,
            requests: stats.requests,
            'per second': round(stats.requestsPerSecond),
          });
          for (const [answer, count] of stats.answers()) {
            table.push({ database: target.name, answer, requests: count, 'per second': null });
          }
          details[target.name] = {
            seed: outcome.seed,
            requests: stats.requests,
            seconds: round(stats.durationMs / 1000, 1),
            requestsPerSecond: round(stats.requestsPerSecond),
            byStatus: Object.fromEntries(stats.byStatus),
            byAnswer: Object.fromEntries(stats.byAnswer),
            byTarget: Object.fromEntries(stats.byTarget),
            failure: outcome.failure,
            afterRun: problems,
          };
        } finally {
          await world.close();
        }
      } finally {
        network.restore();
        await database.destroy();
      }
    }
    return {
      unit: 'requests',
      value: total,
      ceiling: null,
      goal: 'no 5xx, every 4xx with a stable error code, the engine healthy and the seeded data unchanged',
      met,
      details,
      table,
    };
  },
};

export default benchmark;
