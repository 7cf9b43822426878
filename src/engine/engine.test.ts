import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { createLogger, createMemoryDestination } from '../logger/index.ts';
import { MIGRATIONS } from '../store/index.ts';
import { generateKeyString } from '../vault/index.ts';
import { createPatchbay, type Patchbay } from './index.ts';
import { engineSchedules } from './jobs.ts';

for (const target of await testDatabases()) {
  describe(`createPatchbay (library mode) on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    const encryptionKeys = generateKeyString();
    before(async () => {
      database = await target.create!();
    });
    after(() => database?.destroy());

    function engine(
      role: 'all' | 'api' | 'worker' = 'all',
      logs = createMemoryDestination(),
    ): Promise<Patchbay> {
      return createPatchbay({
        env: {},
        config: {
          dataDir: database.dataDir,
          databaseUrl: database.databaseUrl,
          encryptionKeys,
          port: 0,
          role,
          shutdownTimeoutMs: 2_000,
        },
        logger: createLogger({ level: 'info', destination: logs }),
      });
    }

    it('starts, serves its API, runs its jobs and stops; a second start finds the same data', async () => {
      const logs = createMemoryDestination();
      const first = await engine('all', logs);
      const report = await first.start();
      try {
        assert.ok(report.url?.startsWith('http://127.0.0.1:'));
        assert.ok(report.firstApiKey?.startsWith('pb_sk_dev_'));
        assert.deepEqual(
          report.migrationsApplied,
          MIGRATIONS.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`),
        );
        assert.equal(report.generatedKeyFile, null, 'keys came from the config');
        const response = await fetch(`${report.url}/v1/environment`, {
          headers: { authorization: `Bearer ${report.firstApiKey}` },
        });
        assert.equal(response.status, 200);

        // The engine's own cron schedules are declared, and its worker runs engine jobs.
        const schedules = await first.services.queue.listSchedules();
        assert.deepEqual(schedules.map((s) => s.name).sort(), engineSchedules.map((s) => s.name).sort());
        const job = await first.services.jobs.enqueue('maintenance.purge-dead-jobs', { retentionDays: 14 });
        await waitFor(async () => (await first.services.queue.get(job.id)) === undefined);
      } finally {
        await first.stop();
      }
      assert.ok(!logs.text().includes(report.firstApiKey!), 'the key is never logged');

      const second = await engine();
      const again = await second.start();
      try {
        assert.equal(again.firstApiKey, null);
        assert.deepEqual(again.migrationsApplied, []);
        const keys = await second.services.environments.listKeys(
          (await second.services.environments.getEnvironmentByName('dev')).id,
        );
        assert.equal(keys.length, 1);
      } finally {
        await second.stop();
        await second.stop(); // idempotent
      }
    });

    it('runs only its role: a worker serves no HTTP, an API process runs no jobs', async () => {
      const worker = await engine('worker');
      assert.equal(worker.api, null);
      assert.equal((await worker.start()).url, null);
      await worker.stop();
      const api = await engine('api');
      const report = await api.start();
      try {
        assert.ok(report.url);
        const job = await api.services.jobs.enqueue('maintenance.purge-dead-jobs', { retentionDays: 1 });
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal((await api.services.queue.get(job.id))?.state, 'queued', 'no worker in an api process');
      } finally {
        await api.stop();
      }
    });
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
