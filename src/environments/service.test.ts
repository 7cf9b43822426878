import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { Store } from '../store/index.ts';
import { displayPrefix, generateApiKey, hashApiKey, parseApiKey } from './api-key-format.ts';
import { createEnvironmentsService, LAST_USED_RESOLUTION_MS, MAX_AUTH_CACHE_MS } from './service.ts';

/** The same key with its last character changed (to one it certainly was not). */
function alterLast(key: string): string {
  return `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
}

const run = promisify(execFile);
const CHILD = new URL('../../test/fixtures/bootstrap-child.ts', import.meta.url).pathname;

describe('API key format', () => {
  it('is pb_sk_<env>_ followed by 43 base62 characters', () => {
    const key = generateApiKey('prod');
    assert.match(key, /^pb_sk_prod_[0-9A-Za-z]{43}$/);
    assert.deepEqual(parseApiKey(key), { environmentName: 'prod' });
    assert.notEqual(generateApiKey('prod'), key);
  });

  it('maps random bytes without bias, skipping bytes at or above 248', () => {
    // 248..255 are rejected; 0 → '0', 61 → 'z', 62 → '0' again.
    const bytes = [255, 248, 0, 61, 62, 10, 36];
    const random = (size: number) => Uint8Array.from({ length: size }, (_, i) => bytes[i % bytes.length]!);
    const key = generateApiKey('dev', random);
    assert.equal(key.slice('pb_sk_dev_'.length, 'pb_sk_dev_'.length + 5), '0z0Aa');
  });

  it('shows a short prefix and hashes with SHA-256', () => {
    const key = `pb_sk_dev_${'Ab1'.repeat(14)}X`;
    assert.equal(displayPrefix(key), 'pb_sk_dev_Ab1A');
    assert.equal(hashApiKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('rejects malformed keys', () => {
    for (const bad of [
      '',
      'pb_sk_dev_short',
      `sk_dev_${'a'.repeat(43)}`,
      `pb_sk_DEV_${'a'.repeat(43)}`,
      `pb_sk_dev_${'a'.repeat(42)}!`,
    ]) {
      assert.equal(parseApiKey(bad), null, bad);
    }
  });
});

for (const target of await testDatabases()) {
  describe(`environments service on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });

    it('bootstraps dev and prod with one dev key, once, under concurrent calls', async () => {
      const clock = new ManualClock();
      const service = createEnvironmentsService({ store, clock });
      const [a, b] = await Promise.all([service.ensureBootstrap(), service.ensureBootstrap()]);
      const created = [a, b].filter((result) => result.firstKey !== null);
      assert.equal(created.length, 1);
      const firstKey = created[0]!.firstKey!;
      assert.match(firstKey.secret, /^pb_sk_dev_[0-9A-Za-z]{43}$/);
      assert.equal(firstKey.apiKey.name, 'Default dev key');
      assert.deepEqual(
        a.environments.map((e) => e.name),
        ['dev', 'prod'],
      );
      assert.deepEqual(a.environments, b.environments);

      const again = await createEnvironmentsService({ store, clock }).ensureBootstrap();
      assert.equal(again.firstKey, null);
      const keys = await store.db.selectFrom('api_keys').selectAll().execute();
      assert.equal(keys.length, 1);
      // Only the hash and a short prefix are stored.
      assert.equal(keys[0]!.hash, hashApiKey(firstKey.secret));
      assert.equal(keys[0]!.prefix, firstKey.secret.slice(0, 14));
      assert.equal(JSON.stringify(keys).includes(firstKey.secret), false);
    });

    it('creates exactly one first key when several processes start at once', async () => {
      const fresh = await target.create!();
      try {
        const outputs = await Promise.all(
          [1, 2, 3].map(() =>
            run(process.execPath, [CHILD, fresh.databaseUrl, fresh.dataDir], {
              env: { ...process.env, NODE_NO_WARNINGS: '1' },
            }),
          ),
        );
        const reports = outputs.map(
          (o) => JSON.parse(o.stdout) as { createdKeyId: string | null; environments: string[] },
        );
        const creators = reports.filter((r) => r.createdKeyId !== null);
        assert.equal(creators.length, 1);
        for (const report of reports) assert.deepEqual(report.environments, ['dev', 'prod']);
        const check = await fresh.open();
        const keys = await check.db.selectFrom('api_keys').select('id').execute();
        assert.deepEqual(
          keys.map((k) => k.id),
          [creators[0]!.createdKeyId],
        );
        await check.close();
      } finally {
        await fresh.destroy();
      }
    });

    it('creates, lists, authenticates and revokes keys within one environment', async () => {
      const clock = new ManualClock(Date.UTC(2026, 2, 1));
      const service = createEnvironmentsService({ store, clock });
      const dev = await service.getEnvironmentByName('dev');
      const prod = await service.getEnvironmentByName('prod');
      const created = await service.createKey(prod.id, { name: '  CI deploys ' });
      assert.equal(created.apiKey.name, 'CI deploys');
      assert.equal(created.apiKey.environmentId, prod.id);
      assert.match(created.secret, /^pb_sk_prod_/);
      assert.deepEqual(await service.getKey(prod.id, created.apiKey.id), created.apiKey);

      const auth = await service.authenticate(created.secret);
      assert.deepEqual(auth, { keyId: created.apiKey.id, environment: prod });
      assert.equal(await service.authenticate(alterLast(created.secret)), null);
      assert.equal(await service.authenticate('not a key'), null);

      assert.deepEqual(
        (await service.listKeys(prod.id)).map((k) => k.id),
        [created.apiKey.id],
      );
      assert.ok(!(await service.listKeys(dev.id)).some((k) => k.id === created.apiKey.id));

      // Another environment's key is not found there: not revocable, not readable.
      await assert.rejects(service.revokeKey(dev.id, created.apiKey.id), (e) =>
        isPatchbayError(e, 'not_found'),
      );
      await assert.rejects(service.getKey(dev.id, created.apiKey.id), (e) => isPatchbayError(e, 'not_found'));
      assert.notEqual(await service.authenticate(created.secret), null);

      const revoked = await service.revokeKey(prod.id, created.apiKey.id);
      assert.equal(revoked.revokedAt, clock.now());
      clock.advance(1000);
      assert.equal((await service.revokeKey(prod.id, created.apiKey.id)).revokedAt, revoked.revokedAt);
      assert.equal(await service.authenticate(created.secret), null);
    });

    it('refuses a key at once after another process revoked it (nothing cached)', async () => {
      const clock = new ManualClock(Date.UTC(2026, 2, 2));
      const here = createEnvironmentsService({ store, clock });
      const elsewhere = createEnvironmentsService({ store, clock });
      const prod = await here.getEnvironmentByName('prod');
      const created = await here.createKey(prod.id, { name: 'revoked elsewhere' });
      assert.equal((await here.authenticate(created.secret))?.keyId, created.apiKey.id);
      await elsewhere.revokeKey(prod.id, created.apiKey.id);
      assert.equal(await here.authenticate(created.secret), null);
    });

    it('with authCacheMs, remembers a key briefly: revoked here refused at once, elsewhere once it expires', async () => {
      const clock = new ManualClock(Date.UTC(2026, 2, 3));
      const here = createEnvironmentsService({ store, clock, authCacheMs: 60_000 });
      const elsewhere = createEnvironmentsService({ store, clock });
      const prod = await here.getEnvironmentByName('prod');

      // Revoked by another process: still accepted from the cache, never longer than the cap.
      const remote = await here.createKey(prod.id, { name: 'cached, revoked elsewhere' });
      assert.equal((await here.authenticate(remote.secret))?.keyId, remote.apiKey.id);
      await elsewhere.revokeKey(prod.id, remote.apiKey.id);
      assert.equal((await here.authenticate(remote.secret))?.keyId, remote.apiKey.id);
      clock.advance(MAX_AUTH_CACHE_MS - 1);
      assert.equal((await here.authenticate(remote.secret))?.keyId, remote.apiKey.id);
      clock.advance(1);
      assert.equal(await here.authenticate(remote.secret), null);

      // Revoked through this service: forgotten at once.
      const local = await here.createKey(prod.id, { name: 'cached, revoked here' });
      assert.equal((await here.authenticate(local.secret))?.environment.id, prod.id);
      await here.revokeKey(prod.id, local.apiKey.id);
      assert.equal(await here.authenticate(local.secret), null);

      // A revocation made while an authentication was reading is not undone by its result.
      const raced = await here.createKey(prod.id, { name: 'raced' });
      const reading = here.authenticate(raced.secret);
      await here.revokeKey(prod.id, raced.apiKey.id);
      await reading;
      assert.equal(await here.authenticate(raced.secret), null);
    });

    it('writes last_used_at at most once per minute per key', async () => {
      const clock = new ManualClock(Date.UTC(2026, 3, 1));
      const service = createEnvironmentsService({ store, clock });
      const dev = await service.getEnvironmentByName('dev');
      const { apiKey, secret } = await service.createKey(dev.id, { name: 'throttle' });
      const lastUsed = async () => (await service.getKey(dev.id, apiKey.id)).lastUsedAt;

      assert.equal(await lastUsed(), null);
      await service.authenticate(secret);
      const first = clock.now();
      assert.equal(await lastUsed(), first);

      clock.advance(LAST_USED_RESOLUTION_MS - 1);
      await service.authenticate(secret);
      assert.equal(await lastUsed(), first);

      clock.advance(1);
      await service.authenticate(secret);
      assert.equal(await lastUsed(), first + LAST_USED_RESOLUTION_MS);
    });

    it('reports unknown environments as not_found', async () => {
      const service = createEnvironmentsService({ store, clock: new ManualClock() });
      await assert.rejects(service.getEnvironmentByName('staging'), (e) => isPatchbayError(e, 'not_found'));
      await assert.rejects(service.createKey('env_missing', { name: 'x' }), (e) =>
        isPatchbayError(e, 'not_found'),
      );
    });
  });
}
