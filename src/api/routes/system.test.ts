import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { ManualClock } from '../../clock/index.ts';
import { createEnvironmentsService } from '../../environments/index.ts';
import { createLogger } from '../../logger/index.ts';
import { MIGRATIONS } from '../../store/index.ts';
import { buildApi } from '../build.ts';
import { createMetricsRegistry } from '../core/metrics.ts';
import { API_VERSION } from '../core/openapi.ts';

const MIGRATION_NAMES = MIGRATIONS.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`);

for (const target of await testDatabases()) {
  describe(`system routes on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    before(async () => {
      database = await target.create!();
      api = await createTestApi(database);
    });
    after(async () => {
      await api?.close();
      await database?.destroy();
    });

    it('GET /health answers ok with the version, touching nothing', async () => {
      const response = await api.app.inject({ url: '/health' });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { status: 'ok', version: API_VERSION });
    });

    it('GET /ready answers 503 not_ready while migrations are pending, 200 after migrate', async () => {
      const fresh = await target.create!();
      const store = await fresh.open();
      const clock = new ManualClock();
      const app = await buildApi({
        config: { bodyLimit: 1024, apiRateLimit: 10 },
        store,
        logger: createLogger({ level: 'silent' }),
        metrics: createMetricsRegistry(),
        environments: createEnvironmentsService({ store, clock }),
        clock,
      });
      try {
        const pending = await app.inject({ url: '/ready' });
        assert.equal(pending.statusCode, 503);
        const error = pending.json().error;
        assert.equal(error.code, 'not_ready');
        assert.equal(
          error.message,
          `Not ready: migrations: ${MIGRATION_NAMES.length} migration(s) pending: run \`patchbay migrate\``,
        );
        assert.deepEqual(error.details, {
          checks: [
            { name: 'database', status: 'ok' },
            {
              name: 'migrations',
              status: 'failed',
              message: `${MIGRATION_NAMES.length} migration(s) pending: run \`patchbay migrate\``,
              details: { pending: MIGRATION_NAMES },
            },
          ],
        });

        await store.migrate();
        const ready = await app.inject({ url: '/ready' });
        assert.equal(ready.statusCode, 200);
        assert.deepEqual(ready.json(), { status: 'ready', checks: ['database', 'migrations'] });
      } finally {
        await app.close();
        await store.close();
        await fresh.destroy();
      }
    });

    it('GET /ready reports an unreachable database and skips what depends on it', async () => {
      const app = await buildApi({
        config: { bodyLimit: 1024, apiRateLimit: 10 },
        store: {
          ping: async () => {
            throw new Error('connection refused to 10.0.0.5 with password hunter2');
          },
          pendingMigrations: async () => [],
        },
        logger: createLogger({ level: 'silent' }),
        metrics: createMetricsRegistry(),
        environments: api.environments,
        clock: api.clock,
        readinessChecks: [{ name: 'queue', check: async () => null }],
      });
      try {
        const response = await app.inject({ url: '/ready' });
        assert.equal(response.statusCode, 503);
        assert.deepEqual(response.json().error.details, {
          checks: [
            { name: 'database', status: 'failed', message: 'the database is not reachable' },
            { name: 'migrations', status: 'skipped' },
            { name: 'queue', status: 'skipped' },
          ],
        });
        assert.equal(response.body.includes('hunter2'), false);
      } finally {
        await app.close();
      }
    });

    it('GET /ready runs the extra readiness checks it is given', async () => {
      const app = await buildApi({
        config: { bodyLimit: 1024, apiRateLimit: 10 },
        store: api.store,
        logger: createLogger({ level: 'silent' }),
        metrics: createMetricsRegistry(),
        environments: api.environments,
        clock: api.clock,
        readinessChecks: [{ name: 'vault', check: async () => ({ message: 'no encryption key' }) }],
      });
      try {
        const response = await app.inject({ url: '/ready' });
        assert.equal(response.statusCode, 503);
        assert.equal(response.json().error.message, 'Not ready: vault: no encryption key');
      } finally {
        await app.close();
      }
    });

    it('GET /metrics exposes process metrics and request counts by route and status', async () => {
      await api.app.inject({ url: '/v1/environment', headers: api.devAuth });
      await api.app.inject({ url: '/v1/environment' });
      await api.app.inject({ url: '/no/such/route/42' });
      const response = await api.app.inject({ url: '/metrics' });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const text = response.body;
      assert.match(text, /^process_cpu_user_seconds_total \d/m);
      assert.match(text, /^nodejs_eventloop_lag_seconds /m);
      assert.match(
        text,
        /^patchbay_http_requests_total\{method="GET",route="\/v1\/environment",status="200"\} 1$/m,
      );
      assert.match(
        text,
        /^patchbay_http_requests_total\{method="GET",route="\/v1\/environment",status="401"\} 1$/m,
      );
      // Unknown paths share one label, so scanners cannot blow up the series count.
      assert.match(text, /^patchbay_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
      assert.match(
        text,
        /^patchbay_http_request_duration_seconds_count\{method="GET",route="\/v1\/environment",status="200"\} 1$/m,
      );
    });

    it('GET /openapi.json is a valid OpenAPI 3.1 document of every route, with bearer auth and the error schema', async () => {
      const response = await api.app.inject({ url: '/openapi.json' });
      assert.equal(response.statusCode, 200);
      const document = response.json();
      const validator = new Validator();
      const result = await validator.validate(document);
      assert.equal(result.valid, true, JSON.stringify(result.errors));
      assert.equal(validator.version, '3.1');
      assert.equal(document.openapi, '3.1.0');

      assert.deepEqual(Object.keys(document.paths).sort(), [
        '/health',
        '/ready',
        '/v1/api-keys',
        '/v1/api-keys/{id}',
        '/v1/environment',
      ]);
      const operations = Object.values(document.paths).flatMap((item) =>
        Object.values(item as Record<string, { operationId: string }>).map((op) => op.operationId),
      );
      assert.deepEqual(operations.sort(), [
        'createApiKey',
        'getEnvironment',
        'getHealth',
        'getReadiness',
        'listApiKeys',
        'revokeApiKey',
      ]);
      assert.deepEqual(document.components.securitySchemes.bearerAuth, {
        type: 'http',
        scheme: 'bearer',
        description: 'A secret API key of an environment, `pb_sk_<environment>_…`.',
      });
      assert.deepEqual(Object.keys(document.components.schemas).sort(), [
        'ApiKey',
        'CreatedApiKey',
        'Environment',
        'Error',
      ]);
      assert.deepEqual(document.components.schemas.Error.required, ['error']);

      const revoke = document.paths['/v1/api-keys/{id}'].delete;
      assert.deepEqual(revoke.security, [{ bearerAuth: [] }]);
      assert.deepEqual(Object.keys(revoke.responses).sort(), [
        '200',
        '400',
        '401',
        '403',
        '404',
        '429',
        '500',
      ]);
      // A dashboard session's write without its CSRF token; API-key calls never get it.
      assert.equal(revoke.responses['403'].description, 'Error: `csrf_token_invalid`');
      assert.equal(
        revoke.responses['404'].content['application/json'].schema.$ref,
        '#/components/schemas/Error',
      );
      assert.equal(revoke.responses['400'].description, 'Error: `invalid_id`');
      assert.deepEqual(document.paths['/health'].get.security, []);
      const create = document.paths['/v1/api-keys'].post;
      assert.equal(create.requestBody.content['application/json'].schema.properties.name.maxLength, 100);
      assert.equal(
        create.responses['201'].content['application/json'].schema.$ref,
        '#/components/schemas/CreatedApiKey',
      );
    });
  });
}
