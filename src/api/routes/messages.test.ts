import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { PatchbayClient } from '../../../sdk/src/index.ts';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import {
  lateBound,
  type OutboundFixture,
  openOutboundFixture,
} from '../../outbound/fixtures/messages-fixture.ts';
import { createMessagesService } from '../../outbound/messages.ts';
import type { MessagesService } from '../../outbound/types.ts';
import { messageRoutes } from './messages.ts';

for (const target of await testDatabases()) {
  describe(`messages API on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    let f: OutboundFixture;
    let service: MessagesService;
    before(async () => {
      database = await target.create!();
      api = await createTestApi(database, { routes: [messageRoutes(lateBound(() => service))] });
      f = await openOutboundFixture(database, { store: api.store, clock: api.clock });
      service = createMessagesService({
        store: f.store,
        endpoints: f.endpoints,
        queue: f.queue,
        clock: f.clock,
      });
    });
    after(async () => {
      await f?.close();
      await api?.close();
      await database?.destroy();
    });
    beforeEach(() => f.reset());

    const request = (
      method: 'GET' | 'POST',
      url: string,
      options: { body?: unknown; headers?: Record<string, string>; auth?: { authorization: string } } = {},
    ) =>
      api.app.inject({
        method,
        url,
        headers: { ...(options.auth ?? api.devAuth), ...options.headers },
        ...(options.body === undefined ? {} : { payload: options.body as object }),
      });

    it('POST /v1/messages fans out, honors the Idempotency-Key header, and refuses reserved types', async () => {
      const ep = (await f.endpoints.create(api.dev.id, { url: 'https://hooks.example/in' })).endpoint;
      const first = await request('POST', '/v1/messages', {
        body: { eventType: 'order.shipped', data: { orderId: 'o_1' } },
        headers: { 'idempotency-key': 'order-o_1' },
      });
      assert.equal(first.statusCode, 201, first.body);
      const [message] = first.json().data;
      assert.equal(message.endpointId, ep.id);
      assert.equal(message.status, 'pending');
      assert.deepEqual(message.payload, {
        type: 'order.shipped',
        timestamp: new Date(api.clock.now()).toISOString(),
        data: { orderId: 'o_1' },
      });
      assert.equal(message.createdAt, new Date(api.clock.now()).toISOString());

      const repeat = await request('POST', '/v1/messages', {
        body: { eventType: 'order.shipped', data: { orderId: 'o_1' }, idempotencyKey: 'order-o_1' },
      });
      assert.equal(repeat.statusCode, 201);
      assert.deepEqual(repeat.json().data, first.json().data);
      assert.equal((await f.queued('outbound.deliver')).length, 1);

      const conflict = await request('POST', '/v1/messages', {
        body: { eventType: 'order.shipped', data: {}, idempotencyKey: 'a' },
        headers: { 'idempotency-key': 'b' },
      });
      assert.equal(conflict.statusCode, 400);
      assert.equal(conflict.json().error.code, 'validation_failed');

      const reserved = await request('POST', '/v1/messages', {
        body: { eventType: 'connection.created', data: {} },
      });
      assert.equal(reserved.statusCode, 400);
      assert.equal(reserved.json().error.code, 'event_type_reserved');
      const malformed = await request('POST', '/v1/messages', { body: { eventType: 'Bad Type', data: {} } });
      assert.equal(malformed.json().error.code, 'validation_failed');
      const noData = await request('POST', '/v1/messages', { body: { eventType: 'order.shipped' } });
      assert.equal(noData.json().error.code, 'validation_failed');
    });

    it('POST /v1/messages refuses data nested thousands of levels deep with 400 json_too_deep', async () => {
      await f.endpoints.create(api.dev.id, { url: 'https://hooks.example/in' });
      const levels = 5000;
      const response = await request('POST', '/v1/messages', {
        body: `{"eventType":"order.shipped","data":{"deep":${'['.repeat(levels)}${']'.repeat(levels)}}}`,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error.code, 'json_too_deep');
      assert.deepEqual(await f.queued('outbound.deliver'), []);
    });

    it('GET /v1/messages filters by endpoint, status, type and time, pages, and stays in the environment', async () => {
      const a = (await f.endpoints.create(api.dev.id, { url: 'https://a.example/in' })).endpoint;
      const b = (
        await f.endpoints.create(api.dev.id, { url: 'https://b.example/in', eventTypes: ['order.*'] })
      ).endpoint;
      await f.endpoints.create(api.prod.id, { url: 'https://prod.example/in' });
      const t0 = api.clock.now();
      await service.create(api.dev.id, { eventType: 'order.shipped', data: {} });
      api.clock.advance(60_000);
      await service.create(api.dev.id, { eventType: 'user.created', data: {} });
      await service.create(api.prod.id, { eventType: 'order.shipped', data: {} });

      const all = await request('GET', '/v1/messages');
      assert.equal(all.statusCode, 200);
      assert.equal(all.json().data.length, 3);
      assert.equal((await request('GET', `/v1/messages?endpointId=${b.id}`)).json().data.length, 1);
      assert.equal((await request('GET', '/v1/messages?eventType=order.*')).json().data.length, 2);
      assert.equal((await request('GET', '/v1/messages?status=failed')).json().data.length, 0);
      const since = new Date(t0 + 1).toISOString();
      const recent = (await request('GET', `/v1/messages?since=${since}`)).json().data;
      assert.deepEqual(
        recent.map((m: { endpointId: string; eventType: string }) => [m.endpointId, m.eventType]),
        [[a.id, 'user.created']],
      );
      const until = new Date(t0 + 1).toISOString();
      assert.equal((await request('GET', `/v1/messages?until=${until}`)).json().data.length, 2);
      const bad = await request('GET', '/v1/messages?since=yesterday');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'validation_failed');

      const page1 = (await request('GET', '/v1/messages?limit=2')).json();
      assert.equal(page1.data.length, 2);
      const page2 = (await request('GET', `/v1/messages?limit=2&after=${page1.nextAfter}`)).json();
      assert.equal(page2.data.length, 1);
      assert.equal(page2.nextAfter, null);

      const prodList = (await request('GET', '/v1/messages', { auth: api.prodAuth })).json().data;
      assert.equal(prodList.length, 1);
      const other = await request('GET', `/v1/messages/${prodList[0].id}`);
      assert.equal(other.statusCode, 404);
      assert.equal(other.json().error.code, 'not_found');
      const mine = await request('GET', `/v1/messages/${page1.data[0].id}`);
      assert.deepEqual(mine.json(), page1.data[0]);
      assert.equal((await request('GET', '/v1/messages/msg_x')).json().error.code, 'invalid_id');
      assert.equal((await request('GET', `/v1/messages/${page1.data[0].id}/attempts`)).json().data.length, 0);
      assert.equal((await request('GET', `/v1/messages/${prodList[0].id}/attempts`)).statusCode, 404);
    });

    it('POST resend and recover answer 202 and queue jobs; another environment’s ids are not found', async () => {
      const ep = (await f.endpoints.create(api.dev.id, { url: 'https://a.example/in' })).endpoint;
      const [message] = await service.create(api.dev.id, { eventType: 'order.shipped', data: {} });
      await f.store.db.updateTable('messages').set({ status: 'failed' }).execute();
      await f.store.db.deleteFrom('jobs').execute();

      const resend = await request('POST', `/v1/messages/${message!.id}/resend`);
      assert.equal(resend.statusCode, 202);
      assert.deepEqual(resend.json(), { id: message!.id, queued: true });
      const [job] = await f.queued('outbound.deliver');
      assert.deepEqual(job?.payload, {
        environmentId: api.dev.id,
        messageId: message!.id,
        trigger: 'manual',
      });

      const since = new Date(api.clock.now() - 1000).toISOString();
      const recover = await request('POST', `/v1/endpoints/${ep.id}/recover`, { body: { since } });
      assert.equal(recover.statusCode, 202);
      assert.deepEqual(recover.json(), { queued: 1 });
      assert.equal((await f.queued('outbound.recover')).length, 1);

      assert.equal(
        (await request('POST', `/v1/messages/${message!.id}/resend`, { auth: api.prodAuth })).statusCode,
        404,
      );
      const foreign = await request('POST', `/v1/endpoints/${ep.id}/recover`, {
        body: { since },
        auth: api.prodAuth,
      });
      assert.equal(foreign.statusCode, 404);
      const badSince = await request('POST', `/v1/endpoints/${ep.id}/recover`, { body: { since: 'soon' } });
      assert.equal(badSince.json().error.code, 'validation_failed');
    });

    it('the SDK client sends, lists, reads and replays messages', async () => {
      const baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
      const client = new PatchbayClient({
        baseUrl,
        apiKey: api.devAuth.authorization.slice('Bearer '.length),
      });
      const ep = (await f.endpoints.create(api.dev.id, { url: 'https://a.example/in' })).endpoint;
      const [message] = await client.messages.create({
        eventType: 'order.shipped',
        data: { n: 1 },
        idempotencyKey: 'k',
      });
      assert.equal(message?.endpointId, ep.id);
      assert.deepEqual(
        await client.messages.create({ eventType: 'order.shipped', data: {}, idempotencyKey: 'k' }),
        [message],
      );
      assert.deepEqual((await client.messages.list({ eventType: 'order.*', limit: 10 })).data, [message]);
      assert.deepEqual(await client.messages.get(message!.id), message);
      assert.deepEqual(await client.messages.attempts(message!.id), { data: [], nextAfter: null });
      await client.messages.resend(message!.id);
      assert.deepEqual(await client.messages.recover(ep.id, { since: new Date(0).toISOString() }), {
        queued: 0,
      });
      await assert.rejects(
        client.messages.get('msg_01jz8x7y6w5v4t3s2r1q0p9n8m'),
        (error: { code?: string }) => error.code === 'not_found',
      );
    });

    it('needs an API key', async () => {
      const response = await api.app.inject({ method: 'GET', url: '/v1/messages' });
      assert.equal(response.statusCode, 401);
    });
  });
}
