import type { Command } from 'commander';
import { systemClock } from '../../clock/index.ts';
import { createEnvironmentsService } from '../../environments/index.ts';
import { parseId } from '../../ids/index.ts';
import { ENCRYPTED_COLUMNS, generateKeyString, openVault, rotateSecrets } from '../../vault/index.ts';
import { withStore } from '../context.ts';
import { formatTime, printTable } from '../output.ts';

interface EnvOption {
  env: string;
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('API keys of an environment, and the encryption keys that protect stored credentials');

  keys
    .command('create')
    .description('Create a secret API key (shown once)')
    .option('-e, --env <environment>', 'environment name', 'dev')
    .option('-n, --name <name>', 'a label to tell keys apart', 'cli')
    .action(async (options: EnvOption & { name: string }) => {
      await withEnvironments(async (service) => {
        const environment = await service.getEnvironmentByName(options.env);
        const created = await service.createKey(environment.id, { name: options.name });
        process.stdout.write(
          `Created ${created.apiKey.id} in ${environment.name}. Store the key now; it is not shown again:\n${created.secret}\n`,
        );
      });
    });

  keys
    .command('list')
    .description('List the API keys of an environment (never their secrets)')
    .option('-e, --env <environment>', 'environment name', 'dev')
    .action(async (options: EnvOption) => {
      await withEnvironments(async (service) => {
        const environment = await service.getEnvironmentByName(options.env);
        const list = await service.listKeys(environment.id);
        printTable(
          list.map((key) => ({
            id: key.id,
            name: key.name,
            prefix: `${key.prefix}…`,
            created: formatTime(key.createdAt),
            'last used': formatTime(key.lastUsedAt),
            revoked: formatTime(key.revokedAt),
          })),
          ['id', 'name', 'prefix', 'created', 'last used', 'revoked'],
        );
      });
    });

  keys
    .command('revoke')
    .description('Revoke an API key; requests with it get 401 from now on')
    .argument('<id>', 'the key id (key_…)')
    .option('-e, --env <environment>', 'environment name', 'dev')
    .action(async (id: string, options: EnvOption) => {
      await withEnvironments(async (service) => {
        const environment = await service.getEnvironmentByName(options.env);
        const key = await service.revokeKey(environment.id, parseId('apiKey', id));
        process.stdout.write(`Revoked ${key.id} (${key.name}) in ${environment.name}\n`);
      });
    });

  keys
    .command('generate')
    .description('Print a new encryption key (kid:base64) for PATCHBAY_ENCRYPTION_KEYS')
    .action(() => {
      process.stdout.write(`${generateKeyString()}\n`);
    });

  keys
    .command('rotate')
    .description(
      'Re-encrypt every stored secret with the first key of PATCHBAY_ENCRYPTION_KEYS, online and resumable; then say which old keys can be removed',
    )
    .option('--batch-size <rows>', 'rows per transaction', (value) => Number.parseInt(value, 10), 500)
    .action(async (options: { batchSize: number }) => {
      await withStore(async (store, config) => {
        const { vault } = await openVault({ config, store, columns: ENCRYPTED_COLUMNS });
        process.stdout.write(`Re-encrypting with key "${vault.primaryKid}"…\n`);
        const report = await rotateSecrets(store, vault, ENCRYPTED_COLUMNS, {
          batchSize: options.batchSize,
          onProgress: ({ column, rotated }) =>
            process.stdout.write(`  ${column.table}.${column.column}: ${rotated} re-encrypted\n`),
        });
        const total = report.columns.reduce((sum, c) => sum + c.rotated, 0);
        process.stdout.write(`Done: ${total} secrets re-encrypted in ${report.columns.length} columns.\n`);
        if (report.unusedKids.length > 0) {
          process.stdout.write(
            `No stored secret uses ${report.unusedKids.map((k) => `"${k}"`).join(', ')} any more: remove it from PATCHBAY_ENCRYPTION_KEYS.\n`,
          );
        }
      });
    });
}

async function withEnvironments(
  fn: (service: ReturnType<typeof createEnvironmentsService>) => Promise<void>,
): Promise<void> {
  await withStore(async (store) => {
    const service = createEnvironmentsService({ store, clock: systemClock });
    const bootstrap = await service.ensureBootstrap();
    // On a fresh data dir the first dev key is made here rather than by `start`: show it once.
    if (bootstrap.firstKey) {
      process.stdout.write(
        `Created the dev environment's first API key (shown once):\n${bootstrap.firstKey.secret}\n`,
      );
    }
    await fn(service);
  });
}
