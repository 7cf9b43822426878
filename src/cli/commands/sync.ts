import { type Command, InvalidArgumentError } from 'commander';
import type { Patchbay } from '../../engine/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import type { SyncRun } from '../../syncs/runs.ts';
import { withEngine } from '../context.ts';
import { formatTime, printTable } from '../output.ts';
import { createProgress, type ProgressReporter, recordsSaved } from '../progress.ts';

interface EnvOption {
  env: string;
}

/** Exit code of a run that ended `failed` (or `cancelled`). */
const EXIT_RUN_FAILED = 1;
/** Exit code after Ctrl-C: 128 + SIGINT, as shells report it. */
const EXIT_INTERRUPTED = 130;

/**
 * `patchbay sync …`: run a connection's sync in this process with live progress, list its syncs
 * and runs, or queue a run for the engine's workers.
 */
export function registerSync(program: Command): void {
  const sync = program
    .command('sync')
    .description("A connection's syncs: run one here with progress, list them and their runs, queue a run")
    .exitOverride(usageExit);

  sync
    .command('run')
    .description(
      'Run a sync now in this process, showing progress on stderr and the run summary on stdout (exit 1 when the run fails)',
    )
    .argument('<connection>', 'the connection id (conn_…)')
    .argument('<sync>', 'the sync name (see `patchbay sync list`)')
    .option('--full', 'list everything again (detects deletes when the sync tracks them)')
    .option('--json', 'print the finished run as JSON instead of the summary')
    .option('-e, --env <environment>', 'environment name', 'dev')
    .action(
      async (
        connectionId: string,
        syncName: string,
        options: EnvOption & { full?: boolean; json?: boolean },
      ) => {
        await withEngine(options.env, (engine, environmentId) =>
          runSync(engine, environmentId, connectionId, syncName, options),
        );
      },
    );

  sync
    .command('list')
    .description("List a connection's syncs with their schedules")
    .argument('<connection>', 'the connection id (conn_…)')
    .option('-e, --env <environment>', 'environment name', 'dev')
    .action(async (connectionId: string, options: EnvOption) => {
      await withEngine(options.env, async (engine, environmentId) => {
        const syncs = await engine.services.syncs.syncs.list(environmentId, connectionId);
        printTable(
          syncs.map((s) => ({
            sync: s.name,
            models: s.models.join(','),
            every: s.schedule ? formatFrequency(s.schedule.frequencyMs) : s.defaultFrequency,
            state: scheduleState(s),
            'next run': formatTime(s.schedule?.nextRunAt),
            'last success': formatTime(s.schedule?.lastSuccessAt),
            running: s.schedule?.runningRunId ?? '-',
          })),
          ['sync', 'models', 'every', 'state', 'next run', 'last success', 'running'],
        );
      });
    });

  sync
    .command('runs')
    .description("List a connection's recent sync runs, newest first")
    .argument('<connection>', 'the connection id (conn_…)')
    .option('--sync <name>', 'only runs of this sync')
    .option('--limit <n>', 'how many runs (1-200)', parseLimit, 20)
    .option('-e, --env <environment>', 'environment name', 'dev')
    .action(async (connectionId: string, options: EnvOption & { sync?: string; limit: number }) => {
      await withEngine(options.env, async (engine, environmentId) => {
        const { data } = await engine.services.syncs.syncs.listRuns(environmentId, {
          connectionId,
          ...(options.sync ? { sync: options.sync } : {}),
          limit: options.limit,
        });
        printTable(
          data.map((run) => ({
            run: run.id,
            sync: run.sync,
            trigger: run.trigger,
            mode: run.mode,
            status: run.status,
            added: String(run.added),
            updated: String(run.updated),
            unchanged: String(run.unchanged),
            deleted: String(run.deleted),
            pages: String(run.pages),
            started: formatTime(run.startedAt ?? run.createdAt),
            duration: formatDuration(run.durationMs),
            error: run.error?.code ?? '',
          })),
          [
            'run',
            'sync',
            'trigger',
            'mode',
            'status',
            'added',
            'updated',
            'unchanged',
            'deleted',
            'pages',
            'started',
            'duration',
            'error',
          ],
        );
      });
    });

  sync
    .command('trigger')
    .description("Queue a run for the engine's workers (at most one pending or running per sync)")
    .argument('<connection>', 'the connection id (conn_…)')
    .argument('<sync>', 'the sync name')
    .option('--full', 'list everything again (detects deletes when the sync tracks them)')
    .option('-e, --env <environment>', 'environment name', 'dev')
    .action(async (connectionId: string, syncName: string, options: EnvOption & { full?: boolean }) => {
      await withEngine(options.env, async (engine, environmentId) => {
        const result = await engine.services.syncs.syncs.trigger(environmentId, connectionId, syncName, {
          ...(options.full ? { mode: 'full' as const } : {}),
        });
        process.stdout.write(
          result.created
            ? `Queued run ${result.runId}; a running engine's workers pick it up.\n`
            : `Run ${result.runId} of this sync is already pending or running; no new run was queued.\n`,
        );
      });
    });
}

