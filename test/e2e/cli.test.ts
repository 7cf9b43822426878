import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli } from '../support/cli.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-cli-'));
  dirs.push(dir);
  return dir;
}

describe('patchbay CLI', () => {
  it('has --help on every command', async () => {
    for (const args of [
      [],
      ['start'],
      ['migrate'],
      ['keys'],
      ['keys', 'create'],
      ['keys', 'rotate'],
      ['operators', 'add'],
      ['doctor'],
    ]) {
      const result = await cli([...args, '--help'], {});
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /^Usage: patchbay/);
    }
  });

  it('stops on invalid config with the variable named, exit 1 and no stack trace', async () => {
    const result = await cli(['migrate'], {
      PATCHBAY_DATA_DIR: dataDir(),
      PATCHBAY_DATABASE_URL: 'mysql://x',
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /error \[config_invalid\]: Invalid configuration:\n {2}- PATCHBAY_DATABASE_URL/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('migrates, then reports up to date', async () => {
    const env = { PATCHBAY_DATA_DIR: dataDir() };
    assert.match((await cli(['migrate', '--status'], env)).stdout, /pending 0001_foundation/);
    assert.match((await cli(['migrate'], env)).stdout, /applied 0001_foundation/);
    assert.match((await cli(['migrate'], env)).stdout, /up to date/);
  });

  it('adds operator accounts with the password from the environment, never as an argument', async () => {
    const env = { PATCHBAY_DATA_DIR: dataDir() };
    const added = await cli(['operators', 'add', 'Ops@Example.com'], {
      ...env,
      PATCHBAY_OPERATOR_PASSWORD: 'a long enough password',
    });
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^Created operator op_\w+ \(ops@example\.com\)$/m);
    const short = await cli(['operators', 'add', 'two@example.com'], {
      ...env,
      PATCHBAY_OPERATOR_PASSWORD: 'short',
    });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 12 characters/);
    const again = await cli(['operators', 'add', 'ops@example.com'], {
      ...env,
      PATCHBAY_OPERATOR_PASSWORD: 'a long enough password',
    });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /conflict/);
    const list = await cli(['operators', 'list'], env);
    assert.match(list.stdout, /ops@example\.com/);
    assert.doesNotMatch(list.stdout, /scrypt|a long enough password/);
  });

  it('creates, lists and revokes API keys, refusing malformed ids', async () => {
    const env = { PATCHBAY_DATA_DIR: dataDir() };
    const created = await cli(['keys', 'create', '--env', 'prod', '--name', 'deploys'], env);
    assert.equal(created.code, 0, created.stderr);
    const id = /Created (key_\w+) in prod/.exec(created.stdout)?.[1];
    assert.ok(id);
    assert.match(created.stdout, /pb_sk_prod_[A-Za-z0-9]{43}/);
    const listed = await cli(['keys', 'list', '--env', 'prod'], env);
    assert.match(listed.stdout, new RegExp(`${id}\\s+deploys\\s+pb_sk_prod_`));
    assert.doesNotMatch(listed.stdout, /pb_sk_prod_[A-Za-z0-9]{20,}/, 'never the whole secret');
    assert.match((await cli(['keys', 'revoke', id, '--env', 'prod'], env)).stdout, /Revoked/);
    const wrongEnv = await cli(['keys', 'revoke', id, '--env', 'dev'], env);
    assert.equal(wrongEnv.code, 1);
    assert.match(wrongEnv.stderr, /\[not_found\]/);
    const malformed = await cli(['keys', 'revoke', 'key_bad'], env);
    assert.match(malformed.stderr, /\[invalid_id\]/);
  });

  it('generates encryption keys and rotates stored secrets onto the first one', async () => {
    const generated = await cli(['keys', 'generate'], {});
    assert.match(generated.stdout, /^k\d{8}[0-9a-f]{4}:[A-Za-z0-9+/]{43}=\n$/);
    const env = { PATCHBAY_DATA_DIR: dataDir(), PATCHBAY_ENCRYPTION_KEYS: generated.stdout.trim() };
    const rotated = await cli(['keys', 'rotate'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /Done: 0 secrets re-encrypted/);
  });

  it('doctor passes on a healthy setup and names what to fix otherwise', async () => {
    const dir = dataDir();
    const key = (await cli(['keys', 'generate'], {})).stdout.trim();
    await cli(['migrate'], { PATCHBAY_DATA_DIR: dir, PATCHBAY_ENCRYPTION_KEYS: key });
    await cli(['keys', 'rotate'], { PATCHBAY_DATA_DIR: dir, PATCHBAY_ENCRYPTION_KEYS: key });
    const healthy = await cli(['doctor'], {
      PATCHBAY_DATA_DIR: dir,
      PATCHBAY_ENCRYPTION_KEYS: key,
      PATCHBAY_PORT: '0',
    });
    assert.equal(healthy.code, 0, healthy.stdout);
    assert.match(
      healthy.stdout,
      /✓ encryption keys: 1 key\(s\) from PATCHBAY_ENCRYPTION_KEYS match the database/,
    );
    assert.match(healthy.stdout, /All checks passed/);

    const [kid] = key.split(':');
    const impostor = `${kid}:${(await cli(['keys', 'generate'], {})).stdout.trim().split(':')[1]}`;
    const wrongKey = await cli(['doctor'], {
      PATCHBAY_DATA_DIR: dir,
      PATCHBAY_ENCRYPTION_KEYS: impostor,
      PATCHBAY_PORT: '0',
    });
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stdout, /✗ encryption keys: The encryption key ".+" does not match/);

    const fresh = await cli(['doctor'], { PATCHBAY_DATA_DIR: dataDir(), PATCHBAY_PORT: '0' });
    assert.equal(fresh.code, 1);
    assert.match(
      fresh.stdout,
      /✗ migrations: pending: 0001_foundation(, \d{4}_\w+)*\n {4}fix: run `patchbay migrate`/,
    );
  });
});
