import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { z } from 'zod';
import { createTestApi, type TestApi } from '../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { defineOperation } from './contract/index.ts';
import { type RouteModule, route } from './core/routes.ts';

// Routes that exist only in this test, to reach the error paths no real route reaches yet.
const failing = defineOperation({
  id: 'testFailing',
  method: 'GET',
  path: '/v1/test/failing',
  summary: 'throws an unexpected error',
  tag: 'Test',
  auth: 'apiKey',
  status: 200,
  response: z.object({ ok: z.boolean() }),
  errors: [],
});
const badResponse = defineOperation({
  id: 'testBadResponse',
  method: 'GET',
  path: '/v1/test/bad-response',
  summary: 'returns a body that does not match its schema',
  tag: 'Test',
  auth: 'apiKey',
  status: 200,
  response: z.object({ ok: z.boolean() }),
  errors: [],
});
const search = defineOperation({
  id: 'testSearch',
  method: 'GET',
  path: '/v1/test/search',
  summary: 'validates a query',
  tag: 'Test',
  auth: 'apiKey',
  query: z.object({ limit: z.coerce.number().int().min(1).max(100) }),
  status: 200,
  response: z.object({ limit: z.number() }),
  errors: [],
});
const testRoutes: RouteModule = {
  name: 'test',
  routes: [
    route(failing, () => {
      throw new Error('database exploded at /var/lib/secret-path');
    }),
    route(badResponse, () => ({ ok: 'yes' }) as unknown as { ok: boolean }),
    route(search, ({ query }) => ({ limit: query.limit })),
  ],
};

