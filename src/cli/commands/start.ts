import type { Command } from 'commander';
import { createPatchbay, type Patchbay, type StartReport } from '../../engine/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import { PACKAGE_VERSION } from '../../version.ts';
import { releaseYoungGeneration } from '../young-generation.ts';

const ROLES = ['all', 'api', 'worker'] as const;
const ROLE_TEXT = {
  all: 'all (API + workers + scheduler)',
  api: 'api (HTTP only)',
  worker: 'worker (jobs + scheduler)',
};

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Run the engine: HTTP API, workers and scheduler in one process (or one role of them)')
    .option('--role <role>', `which part to run: ${ROLES.join(', ')} (PATCHBAY_ROLE)`)
    .option('-p, --port <port>', 'HTTP port (PATCHBAY_PORT)')
    .action(async (options: { role?: string; port?: string }) => {
      if (options.role !== undefined && !ROLES.includes(options.role as (typeof ROLES)[number])) {
        throw new PatchbayError('config_invalid', `--role must be one of ${ROLES.join(', ')}`);
      }
      const engine = await createPatchbay({
        config: {
          ...(options.role ? { role: options.role as (typeof ROLES)[number] } : {}),
          ...(options.port ? { port: Number(options.port) } : {}),
        },
      });
      let report: StartReport;
      try {
        report = await engine.start();
      } catch (error) {
        await engine.stop();
        throw error;
      }
      // Start-up is over: the young generation may grow with the load again (young-generation.ts).
      releaseYoungGeneration();
      printBanner(engine, report);
      stopOnSignals(engine);
    });
}

function printBanner(engine: Patchbay, report: StartReport): void {
  const { config, store } = engine;
  const lines = [`Patchbay ${PACKAGE_VERSION} is ready`];
  if (report.url) {
    lines.push(`  API        ${report.url}   (OpenAPI: ${report.url}/openapi.json)`);
    lines.push(`  dashboard  ${report.url}/dashboard   (sign in with a secret API key)`);
  }
  lines.push(
    `  data dir   ${config.dataDir}`,
    `  database   ${store.location}`,
    `  role       ${ROLE_TEXT[config.role]}`,
  );
  if (report.migrationsApplied.length > 0)
    lines.push(`  migrations applied: ${report.migrationsApplied.join(', ')}`);
  if (report.generatedKeyFile) {
    lines.push(
      '',
      `  Generated an encryption key in ${report.generatedKeyFile} — back it up with`,
      '  the database: without it, stored credentials cannot be decrypted.',
    );
  }
  if (report.firstApiKey) {
    lines.push(
      '',
      "  Your dev environment's API key (shown once — store it now):",
      `    ${report.firstApiKey}`,
    );
  }
  // The banner goes to stderr so that stdout carries only the JSON log lines.
  process.stderr.write(`${lines.join('\n')}\n\n`);
}

function stopOnSignals(engine: Patchbay): void {
  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(
      `${signal}: stopping (in-flight jobs get up to ${engine.config.shutdownTimeoutMs} ms)…\n`,
    );
    engine.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
