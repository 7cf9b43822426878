import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import { systemClock } from '../../clock/index.ts';
import { createEnvironmentsService } from '../../environments/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import { createOperatorsService, type OperatorsService } from '../../operators/index.ts';
import { withStore } from '../context.ts';
import { formatTime, printTable } from '../output.ts';

/** Where `operators add` reads the password when stdin is not piped (scripts, containers). */
const PASSWORD_ENV = 'PATCHBAY_OPERATOR_PASSWORD';

/**
 * The password of a new operator: PATCHBAY_OPERATOR_PASSWORD, or stdin when piped (one line).
 * Never an argument, which would land in shell history and the process list.
 */
async function readPassword(): Promise<string> {
  const fromEnv = process.env[PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) {
    throw new PatchbayError(
      'invalid_request',
      `Pipe the password on stdin (e.g. from a password manager) or set ${PASSWORD_ENV}`,
    );
  }
  return (await text(process.stdin)).replace(/\r?\n$/, '');
}

async function withOperators(fn: (service: OperatorsService) => Promise<void>): Promise<void> {
  await withStore(async (store) => {
    const environments = createEnvironmentsService({ store, clock: systemClock });
    await environments.ensureBootstrap();
    await fn(createOperatorsService({ store, environments, clock: systemClock }));
  });
}

/** `patchbay operators add|list`: the accounts that sign in to the dashboard with a password. */
export function registerOperators(program: Command): void {
  const operators = program
    .command('operators')
    .description('Operator accounts: people who sign in to the dashboard with an email and password');

  operators
    .command('add')
    .description(`Create an operator account; the password comes from stdin or ${PASSWORD_ENV}`)
    .argument('<email>', 'the email the operator signs in with')
    .action(async (email: string) => {
      const password = await readPassword();
      await withOperators(async (service) => {
        const operator = await service.createOperator(email, password);
        process.stdout.write(`Created operator ${operator.id} (${operator.email})\n`);
      });
    });

  operators
    .command('list')
    .description('List operator accounts (never their password hashes)')
    .action(async () => {
      await withOperators(async (service) => {
        const list = await service.listOperators();
        printTable(
          list.map((operator) => ({
            id: operator.id,
            email: operator.email,
            created: formatTime(operator.createdAt),
          })),
          ['id', 'email', 'created'],
        );
      });
    });
}