for (const target of await testDatabases()) {
  describe(`API error model on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    before(async () => {
      database = await target.create!();
      api = await createTestApi(database, { routes: [testRoutes], config: { bodyLimit: 1024 } });
    });
    after(async () => {
      await api?.close();
      await database?.destroy();
    });

    async function expectError(
      request: InjectOptions,
      status: number,
      code: string,
    ): Promise<{ code: string; message: string; details?: unknown; requestId: string }> {
      const response = await api.app.inject(request);
      assert.equal(response.statusCode, status, response.body);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      const body = response.json() as {
        error: { code: string; message: string; details?: unknown; requestId: string };
      };
      assert.equal(body.error.code, code);
      assert.equal(typeof body.error.message, 'string');
      assert.equal(body.error.requestId, response.headers['x-request-id']);
      assert.deepEqual(Object.keys(body), ['error']);
      return body.error;
    }

    it('answers malformed JSON with 400 invalid_json', async () => {
      const error = await expectError(
        {
          method: 'POST',
          url: '/v1/api-keys',
          headers: { ...api.devAuth, 'content-type': 'application/json' },
          payload: '{"name": ',
        },
        400,
        'invalid_json',
      );
      assert.equal(error.message, 'The request body is not valid JSON.');
    });

    it('refuses prototype poisoning as invalid JSON', async () => {
      await expectError(
        {
          method: 'POST',
          url: '/v1/api-keys',
          headers: { ...api.devAuth, 'content-type': 'application/json' },
          payload: '{"name":"x","__proto__":{"admin":true}}',
        },
        400,
        'invalid_json',
      );
    });

    it('refuses a body nested deeper than 64 levels with 400 json_too_deep, before it is parsed', async () => {
      const body = (levels: number) =>
        `{"name":"x","extra":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
      const request = (payload: string) => ({
        method: 'POST' as const,
        url: '/v1/api-keys',
        headers: { ...api.devAuth, 'content-type': 'application/json' },
        payload,
      });
      const error = await expectError(request(body(65)), 400, 'json_too_deep');
      assert.deepEqual(error.details, { maxDepth: 64 });
      assert.match(error.message, /^The request body nests objects and arrays deeper than 64 levels/);
      // Not even valid JSON: what the text opens is refused first.
      await expectError(request(`{"name":${'['.repeat(900)}`), 400, 'json_too_deep');
      // 64 levels pass the parser and reach validation (`extra` is not a field).
      await expectError(request(body(64)), 400, 'validation_failed');
    });

    it('answers a body that is not JSON with 415 unsupported_media_type', async () => {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        await expectError(
          {
            method: 'POST',
            url: '/v1/api-keys',
            headers: { ...api.devAuth, 'content-type': contentType },
            payload: 'name=x',
          },
          415,
          'unsupported_media_type',
        );
      }
    });

    it('answers a body over the limit with 413 payload_too_large', async () => {
      await expectError(
        { method: 'POST', url: '/v1/api-keys', headers: api.devAuth, payload: { name: 'x'.repeat(2000) } },
        413,
        'payload_too_large',
      );
    });

    it('answers an unknown route with 404 route_not_found', async () => {
      const error = await expectError({ method: 'GET', url: '/v1/nothing-here?x=1' }, 404, 'route_not_found');
      assert.equal(error.message, 'No route GET /v1/nothing-here; see /openapi.json');
      await expectError(
        { method: 'PUT', url: '/v1/environment', headers: api.devAuth },
        404,
        'route_not_found',
      );
    });

    it('answers an unknown id with 404 not_found and a malformed id with 400 invalid_id', async () => {
      const missing = 'key_01jz8x7y6w5v4t3s2r1q0p9n8m';
      const notFound = await expectError(
        { method: 'DELETE', url: `/v1/api-keys/${missing}`, headers: api.devAuth },
        404,
        'not_found',
      );
      assert.deepEqual(notFound.details, { id: missing });
      for (const bad of [
        'nope',
        'conn_01jz8x7y6w5v4t3s2r1q0p9n8m',
        'key_01JZ8X7Y6W5V4T3S2R1Q0P9N8',
        'key_%20',
      ]) {
        const invalid = await expectError(
          { method: 'DELETE', url: `/v1/api-keys/${bad}`, headers: api.devAuth },
          400,
          'invalid_id',
        );
        assert.deepEqual(invalid.details, { expected: 'key_' });
      }
    });

    it('answers validation failures with 400 validation_failed listing each field path', async () => {
      const error = await expectError(
        { method: 'POST', url: '/v1/api-keys', headers: api.devAuth, payload: { name: '', color: 'red' } },
        400,
        'validation_failed',
      );
      assert.deepEqual(
        (error.details as { issues: Array<{ in: string; path: string; code: string }> }).issues.map(
          ({ in: where, path, code }) => ({ in: where, path, code }),
        ),
        [
          { in: 'body', path: 'name', code: 'too_small' },
          { in: 'body', path: 'color', code: 'unrecognized_keys' },
        ],
      );
      assert.match(error.message, /^Invalid request body: name: /);

      const missing = await expectError(
        {
          method: 'POST',
          url: '/v1/api-keys',
          headers: { ...api.devAuth, 'content-type': 'application/json' },
        },
        400,
        'validation_failed',
      );
      assert.equal((missing.details as { issues: Array<{ path: string }> }).issues[0]?.path, '');

      const query = await expectError(
        { method: 'GET', url: '/v1/test/search?limit=500', headers: api.devAuth },
        400,
        'validation_failed',
      );
      assert.deepEqual(
        (query.details as { issues: Array<{ in: string; path: string }> }).issues.map((i) => [i.in, i.path]),
        [['querystring', 'limit']],
      );
      assert.match(query.message, /^Invalid query parameters: limit: /);
      const ok = await api.app.inject({
        method: 'GET',
        url: '/v1/test/search?limit=5',
        headers: api.devAuth,
      });
      assert.deepEqual(ok.json(), { limit: 5 });
    });

    it('answers a malformed URL with 400 invalid_request', async () => {
      await expectError(
        { method: 'GET', url: '/v1/api-keys/%E0%A4%A', headers: api.devAuth },
        400,
        'invalid_request',
      );
    });

    it('answers unexpected errors with a generic 500 internal_error and logs the cause', async () => {
      const error = await expectError(
        {
          method: 'GET',
          url: '/v1/test/failing',
          headers: { ...api.devAuth, 'x-request-id': 'support-ticket-42' },
        },
        500,
        'internal_error',
      );
      assert.equal(error.requestId, 'support-ticket-42');
      assert.equal(
        error.message,
        'An unexpected error occurred. It has been logged; quote request id support-ticket-42 when reporting it.',
      );
      assert.equal(JSON.stringify(error).includes('exploded'), false);
      const logged = api.logs
        .entries()
        .find((e) => e.msg === 'request failed' && e.requestId === 'support-ticket-42');
      assert.ok(logged);
      const err = logged.err as { message: string; stack: string };
      assert.equal(err.message, 'database exploded at /var/lib/secret-path');
      assert.match(err.stack, /errors\.test\.ts/);

      // A response that breaks its own schema is the server's fault too, never sent half-valid.
      await expectError(
        { method: 'GET', url: '/v1/test/bad-response', headers: api.devAuth },
        500,
        'internal_error',
      );
    });

    it('echoes a plain x-request-id and replaces anything else', async () => {
      const echoed = await api.app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } });
      assert.equal(echoed.headers['x-request-id'], 'abc-123');
      const replaced = await api.app.inject({
        url: '/health',
        headers: { 'x-request-id': 'bad id\twith spaces' },
      });
      assert.match(String(replaced.headers['x-request-id']), /^req_[0-9a-z]{26}$/);
      const generated = await api.app.inject({ url: '/health' });
      assert.match(String(generated.headers['x-request-id']), /^req_[0-9a-z]{26}$/);
    });
  });
}