/** `sync run`: the run itself, its progress display, Ctrl-C, and the summary. */
async function runSync(
  engine: Patchbay,
  environmentId: string,
  connectionId: string,
  syncName: string,
  options: { full?: boolean; json?: boolean },
): Promise<void> {
  // Created once the run exists: an unknown connection or sync shows its error, not a progress line.
  let progress = null as ProgressReporter | null;
  const controller = new AbortController();
  let runId = null as string | null;
  const onSigint = () => {
    if (controller.signal.aborted) {
      // A second Ctrl-C: the user does not want to wait for the run to let go.
      process.exit(EXIT_INTERRUPTED);
    }
    controller.abort(new PatchbayError('sync_cancelled', 'Interrupted (Ctrl-C)'));
  };
  process.on('SIGINT', onSigint);
  let run: SyncRun;
  try {
    run = await engine.services.syncs.syncs.runNow(environmentId, connectionId, syncName, {
      ...(options.full ? { mode: 'full' as const } : {}),
      signal: controller.signal,
      onStart: (id) => {
        runId = id;
        progress = createProgress({ stream: process.stderr, label: `${connectionId} ${syncName}` });
      },
      onProgress: (totals) => progress?.update(totals),
    });
  } catch (error) {
    progress?.stop();
    if (controller.signal.aborted && runId !== null) {
      process.stderr.write(
        `\nInterrupted: run ${runId} stays open. A running engine's scheduler resumes it from its last checkpoint once it has been idle for about two minutes.\n`,
      );
      process.exitCode = EXIT_INTERRUPTED;
      return;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }
  progress?.stop();
  process.stdout.write(options.json ? `${JSON.stringify(run, null, 2)}\n` : summary(run));
  if (run.status !== 'succeeded') process.exitCode = EXIT_RUN_FAILED;
}

/** The run summary for people. */
export function summary(run: SyncRun): string {
  const lines = [
    `Run ${run.id} ${run.status} (${run.sync}, ${run.mode}, attempt ${run.attempt})`,
    `  records   ${recordsSaved(run)} saved: added ${run.added}, updated ${run.updated}, unchanged ${run.unchanged}; deleted ${run.deleted}`,
    `  pages     ${run.pages}`,
    `  duration  ${formatDuration(run.durationMs)}`,
  ];
  if (run.error) lines.push(`  error     [${run.error.code}] ${run.error.message}`);
  return `${lines.join('\n')}\n`;
}

function scheduleState(sync: {
  autoStart: boolean;
  schedule: { paused: boolean; runningRunId: string | null } | null;
}): string {
  if (!sync.schedule) return sync.autoStart ? 'not scheduled yet' : 'manual';
  if (sync.schedule.runningRunId) return 'running';
  return sync.schedule.paused ? 'paused' : 'scheduled';
}

/** `1h`, `15m`, `30s` from milliseconds (the largest unit that divides it). */
function formatFrequency(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}

/** `1.4 s` or `-`. */
export function formatDuration(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

/** Parses `--limit`: an integer from 1 to 200 (the run list's page size limit). */
export function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new InvalidArgumentError('must be a whole number from 1 to 200');
  }
  return limit;
}

/**
 * Usage mistakes (a missing argument, an unknown option, a bad --limit) exit 2, apart from a run
 * that failed (1); help and --version exit 0 as usual.
 */
export function usageExit(error: { exitCode: number }): never {
  process.exit(error.exitCode === 0 ? 0 : 2);
}
