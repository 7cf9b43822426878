import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ConnectApiFixture, openConnectApi } from '../../src/integrations/fixtures/connect-db.ts';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayApiError, PatchbayClient } from './index.ts';

for (const target of await testDatabases()) {
  describe(`SDK integrations, connections and connect sessions on ${target.name}`, {
    skip: target.skip,
  }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: ConnectApiFixture;
    let client: PatchbayClient;
    before(async () => {
      database = await target.create!();
      f = await openConnectApi(database, {
        publicUrl: 'http://127.0.0.1:4400',
        test: async () => ({ ok: true, status: 200 }),
      });
      await f.api.app.listen({ host: '127.0.0.1', port: 0 });
      const baseUrl = `http://127.0.0.1:${(f.api.app.server.address() as AddressInfo).port}`;
      client = new PatchbayClient({ baseUrl, apiKey: f.api.devAuth.authorization.slice(7) });
    });
    after(async () => {
      await f?.close();
      await database?.destroy();
    });

    it('manages integrations', async () => {
      const created = await client.integrations.create({
        provider: 'gumroad',
        clientId: 'id',
        clientSecret: 'sdk-secret',
      });
      assert.equal(created.hasClientSecret, true);
      assert.equal('clientSecret' in created, false);
      assert.deepEqual(await client.integrations.get('gumroad'), created);
      assert.equal((await client.integrations.update(created.id, { displayName: 'G' })).displayName, 'G');
      assert.deepEqual(
        (await client.integrations.list()).data.map((i) => i.key),
        ['gumroad'],
      );
      try {
        await client.integrations.create({ provider: 'gumroad', clientId: 'id', clientSecret: 'other' });
        assert.fail('expected conflict');
      } catch (error) {
        assert.ok(isPatchbayApiError(error));
        assert.equal(error.code, 'conflict');
        assert.equal(error.status, 409);
      }
    });

    it('lists, reads, tests, updates and deletes connections; creates connect sessions', async () => {
      const saved = await f.connections.save(f.api.dev.id, {
        integrationId: 'gumroad',
        endUser: { id: 'sdk-user', email: null, organization: null },
        credentials: { type: 'oauth2', accessToken: 'sdk-access-token' },
        connectionConfig: {},
        metadata: {},
      });
      const page = await client.connections.list({ endUserId: 'sdk-user', limit: 10 });
      assert.deepEqual(
        page.data.map((c) => c.id),
        [saved.id],
      );
      assert.equal((await client.connections.get(saved.id)).integrationKey, 'gumroad');
      assert.deepEqual(await client.connections.test(saved.id), { ok: true, status: 200 });
      assert.deepEqual((await client.connections.updateMetadata(saved.id, { a: 1 })).metadata, { a: 1 });

      const session = await client.connectSessions.create({
        endUser: { id: 'sdk-user' },
        connectionId: saved.id,
      });
      assert.equal(session.url, `http://127.0.0.1:4400/connect?session=${session.token}`);
      assert.equal((await f.sessions.authenticate(session.token)).connectionId, saved.id);

      assert.deepEqual(await client.connections.delete(saved.id), {
        id: saved.id,
        deleted: true,
        revoked: false,
      });
      const { id } = await client.integrations.get('gumroad');
      assert.deepEqual(await client.integrations.delete('gumroad'), { id, deleted: true });
    });
  });
}
