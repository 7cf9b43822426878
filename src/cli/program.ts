/**
 * The `patchbay` command line, loaded by ./main.ts: a thin wrapper over the engine (src/engine).
 * Each command lives in its own module under ./commands.
 */
import { Command } from 'commander';
import { PACKAGE_VERSION } from '../version.ts';
import { registerAction } from './commands/action.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerKeys } from './commands/keys.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerOperators } from './commands/operators.ts';
import { registerStart } from './commands/start.ts';
import { registerSync } from './commands/sync.ts';
import { exitWithError } from './output.ts';
import { releaseYoungGeneration } from './young-generation.ts';

const program = new Command('patchbay')
  .description('Patchbay: a self-hostable integrations engine')
  .version(PACKAGE_VERSION)
  .showHelpAfterError('(run with --help for usage)');

registerStart(program);
registerDemo(program);
registerMigrate(program);
registerKeys(program);
registerOperators(program);
registerDoctor(program);
registerSync(program);
registerAction(program);

// `start` releases the young generation once the engine is ready; every other command as it begins.
program.hook('preAction', (_program, command) => {
  if (command.name() !== 'start') releaseYoungGeneration();
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  exitWithError(error);
}
