import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createTestApi, type TestApi } from '../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { authOf } from './core/request-auth.ts';
import type { RouteModule } from './core/routes.ts';

/** The same key with its last character changed (to one it certainly was not). */
function alterLast(key: string): string {
  return `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
}

// Routes outside the contract (raw-body webhooks, static files) are authenticated by default too.
const rawRoutes: RouteModule = {
  name: 'raw',
  register(app) {
    app.get('/v1/test/raw', async (request) => ({ environment: authOf(request)?.environment.name ?? null }));
    app.get('/test/public', { config: { auth: 'none' } }, async (request) => ({ auth: authOf(request) }));
  },
};

for (const target of await testDatabases()) {
  describe(`API authentication and rate limits on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    before(async () => {
      database = await target.create!();
      api = await createTestApi(database, { routes: [rawRoutes] });
    });
    after(async () => {
      await api?.close();
      await database?.destroy();
    });

    async function code(headers: Record<string, string>): Promise<[number, string, unknown]> {
      const response = await api.app.inject({ url: '/v1/environment', headers });
      return [response.statusCode, response.json().error?.code, response.headers['www-authenticate']];
    }

    it('answers a missing or malformed Authorization header with 401 unauthorized', async () => {
      assert.deepEqual(await code({}), [401, 'unauthorized', 'Bearer']);
      assert.deepEqual(await code({ authorization: 'Basic dXNlcjpwYXNz' }), [401, 'unauthorized', 'Bearer']);
      assert.deepEqual(await code({ authorization: 'Bearer' }), [401, 'unauthorized', 'Bearer']);
    });

    it('answers an unknown, malformed or revoked key with 401 invalid_api_key', async () => {
      const invalid = [401, 'invalid_api_key', 'Bearer error="invalid_token"'];
      const secret = api.devAuth.authorization.slice('Bearer '.length);
      assert.deepEqual(await code({ authorization: 'Bearer pb_sk_dev_nope' }), invalid);
      assert.deepEqual(await code({ authorization: `Bearer ${alterLast(secret)}` }), invalid);
      assert.deepEqual(await code({ authorization: `Bearer ${secret.replace('_dev_', '_prod_')}` }), invalid);

      const { secret: doomed, apiKey } = await api.environments.createKey(api.dev.id, { name: 'doomed' });
      assert.deepEqual(await code({ authorization: `Bearer ${doomed}` }), [200, undefined, undefined]);
      await api.environments.revokeKey(api.dev.id, apiKey.id);
      assert.deepEqual(await code({ authorization: `Bearer ${doomed}` }), invalid);
    });

    it('accepts the bearer scheme in any case', async () => {
      const secret = api.devAuth.authorization.slice('Bearer '.length);
      assert.deepEqual(await code({ authorization: `bearer ${secret}` }), [200, undefined, undefined]);
    });

    it('authenticates routes registered outside the contract unless they opt out', async () => {
      const refused = await api.app.inject({ url: '/v1/test/raw' });
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.json().error.code, 'unauthorized');
      const allowed = await api.app.inject({ url: '/v1/test/raw', headers: api.prodAuth });
      assert.deepEqual(allowed.json(), { environment: 'prod' });
      const open = await api.app.inject({ url: '/test/public' });
      assert.deepEqual(open.json(), { auth: null });
    });

    it('leaves health, readiness, metrics and the OpenAPI document public', async () => {
      for (const url of ['/health', '/ready', '/metrics', '/openapi.json']) {
        assert.equal((await api.app.inject({ url })).statusCode, 200, url);
      }
    });

    it('answers GET /v1/environment with the key’s own environment', async () => {
      const dev = await api.app.inject({ url: '/v1/environment', headers: api.devAuth });
      assert.deepEqual(dev.json(), {
        id: api.dev.id,
        name: 'dev',
        createdAt: new Date(api.dev.createdAt).toISOString(),
      });
      const prod = await api.app.inject({ url: '/v1/environment', headers: api.prodAuth });
      assert.equal(prod.json().id, api.prod.id);
      assert.equal(prod.json().name, 'prod');
    });
  });

  describe(`API rate limits on ${target.name}`, { skip: target.skip }, () => {
    let database: TestDatabase;
    let api: TestApi;
    before(async () => {
      database = await target.create!();
    });
    after(async () => {
      await database?.destroy();
    });

    it('answers over the per-key limit with 429 rate_limited, Retry-After and RateLimit headers', async () => {
      api = await createTestApi(database, { config: { apiRateLimit: 3 } });
      try {
        const statuses: number[] = [];
        let last: Awaited<ReturnType<TestApi['app']['inject']>> | undefined;
        for (let i = 0; i < 4; i++) {
          last = await api.app.inject({ url: '/v1/api-keys', headers: api.devAuth });
          statuses.push(last.statusCode);
          if (i < 3) {
            assert.equal(last.headers['ratelimit-limit'], '3');
            assert.equal(last.headers['ratelimit-remaining'], String(2 - i));
          }
        }
        assert.deepEqual(statuses, [200, 200, 200, 429]);
        assert.equal(last?.json().error.code, 'rate_limited');
        assert.deepEqual(Object.keys(last?.json().error.details), ['limit', 'retryAfterSeconds']);
        const retryAfter = Number(last?.headers['retry-after']);
        assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
        assert.equal(last?.headers['ratelimit-remaining'], '0');
        assert.equal(last?.headers['ratelimit-reset'], String(retryAfter));

        // The limit is per key: the prod key still has its own budget.
        const other = await api.app.inject({ url: '/v1/api-keys', headers: api.prodAuth });
        assert.equal(other.statusCode, 200);
        // Public routes are not limited.
        assert.equal((await api.app.inject({ url: '/health' })).statusCode, 200);
      } finally {
        await api.close();
      }
    });

    it('uses the limiter it is given, and lets requests through when that limiter fails', async () => {
      const shared = new RateLimiterMemory({ points: 1, duration: 60 });
      api = await createTestApi(database, { rateLimiter: shared, config: { apiRateLimit: 1000 } });
      try {
        assert.equal(
          (await api.app.inject({ url: '/v1/environment', headers: api.devAuth })).statusCode,
          200,
        );
        assert.equal(
          (await api.app.inject({ url: '/v1/environment', headers: api.devAuth })).statusCode,
          429,
        );
      } finally {
        await api.close();
      }

      const broken = new RateLimiterMemory({ points: 1, duration: 60 });
      broken.consume = async () => {
        throw new Error('limiter store unreachable');
      };
      api = await createTestApi(database, { rateLimiter: broken });
      try {
        const response = await api.app.inject({ url: '/v1/environment', headers: api.devAuth });
        assert.equal(response.statusCode, 200);
        const warning = api.logs.entries().find((e) => e.msg === 'rate limiter unavailable; request allowed');
        assert.ok(warning);
        assert.equal(warning.level, 'warn');
        assert.equal((warning.err as { message: string }).message, 'limiter store unreachable');
      } finally {
        await api.close();
      }
    });
  });
}
