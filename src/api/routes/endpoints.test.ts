import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { ManualClock } from '../../clock/index.ts';
import { createEndpointsService } from '../../outbound/endpoints.ts';
import type { EndpointsService } from '../../outbound/types.ts';
import type { Store } from '../../store/index.ts';
import { createVault, generateKeyString, parseKeyring } from '../../vault/index.ts';
import { endpointRoutes } from './endpoints.ts';

const GIVEN_SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const HEADER_TOKEN = 'Bearer receiver-token-5f1c9a';

for (const target of await testDatabases()) {
  describe(`/v1/endpoints on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    let api: TestApi;
    let endpoints: EndpointsService;
    const clock = new ManualClock();
    /** Every secret an answer handed out, and the bodies of answers that must not carry one. */
    const secrets = new Set<string>([GIVEN_SECRET]);
    const secretFreeBodies: string[] = [];

    /** A request whose answer must not contain a secret. */
    async function request(options: InjectOptions): Promise<LightMyRequestResponse> {
      const response = await api.app.inject(options);
      secretFreeBodies.push(response.body);
      return response;
    }

    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
      endpoints = createEndpointsService({
        store,
        vault: createVault(parseKeyring(generateKeyString())),
        clock,
      });
      api = await createTestApi(database, { clock, routes: [endpointRoutes(endpoints)] });
    });
    after(async () => {
      for (const body of secretFreeBodies) {
        for (const secret of secrets) {
          assert.equal(body.includes(secret), false);
          assert.equal(body.includes(secret.slice('whsec_'.length)), false);
        }
        assert.equal(body.includes(HEADER_TOKEN), false);
      }
      const logs = api?.logs.text() ?? '';
      for (const secret of secrets) assert.equal(logs.includes(secret.slice('whsec_'.length)), false);
      assert.equal(logs.includes(HEADER_TOKEN), false);
      await api?.close();
      await store?.close();
      await database?.destroy();
    });

    it('creates an endpoint, returning its secret once, and never again outside the secret routes', async () => {
      const auth = api.devAuth;
      const created = await api.app.inject({
        method: 'POST',
        url: '/v1/endpoints',
        headers: auth,
        payload: {
          url: 'https://app.example.com/webhooks',
          description: 'Main receiver',
          eventTypes: ['connection.*'],
          channels: ['user_42'],
          headers: { Authorization: HEADER_TOKEN, 'X-Tenant': 'acme' },
          rateLimitPerSecond: 20,
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.headers['cache-control'], 'no-store');
      const { secret, ...endpoint } = created.json();
      secrets.add(secret);
      assert.match(secret, /^whsec_/);
      assert.equal(created.body.includes(HEADER_TOKEN), false);
      const now = new Date(clock.now()).toISOString();
      assert.deepEqual(endpoint, {
        id: endpoint.id,
        environmentId: api.dev.id,
        url: 'https://app.example.com/webhooks',
        description: 'Main receiver',
        eventTypes: ['connection.*'],
        channels: ['user_42'],
        headers: { 'x-tenant': 'acme' },
        sensitiveHeaders: ['authorization'],
        rateLimitPerSecond: 20,
        maxConcurrency: 10,
        enabled: true,
        disabledReason: null,
        failingSince: null,
        lastSuccessAt: null,
        createdAt: now,
        updatedAt: now,
      });
      // Delivery still gets the credential header.
      assert.equal((await endpoints.target(api.dev.id, endpoint.id)).headers.authorization, HEADER_TOKEN);

      const got = await request({ url: `/v1/endpoints/${endpoint.id}`, headers: auth });
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json(), endpoint);
      assert.equal(got.headers['cache-control'], undefined);
      const list = await request({ url: '/v1/endpoints', headers: auth });
      assert.deepEqual(list.json(), { data: [endpoint], nextAfter: null });

      const read = await api.app.inject({ url: `/v1/endpoints/${endpoint.id}/secret`, headers: auth });
      assert.equal(read.statusCode, 200);
      assert.equal(read.headers['cache-control'], 'no-store');
      assert.deepEqual(read.json(), { secret });
    });

    it('pages, updates, rotates and deletes', async () => {
      const auth = api.prodAuth;
      const ids: string[] = [];
      for (const name of ['a', 'b', 'c']) {
        const response = await api.app.inject({
          method: 'POST',
          url: '/v1/endpoints',
          headers: auth,
          payload: { url: `https://${name}.example.com/`, ...(name === 'c' ? { secret: GIVEN_SECRET } : {}) },
        });
        assert.equal(response.statusCode, 201, response.body);
        secrets.add(response.json().secret);
        ids.push(response.json().id);
      }
      const page1 = await request({ url: '/v1/endpoints?limit=2', headers: auth });
      assert.deepEqual(
        page1.json().data.map((e: { id: string }) => e.id),
        ids.slice(0, 2),
      );
      assert.equal(page1.json().nextAfter, ids[1]);
      const page2 = await request({ url: `/v1/endpoints?limit=2&after=${ids[1]}`, headers: auth });
      assert.deepEqual(
        page2.json().data.map((e: { id: string }) => e.id),
        [ids[2]],
      );
      assert.equal(page2.json().nextAfter, null);

      clock.advance(5000);
      const updated = await request({
        method: 'PATCH',
        url: `/v1/endpoints/${ids[0]}`,
        headers: auth,
        payload: { enabled: false, eventTypes: ['sync.failed'], maxConcurrency: 1, description: null },
      });
      assert.equal(updated.statusCode, 200, updated.body);
      assert.deepEqual(
        [
          updated.json().enabled,
          updated.json().disabledReason,
          updated.json().eventTypes,
          updated.json().maxConcurrency,
        ],
        [false, 'manual', ['sync.failed'], 1],
      );
      assert.equal(updated.json().updatedAt, new Date(clock.now()).toISOString());

      const secretC = GIVEN_SECRET;
      const rotated = await api.app.inject({
        method: 'POST',
        url: `/v1/endpoints/${ids[2]}/secret/rotate`,
        headers: auth,
        payload: { graceSeconds: 3600 },
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      assert.equal(rotated.headers['cache-control'], 'no-store');
      const newSecret = rotated.json().secret;
      secrets.add(newSecret);
      assert.notEqual(newSecret, secretC);
      assert.deepEqual((await endpoints.target(api.prod.id, ids[2]!)).secrets, [newSecret, secretC]);
      // A rotation without a body generates a secret with the default grace.
      const bare = await api.app.inject({
        method: 'POST',
        url: `/v1/endpoints/${ids[2]}/secret/rotate`,
        headers: auth,
      });
      assert.equal(bare.statusCode, 200, bare.body);
      secrets.add(bare.json().secret);
      const given = `whsec_${Buffer.alloc(24, 5).toString('base64')}`;
      secrets.add(given);
      const withSecret = await api.app.inject({
        method: 'POST',
        url: `/v1/endpoints/${ids[2]}/secret/rotate`,
        headers: auth,
        payload: { secret: given, graceSeconds: 0 },
      });
      assert.deepEqual(withSecret.json(), { secret: given });
      assert.deepEqual((await endpoints.target(api.prod.id, ids[2]!)).secrets, [given]);

      for (const id of ids) {
        const deleted = await request({ method: 'DELETE', url: `/v1/endpoints/${id}`, headers: auth });
        assert.deepEqual(deleted.json(), { id, deleted: true });
      }
      const gone = await request({ url: `/v1/endpoints/${ids[0]}`, headers: auth });
      assert.equal(gone.statusCode, 404);
      assert.equal(gone.json().error.code, 'not_found');
    });

    it('answers bad input with 400 and the failing fields', async () => {
      const auth = api.devAuth;
      const cases: Array<[Record<string, unknown>, string[]]> = [
        [{}, ['url']],
        [{ url: 'ftp://example.com/' }, ['url']],
        [{ url: 'https://u:p@example.com/' }, ['url']],
        [{ url: 'https://example.com/', eventTypes: ['ok.type', 'not ok'] }, ['eventTypes.1']],
        [{ url: 'https://example.com/', channels: ['a b'] }, ['channels.0']],
        [{ url: 'https://example.com/', headers: { 'Webhook-Id': 'x' } }, ['headers.Webhook-Id']],
        [{ url: 'https://example.com/', headers: { host: 'x' } }, ['headers.host']],
        [{ url: 'https://example.com/', headers: { 'X-Team': 'Zoë ✓' } }, ['headers.X-Team']],
        [{ url: 'https://example.com/', headers: { 'X-Line': 'a\r\nX-Injected: 1' } }, ['headers.X-Line']],
        [{ url: 'https://example.com/', rateLimitPerSecond: 0 }, ['rateLimitPerSecond']],
        [{ url: 'https://example.com/', maxConcurrency: 1000 }, ['maxConcurrency']],
        [{ url: 'https://example.com/', secret: 'whsec_abc' }, ['secret']],
        [{ url: 'https://example.com/', unknown: true }, ['unknown']],
      ];
      for (const [payload, paths] of cases) {
        const response = await request({ method: 'POST', url: '/v1/endpoints', headers: auth, payload });
        assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
        const error = response.json().error;
        assert.equal(error.code, 'validation_failed');
        assert.deepEqual(
          error.details.issues.map((issue: { path: string }) => issue.path),
          paths,
          response.body,
        );
      }
      // Its answer carries its secret: not one of the secret-free bodies.
      const saved = await api.app.inject({
        method: 'POST',
        url: '/v1/endpoints',
        headers: auth,
        payload: { url: 'https://example.com/headers', headers: { 'X-Team': 'ok' } },
      });
      assert.equal(saved.statusCode, 201, saved.body);
      secrets.add(saved.json().secret);
      const patched = await request({
        method: 'PATCH',
        url: `/v1/endpoints/${saved.json().id}`,
        headers: auth,
        payload: { headers: { 'X-Team': '☕' } },
      });
      assert.equal(patched.statusCode, 400, patched.body);
      assert.equal(patched.json().error.code, 'validation_failed');
      assert.deepEqual(
        patched.json().error.details.issues.map((issue: { path: string }) => issue.path),
        ['headers.X-Team'],
      );
      const unchanged = await request({ url: `/v1/endpoints/${saved.json().id}`, headers: auth });
      assert.deepEqual(unchanged.json().headers, { 'x-team': 'ok' });
      const badId = await request({ url: '/v1/endpoints/conn_01jz8x7y6w5v4t3s2r1q0p9n8m', headers: auth });
      assert.equal(badId.statusCode, 400);
      assert.equal(badId.json().error.code, 'invalid_id');
      const badGrace = await request({
        method: 'POST',
        url: '/v1/endpoints/ep_01jz8x7y6w5v4t3s2r1q0p9n8m/secret/rotate',
        headers: auth,
        payload: { graceSeconds: 8 * 24 * 3600 },
      });
      assert.equal(badGrace.statusCode, 400);
      const missing = await request({
        method: 'POST',
        url: '/v1/endpoints/ep_01jz8x7y6w5v4t3s2r1q0p9n8m/secret/rotate',
        headers: auth,
        payload: {},
      });
      assert.equal(missing.statusCode, 404);
      const noAuth = await request({ url: '/v1/endpoints' });
      assert.equal(noAuth.statusCode, 401);
    });

    it('documents the routes in a valid OpenAPI document', async () => {
      const document = (await api.app.inject({ url: '/openapi.json' })).json();
      const result = await new Validator().validate(document);
      assert.equal(result.valid, true, JSON.stringify(result.errors));
      for (const path of [
        '/v1/endpoints',
        '/v1/endpoints/{id}',
        '/v1/endpoints/{id}/secret',
        '/v1/endpoints/{id}/secret/rotate',
      ])
        assert.ok(document.paths[path], path);
      for (const name of ['Endpoint', 'CreatedEndpoint', 'EndpointSecret'])
        assert.ok(document.components.schemas[name], name);
    });

    it('scopes every route to the key’s environment', async () => {
      const { endpoint, secret } = await endpoints.create(api.dev.id, {
        url: 'https://dev-only.example.com/',
      });
      secrets.add(secret);
      const auth = api.prodAuth;
      const calls: InjectOptions[] = [
        { url: `/v1/endpoints/${endpoint.id}` },
        { method: 'PATCH', url: `/v1/endpoints/${endpoint.id}`, payload: { enabled: false } },
        { method: 'DELETE', url: `/v1/endpoints/${endpoint.id}` },
        { url: `/v1/endpoints/${endpoint.id}/secret` },
        { method: 'POST', url: `/v1/endpoints/${endpoint.id}/secret/rotate`, payload: {} },
      ];
      for (const call of calls) {
        const response = await request({ ...call, headers: auth });
        assert.equal(response.statusCode, 404, `${call.method ?? 'GET'} ${call.url}`);
        assert.equal(response.json().error.code, 'not_found');
      }
      const list = await request({ url: '/v1/endpoints', headers: auth });
      assert.equal(
        list.json().data.some((e: { id: string }) => e.id === endpoint.id),
        false,
      );
      assert.equal(await endpoints.getSecret(api.dev.id, endpoint.id), secret);
      assert.equal((await endpoints.get(api.dev.id, endpoint.id)).enabled, true);
    });
  });
}
