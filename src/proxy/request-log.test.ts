// biome-ignore-all lint/suspicious/noTemplateCurlyInString: provider definitions are written with ${placeholders}
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { createEnvironmentsService } from '../environments/index.ts';
import { createLogger } from '../logger/index.ts';
import { createOutboundHttp } from '../net/index.ts';
import type { Store } from '../store/index.ts';
import { createProviderCaller } from './caller.ts';
import { definitionFor, startUpstream, targetFor, type Upstream } from './fixtures/upstream.ts';
import { createRequestLog } from './request-log.ts';

for (const database of await testDatabases()) {
  describe(`request log (${database.name})`, { skip: database.skip ?? false }, () => {
    let store: Store;
    let environmentId: string;
    let upstream: Upstream;
    const http = createOutboundHttp({ allow: ['loopback'] });
    let destroy: () => Promise<void> = async () => {};

    before(async () => {
      const db = await database.create!();
      destroy = () => db.destroy();
      store = await db.open();
      await store.migrate();
      const environments = createEnvironmentsService({ store, clock: new ManualClock() });
      await environments.ensureBootstrap();
      environmentId = (await environments.getEnvironmentByName('dev')).id;
      upstream = await startUpstream();
    });
    after(async () => {
      await upstream.close();
      await http.close();
      await store.close();
      await destroy();
    });

    it('writes one row per attempt, in batches, without query strings or secrets', async () => {
      const clock = new ManualClock();
      // A long flush interval: rows reach the database through close(), in one batch.
      const requestLog = createRequestLog(store, { clock, flushMs: 60_000 });
      const caller = createProviderCaller({
        http,
        clock,
        logger: createLogger({ level: 'silent' }),
        requestLog,
        defaultTimeoutMs: 5_000,
        sleep: async (ms) => clock.advance(ms),
      });
      let calls = 0;
      upstream.handle((_request, response) => {
        calls += 1;
        response.writeHead(calls === 1 ? 503 : 200).end();
      });
      const definition = definitionFor(upstream.origin, {
        proxy: { baseUrl: `${upstream.origin}/api`, query: { api_key: '${apiKey}' } },
      });
      const target = { ...targetFor(definition), environmentId };
      const response = await caller.call(target, {
        method: 'GET',
        path: '/v1/customers?email=someone@example.com',
        query: { token: 'query-secret' },
      });
      await response.body.cancel();
      const before = await store.db.selectFrom('request_logs').selectAll().execute();
      assert.equal(before.length, 0, 'rows are buffered, not written one by one');
      await requestLog.close();

      const rows = await store.db
        .selectFrom('request_logs')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .orderBy('attempt')
        .execute();
      assert.deepEqual(
        rows.map((row) => [row.attempt, row.status, row.method, row.path, row.error_code]),
        [
          [1, 503, 'GET', '/api/v1/customers', null],
          [2, 200, 'GET', '/api/v1/customers', null],
        ],
      );
      assert.equal(rows[0]!.host, new URL(upstream.origin).host);
      assert.equal(rows[0]!.connection_id, target.connectionId);
      assert.equal(rows[0]!.integration_id, target.integration.id);
      const text = JSON.stringify(rows);
      for (const secret of ['sk_test_secret_key_1', 'query-secret', 'someone@example.com']) {
        assert.equal(text.includes(secret), false, secret);
      }
    });

    it('flushes on its own when the interval passes or the batch is full', async () => {
      const clock = new ManualClock();
      const requestLog = createRequestLog(store, { clock, flushMs: 10, maxBatch: 3 });
      const entry = {
        environmentId,
        connectionId: null,
        integrationId: 'int_01jd0000000000000000000000',
        method: 'POST',
        host: 'api.example.com',
        path: '/batch',
        status: 201,
        durationMs: 12.4,
        attempt: 1,
        errorCode: null,
      };
      for (let i = 0; i < 4; i += 1) requestLog.record(entry);
      await requestLog.flush();
      const count = async () =>
        (await store.db.selectFrom('request_logs').selectAll().where('path', '=', '/batch').execute()).length;
      assert.equal(await count(), 4);
      // One row below the batch size: the timer writes it, without flush() or close().
      requestLog.record(entry);
      for (let tries = 0; tries < 200 && (await count()) < 5; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(await count(), 5);
      await requestLog.close();
    });

    it('writes a batch of any size whole, each value in its own column', async () => {
      const clock = new ManualClock();
      const requestLog = createRequestLog(store, { clock, flushMs: 60_000, maxBatch: 200 });
      // 87 rows: written as chunks of 64, 16, 4, 1, 1 and 1 rows.
      for (let i = 0; i < 87; i += 1) {
        requestLog.record({
          environmentId,
          connectionId: i % 2 === 0 ? null : `conn_${i}`,
          integrationId: `int_${i}`,
          method: i % 3 === 0 ? 'GET' : 'PUT',
          host: `h${i}.example.com`,
          path: `/chunk/${i}?q=secret`,
          status: i % 5 === 0 ? null : 200 + i,
          durationMs: i + 0.4,
          attempt: (i % 3) + 1,
          errorCode: i % 5 === 0 ? 'provider_timeout' : null,
        });
      }
      await requestLog.close();
      const rows = await store.db
        .selectFrom('request_logs')
        .selectAll()
        .where('path', 'like', '/chunk/%')
        .execute();
      assert.equal(rows.length, 87);
      assert.equal(new Set(rows.map((row) => row.id)).size, 87);
      for (const row of rows) {
        const i = Number(row.path.slice('/chunk/'.length));
        assert.deepEqual(
          [
            row.environment_id,
            row.connection_id,
            row.integration_id,
            row.method,
            row.host,
            row.status,
            row.duration_ms,
            row.attempt,
            row.error_code,
            Number(row.created_at),
          ],
          [
            environmentId,
            i % 2 === 0 ? null : `conn_${i}`,
            `int_${i}`,
            i % 3 === 0 ? 'GET' : 'PUT',
            `h${i}.example.com`,
            i % 5 === 0 ? null : 200 + i,
            i,
            (i % 3) + 1,
            i % 5 === 0 ? 'provider_timeout' : null,
            clock.now(),
          ],
        );
      }
    });
  });
}
