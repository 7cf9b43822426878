import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isPatchbayError, type PatchbayError } from '../errors/index.ts';
import { loadConfig } from './index.ts';

function configError(fn: () => unknown): PatchbayError {
  try {
    fn();
  } catch (error) {
    assert.ok(isPatchbayError(error, 'config_invalid'), `expected config_invalid, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the configuration to be refused');
}

describe('config', () => {
  it('has documented defaults', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.port, 4400);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.databaseUrl, '');
    assert.equal(config.bodyLimit, 1024 * 1024);
    assert.equal(config.logLevel, 'info');
    assert.ok(config.dataDir.endsWith('/data'));
  });

  it('reads PATCHBAY_ variables and parses sizes', () => {
    const config = loadConfig({
      env: {
        PATCHBAY_PORT: '8080',
        PATCHBAY_BODY_LIMIT: '2mb',
        PATCHBAY_DATABASE_URL: 'postgres://u@127.0.0.1/db',
        PATCHBAY_PUBLIC_URL: 'https://hooks.example.com',
        PATCHBAY_LOG_LEVEL: 'debug',
      },
    });
    assert.equal(config.port, 8080);
    assert.equal(config.bodyLimit, 2 * 1024 * 1024);
    assert.equal(config.databaseUrl, 'postgres://u@127.0.0.1/db');
    assert.equal(config.publicUrl, 'https://hooks.example.com');
    assert.equal(config.logLevel, 'debug');
  });

  it('names each invalid variable and what it expects', () => {
    const error = configError(() =>
      loadConfig({
        env: { PATCHBAY_PORT: 'eighty', PATCHBAY_DATABASE_URL: 'mysql://x', PATCHBAY_BODY_LIMIT: 'lots' },
      }),
    );
    assert.match(error.message, /PATCHBAY_PORT \(port\)/);
    assert.match(error.message, /PATCHBAY_DATABASE_URL \(databaseUrl\): expected a postgres:\/\//);
    assert.match(error.message, /PATCHBAY_BODY_LIMIT \(bodyLimit\): expected a size/);
    assert.deepEqual((error.details as Array<{ field: string }>).map((d) => d.field).sort(), [
      'bodyLimit',
      'databaseUrl',
      'port',
    ]);
  });

  it('rejects an unknown log level and a non-http public URL', () => {
    const error = configError(() =>
      loadConfig({ env: { PATCHBAY_LOG_LEVEL: 'loud', PATCHBAY_PUBLIC_URL: 'ftp://example.com' } }),
    );
    assert.match(error.message, /PATCHBAY_LOG_LEVEL/);
    assert.match(error.message, /PATCHBAY_PUBLIC_URL/);
  });

  it('parses lists and durations of the connect and webhook settings', () => {
    const config = loadConfig({
      env: {
        PATCHBAY_ALLOW_PRIVATE_NETWORKS: 'loopback, 10.0.0.0/8',
        PATCHBAY_PROVIDER_DIRS: '/srv/a,/srv/b',
        PATCHBAY_WEBHOOK_RETRY_SCHEDULE: '0,500ms,5s,2m,1h,1d',
      },
    });
    assert.deepEqual(config.allowPrivateNetworks, ['loopback', '10.0.0.0/8']);
    assert.deepEqual(config.providerDirs, ['/srv/a', '/srv/b']);
    assert.deepEqual(config.webhookRetrySchedule, [0, 500, 5000, 120_000, 3_600_000, 86_400_000]);
    const bad = configError(() =>
      loadConfig({
        env: { PATCHBAY_ALLOW_PRIVATE_NETWORKS: 'everything', PATCHBAY_WEBHOOK_RETRY_SCHEDULE: '0,5x' },
      }),
    );
    assert.match(bad.message, /PATCHBAY_ALLOW_PRIVATE_NETWORKS/);
    assert.match(bad.message, /PATCHBAY_WEBHOOK_RETRY_SCHEDULE/);
  });

  it('reads an optional JSON file, with the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-config-'));
    const file = join(dir, 'patchbay.json');
    writeFileSync(file, JSON.stringify({ port: 5000, logLevel: 'warn' }));
    const config = loadConfig({ env: { PATCHBAY_CONFIG_FILE: file, PATCHBAY_LOG_LEVEL: 'error' } });
    assert.equal(config.port, 5000);
    assert.equal(config.logLevel, 'error');
  });

  it('refuses an unreadable or malformed config file with a message naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchbay-config-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ port: ');
    assert.match(
      configError(() => loadConfig({ env: { PATCHBAY_CONFIG_FILE: bad } })).message,
      /not valid JSON/,
    );
    assert.match(
      configError(() => loadConfig({ env: { PATCHBAY_CONFIG_FILE: join(dir, 'missing.json') } })).message,
      /cannot read/,
    );
    writeFileSync(bad, '[1]');
    assert.match(
      configError(() => loadConfig({ env: { PATCHBAY_CONFIG_FILE: bad } })).message,
      /JSON object/,
    );
  });
});
