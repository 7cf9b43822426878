/**
 * Intake crash benchmark (issue 5): 10,000 signed `custom-webhook` deliveries posted by 32
 * concurrent senders to the intake of `patchbay start`, while the engine is killed with SIGKILL at
 * least 5 times at random moments spread over the run and restarted each time on the same data
 * dir (and database). Senders retry what a kill cut short, as providers do. Afterwards every event
 * id that got a 2xx must be in `inbound_events` exactly once, with the bytes sent: the benchmark
 * throws otherwise. Runs on embedded SQLite, then on PostgreSQL when a local server answers (a
 * database created for the run and dropped after), skipped with the reason otherwise. See
 * fixtures/intake-crash.ts.
 */
import { type IntakeCrashResult, runIntakeCrash } from './fixtures/intake-crash.ts';
import { createBenchPostgres } from './lib/servers.ts';
import type { Benchmark } from './lib/types.ts';

const DELIVERIES = 10_000;
const KILLS = 5;
const SENDERS = 32;

const benchmark: Benchmark = {
  name: 'intake-crash',
  description: `${DELIVERIES.toLocaleString('en-US')} signed inbound deliveries while the engine is killed (SIGKILL) at least ${KILLS} times`,
  async run({ log }) {
    const options = {
      deliveries: DELIVERIES,
      kills: KILLS,
      senders: SENDERS,
      uptimeMs: [200, 1500] as [number, number],
      timeoutMs: 600_000,
      log,
    };
    const runs: IntakeCrashResult[] = [await runIntakeCrash(options)];
    let postgresSkipped: string | null = null;
    const postgres = await createBenchPostgres('intake_crash');
    if (postgres.ok) {
      try {
        runs.push(await runIntakeCrash({ ...options, databaseUrl: postgres.value.url }));
      } finally {
        await postgres.value.drop();
      }
    } else {
      postgresSkipped = postgres.reason;
      log(`PostgreSQL skipped: ${postgres.reason}`);
    }

    const problems = runs.flatMap((run) => run.problems.map((problem) => `${run.dialect}: ${problem}`));
    if (problems.length > 0) {
      throw new Error(`the crash run broke its promises:\n- ${problems.join('\n- ')}`);
    }

    const n = (value: number) => value.toLocaleString('en-US');
    const table: Array<Record<string, string | number | null>> = [];
    for (const run of runs) {
      const row = (figure: string, value: number | string, detail: string) =>
        table.push({ database: run.dialect, figure, value, detail });
      for (const kill of run.kills) {
        row(
          `kill ${kill.kill} (SIGKILL)`,
          kill.acknowledgedAtKill,
          `acknowledged when killed after ${n(kill.uptimeMs)} ms up (${n(kill.acknowledgedPerSecond)}/s while up), ` +
            `${kill.inFlightAtKill} in flight; ready again in ${n(kill.restartMs)} ms`,
        );
      }
      row('acknowledged (2xx)', run.acknowledged, `distinct event ids, of ${n(run.deliveries)} sent`);
      row('stored', run.stored, 'distinct event ids in inbound_events');
      row('acknowledged and stored once', run.acknowledgedAndStored, 'with the bytes sent');
      row('acknowledged but missing', run.acknowledgedButMissing.length, 'must be 0');
      row(
        'stored, never acknowledged',
        run.storedNeverAcknowledged.length,
        'committed, answer cut short, never retried',
      );
      row('duplicates answered', run.duplicatesAnswered, 'retries of events committed before a kill');
      row(
        'retried requests',
        run.retries,
        `failed answers: ${Object.entries(run.failedAnswers)
          .map(([status, count]) => `${status} × ${n(count)}`)
          .join(', ')}`,
      );
      row(
        'acknowledged/s',
        run.acknowledgedPerSecond,
        `whole run incl. restarts (${n(run.totalMs)} ms); ${n(run.lastUpAcknowledgedPerSecond)}/s after the last kill`,
      );
      row('latency p50, ms', run.latencyMs.p50, `${SENDERS} senders, requests answered 2xx`);
      row('latency p99, ms', run.latencyMs.p99, `max ${n(run.latencyMs.max)} ms`);
    }
    if (postgresSkipped)
      table.push({ database: 'postgres', figure: 'skipped', value: null, detail: postgresSkipped });

    const value = runs.reduce((sum, run) => sum + run.acknowledgedAndStored, 0);
    const ceiling = runs.reduce((sum, run) => sum + run.acknowledged, 0);
    return {
      unit: 'acknowledged event ids stored exactly once',
      value,
      ceiling,
      goal: `every 2xx-acknowledged delivery stored exactly once after ≥ ${KILLS} SIGKILLs during ${n(DELIVERIES)} POSTs (ratio 1.0)`,
      // runIntakeCrash lists every broken promise, and any makes this throw above.
      met: value === ceiling,
      details: {
        deliveries: DELIVERIES,
        senders: SENDERS,
        runs: runs.map((run) => ({
          ...run,
          acknowledgedButMissing: run.acknowledgedButMissing.length,
          storedNeverAcknowledged: run.storedNeverAcknowledged.length,
          storedTwice: run.storedTwice.length,
        })),
        postgresSkipped,
        node: process.versions.node,
      },
      table,
    };
  },
};

export default benchmark;
