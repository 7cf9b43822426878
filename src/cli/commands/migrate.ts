import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { openStore } from '../../store/index.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'Apply pending database migrations (start does this too); safe to run from several processes at once',
    )
    .option('--status', 'only list pending migrations, apply nothing')
    .action(async (options: { status?: boolean }) => {
      const config = loadConfig();
      const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        if (options.status) {
          const pending = await store.pendingMigrations();
          process.stdout.write(
            pending.length === 0
              ? `${store.location}: up to date\n`
              : `${store.location}: pending ${pending.join(', ')}\n`,
          );
          return;
        }
        const report = await store.migrate();
        process.stdout.write(
          report.applied.length === 0
            ? `${store.location}: up to date (${report.alreadyApplied} applied before)\n`
            : `${store.location}: applied ${report.applied.join(', ')}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
