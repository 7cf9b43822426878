import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ActionRun } from '../../actions/index.ts';
import type { Patchbay } from '../../engine/index.ts';
import { isPatchbayError } from '../../errors/index.ts';
import { withEngine } from '../context.ts';
import { formatTime, printTable } from '../output.ts';
import { formatDuration, parseLimit, usageExit } from './sync.ts';

interface RunOptions {
  env: string;
  input?: string;
  inputFile?: string;
  async?: boolean;
  idempotencyKey?: string;
  json?: boolean;
}

/** The action runs service answers pages of at most this many. */
const PAGE = 200;

/** `patchbay action …`: run a connection's action, list action runs. */
export function registerAction(program: Command): void {
  const action = program
    .command('action')
    .description("A connection's write actions: run one, list runs")
    .exitOverride(usageExit);

  action
    .command('run')
    .description('Run an action and print the run: its output, or its error (exit 1 when it fails)')
    .argument('<connection>', 'the connection id (conn_…)')
    .argument('<action>', 'the action name')
    .option('--input <json>', 'the input as JSON (default {})')
    .option('--input-file <path>', 'read the input JSON from a file')
    .option('--async', "queue the run for the engine's workers and print it queued")
    .option('--idempotency-key <key>', 'the same key and input return the first run instead of running again')
    .option('--json', 'print the run as JSON')
    .option('-e, --env <environment>', 'environment name', 'dev')
    .action(async (connectionId: string, actionName: string, options: RunOptions, command: Command) => {
      // Read before the engine opens: a typo costs nothing and stores nothing.
      const input = readInput(options, command);
      await withEngine(options.env, async (engine, environmentId) => {
        const run = await runAction(engine, environmentId, connectionId, actionName, input, options);
        if (!run) return;
        process.stdout.write(options.json ? `${JSON.stringify(run, null, 2)}\n` : describeRun(run));
        if (run.status === 'failed') process.exitCode = 1;
      });
    });

  action
    .command('runs')
    .description('List the most recent action runs, newest first')
    .option('--connection <id>', 'only runs of this connection (conn_…)')
    .option('--limit <n>', 'how many runs (1-200)', parseLimit, 20)
    .option('-e, --env <environment>', 'environment name', 'dev')
    .action(async (options: { env: string; connection?: string; limit: number }) => {
      await withEngine(options.env, async (engine, environmentId) => {
        const runs = await recentRuns(engine, environmentId, options.limit, options.connection);
        printTable(
          runs.map((run) => ({
            run: run.id,
            connection: run.connectionId,
            action: run.action,
            mode: run.mode,
            status: run.status,
            created: formatTime(run.createdAt),
            duration: formatDuration(run.durationMs),
            error: run.error?.code ?? '',
          })),
          ['run', 'connection', 'action', 'mode', 'status', 'created', 'duration', 'error'],
        );
      });
    });
}

/** The input from --input or --input-file (`{}` without either); bad JSON is a usage error. */
function readInput(options: RunOptions, command: Command): unknown {
  if (options.input !== undefined && options.inputFile !== undefined) {
    command.error('error: give the input either with --input or with --input-file, not both');
  }
  let text = options.input ?? '{}';
  let source = '--input';
  if (options.inputFile !== undefined) {
    source = `--input-file ${options.inputFile}`;
    try {
      text = readFileSync(options.inputFile, 'utf8');
    } catch (error) {
      command.error(`error: cannot read ${source}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    command.error(`error: ${source} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Runs the action; refused input is printed issue by issue (path and message) with exit 1, and
 * undefined is returned. Other refusals (unknown connection or action…) go to the CLI's handler.
 */
async function runAction(
  engine: Patchbay,
  environmentId: string,
  connectionId: string,
  actionName: string,
  input: unknown,
  options: RunOptions,
): Promise<ActionRun | undefined> {
  try {
    return await engine.services.syncs.actions.run(environmentId, connectionId, actionName, input, {
      mode: options.async ? 'async' : 'sync',
      ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
    });
  } catch (error) {
    if (!isPatchbayError(error, 'action_input_invalid')) throw error;
    const issues =
      (error.details as { issues?: Array<{ path: string; message: string }> } | undefined)?.issues ?? [];
    process.stderr.write(`error [action_input_invalid]: The input of action "${actionName}" is invalid:\n`);
    for (const issue of issues) process.stderr.write(`  - ${issue.path || '(root)'}: ${issue.message}\n`);
    process.exitCode = 1;
    return undefined;
  }
}

/** The run for people: status line, then the output or the error. */
export function describeRun(run: ActionRun): string {
  const lines = [
    `Run ${run.id} ${run.status} (${run.action}, ${run.mode}, ${formatDuration(run.durationMs)})`,
  ];
  if (run.status === 'succeeded') lines.push('output:', JSON.stringify(run.output, null, 2));
  if (run.error) lines.push(`error [${run.error.code}]: ${run.error.message}`);
  if (run.status === 'queued')
    lines.push("queued: a running engine's workers execute it; see `patchbay action runs`");
  return `${lines.join('\n')}\n`;
}

/**
 * The newest `limit` runs, newest first. The service pages oldest first (a stable cursor), so the
 * listing is walked to its end keeping only the last `limit`.
 */
async function recentRuns(
  engine: Patchbay,
  environmentId: string,
  limit: number,
  connectionId?: string,
): Promise<ActionRun[]> {
  let tail: ActionRun[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await engine.services.syncs.actions.list(environmentId, {
      limit: PAGE,
      ...(connectionId !== undefined ? { connectionId } : {}),
      ...(after !== undefined ? { after } : {}),
    });
    tail = [...tail, ...page.data].slice(-limit);
    if (page.nextAfter === null) break;
    after = page.nextAfter;
  }
  return tail.reverse();
}
