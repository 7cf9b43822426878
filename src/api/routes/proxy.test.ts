import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { testDatabases } from '../../../test/support/databases.ts';
import { ManualClock } from '../../clock/index.ts';
import { notFound } from '../../errors/index.ts';
import { createLogger } from '../../logger/index.ts';
import { createOutboundHttp } from '../../net/index.ts';
import type { ConnectionContext } from '../../ports/connections.ts';
import { createProviderCaller } from '../../proxy/caller.ts';
import { createProxyClient } from '../../proxy/client.ts';
import {
  definitionFor,
  integrationFor,
  startUpstream,
  type Upstream,
} from '../../proxy/fixtures/upstream.ts';
import type { RequestLogEntry } from '../../proxy/request-log.ts';
import type { RefreshCoordinator } from '../../proxy/types.ts';
import { proxyRoutes } from './proxy.ts';

const ACTIVE = 'conn_01jd0000000000000000000001';
const REAUTH = 'conn_01jd0000000000000000000002';
const UNREACHABLE = 'conn_01jd0000000000000000000003';
const UNKNOWN = 'conn_01jd0000000000000000000009';
const API_KEY = 'sk_live_route_test_key';

for (const database of await testDatabases()) {
  describe(`/proxy/* (${database.name})`, { skip: database.skip ?? false }, () => {
    let api: TestApi;
    let upstream: Upstream;
    let destroy: () => Promise<void> = async () => {};
    const http = createOutboundHttp({ allow: ['loopback'] });
    const connections = new Map<string, ConnectionContext>();
    const rows: RequestLogEntry[] = [];
    const refresher: RefreshCoordinator = {
      async ensureFresh(environmentId, connectionId) {
        const found = connections.get(`${environmentId}/${connectionId}`);
        if (!found) throw notFound('connection', connectionId);
        return found;
      },
    };
    const clock = new ManualClock();
    const caller = createProviderCaller({
      http,
      clock,
      logger: createLogger({ level: 'silent' }),
      requestLog: { record: (row) => rows.push(row) },
      defaultTimeoutMs: 5_000,
      sleep: async (ms) => clock.advance(ms),
    });

    before(async () => {
      upstream = await startUpstream();
      const db = await database.create!();
      destroy = () => db.destroy();
      api = await createTestApi(db, {
        routes: [
          proxyRoutes({
            // The test definitions declare no credentialsRejected rule: nothing is ever marked.
            proxy: createProxyClient({
              refresher,
              caller,
              connections: { markReauthRequired: async () => {} },
            }),
          }),
        ],
      });
      const add = (id: string, origin: string, status: ConnectionContext['status'] = 'active') =>
        connections.set(`${api.dev.id}/${id}`, {
          id,
          environmentId: api.dev.id,
          status,
          endUserId: 'user-1',
          connectionConfig: {},
          metadata: {},
          integration: integrationFor(definitionFor(origin)),
          credentials: { type: 'api_key', values: { apiKey: API_KEY } },
          expiresAt: null,
          updatedAt: 1,
        });
      add(ACTIVE, upstream.origin);
      add(REAUTH, upstream.origin, 'reauth_required');
      add(UNREACHABLE, 'http://127.0.0.1:9');
    });
    after(async () => {
      await api.close();
      await destroy();
      await upstream.close();
      await http.close();
    });

    const headers = (extra: Record<string, string> = {}) => ({
      ...api.devAuth,
      'patchbay-connection-id': ACTIVE,
      ...extra,
    });

    it('is described in /openapi.json, with its connection header and error codes', async () => {
      const response = await api.app.inject({ url: '/openapi.json' });
      const document = response.json();
      const validator = new Validator();
      const result = await validator.validate(document);
      assert.equal(result.valid, true, String(JSON.stringify(result.errors)).slice(0, 2_000));
      const item = document.paths['/proxy/{path}'];
      assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'patch', 'post', 'put']);
      const header = item.get.parameters.find((p: { in: string }) => p.in === 'header');
      assert.deepEqual([header.name, header.required], ['patchbay-connection-id', true]);
      assert.match(item.get.responses['400'].description, /`proxy_header_missing`/);
      assert.equal(
        item.get.responses['400'].content['application/json'].schema.$ref,
        '#/components/schemas/Error',
      );
      assert.ok(document.components.schemas.Error, 'the error schema it references is kept');
    });

    it('streams a request body to the provider and its answer back, byte for byte', async () => {
      upstream.reset();
      upstream.handle((request, response, received) => {
        response.writeHead(201, {
          'content-type': request.headers['content-type'] ?? 'application/octet-stream',
        });
        response.end(received.body);
      });
      const payload = randomBytes(256 * 1024);
      const chunks = [payload.subarray(0, 100_000), payload.subarray(100_000)];
      const response = await api.app.inject({
        method: 'POST',
        url: '/proxy/v1/files?name=a.bin',
        headers: headers({ 'content-type': 'application/octet-stream' }),
        payload: Readable.from(chunks),
      });
      assert.equal(response.statusCode, 201);
      assert.equal(response.headers['content-type'], 'application/octet-stream');
      assert.ok(response.rawPayload.equals(payload));
      assert.equal(upstream.received[0]!.url, '/api/v1/files?name=a.bin');
      assert.equal(upstream.received[0]!.method, 'POST');
    });

    it('sends the definition’s auth, never the API key, cookies or patchbay-* headers', async () => {
      upstream.reset();
      upstream.handle((_request, response) => {
        response.writeHead(200, {
          'content-type': 'text/plain',
          'set-cookie': 'session=provider',
          'x-upstream': 'yes',
          'x-request-id': 'provider-request-id',
        });
        response.end('hello');
      });
      const response = await api.app.inject({
        method: 'GET',
        url: '/proxy/v1/items?a=1&b=x%20y',
        headers: headers({ cookie: 'pb=1', 'x-custom': 'kept', 'patchbay-extra': 'no', te: 'trailers' }),
      });
      assert.equal(response.statusCode, 200);
      assert.equal(response.body, 'hello');
      assert.equal(response.headers['x-upstream'], 'yes');
      assert.equal(response.headers['set-cookie'], undefined);
      assert.notEqual(response.headers['x-request-id'], 'provider-request-id');
      const seen = upstream.received[0]!;
      assert.equal(seen.url, '/api/v1/items?a=1&b=x%20y');
      assert.equal(seen.headers['x-api-key'], API_KEY);
      assert.equal(seen.headers['x-custom'], 'kept');
      assert.equal(seen.headers.authorization, undefined);
      assert.equal(seen.headers.cookie, undefined);
      assert.equal(seen.headers.te, undefined);
      assert.equal(
        Object.keys(seen.headers).some((name) => name.startsWith('patchbay-')),
        false,
      );
      assert.equal(JSON.stringify(rows).includes(API_KEY), false);
    });

    it('passes a provider’s error status and body through unchanged', async () => {
      upstream.reset();
      upstream.handle((_request, response) => {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such item"}');
      });
      const response = await api.app.inject({
        method: 'DELETE',
        url: '/proxy/v1/items/42',
        headers: headers(),
      });
      assert.equal(response.statusCode, 404);
      assert.deepEqual(response.json(), { error: 'no such item' });
    });

    it('answers errors in the API’s error model', async () => {
      const errorOf = async (request: { method: 'GET'; url: string; headers: Record<string, string> }) => {
        const response = await api.app.inject(request);
        return [response.statusCode, (response.json() as { error: { code: string } }).error.code];
      };
      assert.deepEqual(await errorOf({ method: 'GET', url: '/proxy/x', headers: api.devAuth }), [
        400,
        'proxy_header_missing',
      ]);
      assert.deepEqual(
        await errorOf({
          method: 'GET',
          url: '/proxy/x',
          headers: headers({ 'patchbay-connection-id': 'nope' }),
        }),
        [400, 'invalid_id'],
      );
      assert.deepEqual(
        await errorOf({
          method: 'GET',
          url: '/proxy/x',
          headers: headers({ 'patchbay-connection-id': UNKNOWN }),
        }),
        [404, 'not_found'],
      );
      assert.deepEqual(
        await errorOf({ method: 'GET', url: '/proxy/x', headers: { ...headers(), ...api.prodAuth } }),
        [404, 'not_found'],
      );
      assert.deepEqual(
        await errorOf({
          method: 'GET',
          url: '/proxy/x',
          headers: headers({ 'patchbay-connection-id': REAUTH }),
        }),
        [409, 'connection_reauth_required'],
      );
      assert.deepEqual(
        await errorOf({ method: 'GET', url: '/proxy/x', headers: { 'patchbay-connection-id': ACTIVE } }),
        [401, 'unauthorized'],
      );
      assert.deepEqual(
        await errorOf({ method: 'GET', url: '/proxy/v1/..%2f..%2f..%2fadmin', headers: headers() }),
        [400, 'proxy_path_invalid'],
      );
      assert.deepEqual(
        await errorOf({
          method: 'GET',
          url: '/proxy/x',
          headers: headers({ 'patchbay-connection-id': UNREACHABLE }),
        }),
        [502, 'provider_unreachable'],
      );
    });

    it('streams through a listening server: the client reads the first chunk before the provider finishes', async () => {
      upstream.reset();
      let finish: () => void = () => {};
      upstream.handle((_request, response, received) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write(`got ${received.body.length} bytes;`);
        finish = () => response.end('done');
      });
      const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
      const response = await fetch(`${address}/proxy/v1/stream`, {
        method: 'PUT',
        headers: headers({ 'content-type': 'application/octet-stream' }),
        body: Readable.toWeb(
          Readable.from([Buffer.alloc(70_000, 1), Buffer.alloc(30_000, 2)]),
        ) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      assert.equal(response.status, 200);
      const reader = response.body!.getReader();
      const first = await reader.read();
      assert.equal(Buffer.from(first.value!).toString(), 'got 100000 bytes;');
      finish();
      const second = await reader.read();
      assert.equal(Buffer.from(second.value!).toString(), 'done');
      assert.equal((await reader.read()).done, true);
    });

    it('sends a small answer whole, and answers 502 when it breaks off before its declared length', async () => {
      upstream.reset();
      upstream.handle((request, response) => {
        if (request.url === '/api/v1/whole') {
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': '10' });
          response.write('{"a":');
          setImmediate(() => response.end('"bc"}'));
          return;
        }
        // Declares 100 bytes, sends 10, hangs up.
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        response.write('{"partial"');
        setImmediate(() => response.destroy());
      });
      const whole = await api.app.inject({ method: 'GET', url: '/proxy/v1/whole', headers: headers() });
      assert.equal(whole.statusCode, 200);
      assert.equal(whole.headers['content-length'], '10');
      assert.equal(whole.headers['content-type'], 'application/json');
      assert.deepEqual(whole.json(), { a: 'bc' });

      const broken = await api.app.inject({ method: 'GET', url: '/proxy/v1/broken', headers: headers() });
      assert.equal(broken.statusCode, 502);
      assert.equal(broken.json().error.code, 'provider_unreachable');
    });

    it('forwards HEAD without a body, and bodies of any or no content type with their length', async () => {
      upstream.reset();
      upstream.handle((_request, response, received) => {
        response.writeHead(200, { 'content-type': 'text/plain', 'x-length': String(received.body.length) });
        response.end(
          `${received.method} ${received.headers['content-length'] ?? 'chunked'} ${received.body.toString()}`,
        );
      });
      const head = await api.app.inject({ method: 'HEAD', url: '/proxy/v1/ping', headers: headers() });
      assert.equal(head.statusCode, 200);
      assert.equal(head.body, '');
      assert.equal(upstream.received[0]!.method, 'HEAD');

      const form = await api.app.inject({
        method: 'PATCH',
        url: '/proxy/v1/form',
        headers: headers({ 'content-type': 'application/x-www-form-urlencoded' }),
        payload: 'a=1&b=2',
      });
      assert.equal(form.body, 'PATCH 7 a=1&b=2');
      const untyped = await api.app.inject({
        method: 'POST',
        url: '/proxy/v1/raw',
        headers: headers(),
        payload: 'raw',
      });
      assert.equal(untyped.statusCode, 200);
      assert.equal(untyped.body, 'POST 3 raw');
    });

    it('leaves the rest of the API reading JSON only', async () => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: { ...api.devAuth, 'content-type': 'text/plain' },
        payload: 'name=x',
      });
      assert.equal(response.statusCode, 415);
    });
  });
}
