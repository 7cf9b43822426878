import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { endpointRoutes } from '../../src/api/routes/endpoints.ts';
import { ManualClock } from '../../src/clock/index.ts';
import { createEndpointsService } from '../../src/outbound/endpoints.ts';
import { signatureHeaders } from '../../src/outbound/signing.ts';
import type { EndpointsService } from '../../src/outbound/types.ts';
import type { Store } from '../../src/store/index.ts';
import { createVault, generateKeyString, parseKeyring } from '../../src/vault/index.ts';
import { createTestApi, type TestApi } from '../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayApiError, PatchbayClient, verifyWebhook, WebhookVerificationError } from './index.ts';

describe('sdk/src/webhooks.ts', () => {
  it('imports nothing, so receivers can use it alone and browser bundles need no node:crypto', () => {
    const source = readFileSync(new URL('./webhooks.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1]);
    assert.deepEqual(imports, []);
  });

  it('says it runs on a server where Node built-ins cannot be loaded (a browser)', () => {
    const { getBuiltinModule } = process;
    // What a browser bundle sees: no process.getBuiltinModule to load node:crypto with.
    Object.assign(process, { getBuiltinModule: undefined });
    try {
      assert.throws(() => verifyWebhook('{}', {}, 'whsec_c2VjcmV0'), {
        name: 'TypeError',
        message: /verifyWebhook runs on a server \(Node\.js 22\.3 or newer\), not in a browser/,
      });
    } finally {
      Object.assign(process, { getBuiltinModule });
    }
  });
});

for (const target of await testDatabases()) {
  describe(`SDK endpoints and verifyWebhook on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    let api: TestApi;
    let endpoints: EndpointsService;
    let client: PatchbayClient;
    const clock = new ManualClock(Date.now());

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
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      client = new PatchbayClient({ baseUrl, apiKey: api.devAuth.authorization.slice(7) });
    });
    after(async () => {
      await api?.close();
      await store?.close();
      await database?.destroy();
    });

    it('manages endpoints and verifies what they are sent, through a rotation', async () => {
      const created = await client.endpoints.create({
        url: 'https://receiver.example.com/hooks',
        eventTypes: ['connection.*'],
      });
      assert.match(created.secret, /^whsec_/);
      const { secret: _secret, ...endpoint } = created;
      assert.deepEqual(await client.endpoints.get(created.id), endpoint);
      assert.deepEqual(await client.endpoints.list({ limit: 10 }), { data: [endpoint], nextAfter: null });
      assert.equal(await client.endpoints.getSecret(created.id), created.secret);
      const updated = await client.endpoints.update(created.id, { channels: ['user_7'] });
      assert.deepEqual(updated.channels, ['user_7']);

      const rotated = await client.endpoints.rotateSecret(created.id);
      assert.notEqual(rotated, created.secret);
      assert.equal(await client.endpoints.getSecret(created.id), rotated);

      // What delivery signs during the grace period verifies with either secret.
      const { secrets } = await endpoints.target(api.dev.id, created.id);
      const body = JSON.stringify({
        type: 'connection.created',
        timestamp: new Date(clock.now()).toISOString(),
        data: { id: 'conn_1' },
      });
      const headers = signatureHeaders({
        id: 'msg_sdk',
        timestamp: Math.floor(clock.now() / 1000),
        body,
        secrets,
      });
      for (const secret of [created.secret, rotated]) {
        assert.deepEqual(verifyWebhook(body, headers, secret, { now: clock.now() }), JSON.parse(body));
        assert.deepEqual(new StandardWebhook(secret).verify(body, headers), JSON.parse(body));
      }
      // After the grace period only the new secret signs.
      clock.advance(24 * 3600_000);
      const later = await endpoints.target(api.dev.id, created.id);
      const laterHeaders = signatureHeaders({
        id: 'msg_sdk_2',
        timestamp: Math.floor(clock.now() / 1000),
        body,
        secrets: later.secrets,
      });
      assert.ok(verifyWebhook(body, laterHeaders, rotated, { now: clock.now() }));
      assert.throws(
        () => verifyWebhook(body, laterHeaders, created.secret, { now: clock.now() }),
        (error: unknown) => error instanceof WebhookVerificationError && error.code === 'invalid_signature',
      );

      const given = `whsec_${Buffer.alloc(40, 1).toString('base64')}`;
      assert.equal(
        await client.endpoints.rotateSecret(created.id, { secret: given, graceSeconds: 0 }),
        given,
      );
      assert.deepEqual(await client.endpoints.delete(created.id), { id: created.id, deleted: true });
      await assert.rejects(client.endpoints.get(created.id), (error: unknown) =>
        isPatchbayApiError(error, 'not_found'),
      );
      await assert.rejects(client.endpoints.create({ url: 'ftp://nope.example.com' }), (error: unknown) =>
        isPatchbayApiError(error, 'validation_failed'),
      );
    });
  });
}
