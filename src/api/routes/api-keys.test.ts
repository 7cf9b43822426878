import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { hashApiKey } from '../../environments/index.ts';

for (const target of await testDatabases()) {
  describe(`/v1/api-keys on ${target.name}`, { skip: target.skip }, () => {
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

    it('creates a key, showing its secret once, and lists keys without secrets or hashes', async () => {
      const created = await api.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: api.devAuth,
        payload: { name: ' Deploy bot ' },
      });
      assert.equal(created.statusCode, 201);
      assert.equal(created.headers['cache-control'], 'no-store');
      const body = created.json();
      assert.match(body.secret, /^pb_sk_dev_[0-9A-Za-z]{43}$/);
      assert.match(body.id, /^key_[0-9a-z]{26}$/);
      assert.deepEqual(
        { ...body, id: undefined, secret: undefined },
        {
          id: undefined,
          secret: undefined,
          name: 'Deploy bot',
          prefix: body.secret.slice(0, 14),
          environmentId: api.dev.id,
          status: 'active',
          createdAt: new Date(api.clock.now()).toISOString(),
          lastUsedAt: null,
          revokedAt: null,
        },
      );

      // The new key works, in dev.
      const asNewKey = await api.app.inject({
        url: '/v1/environment',
        headers: { authorization: `Bearer ${body.secret}` },
      });
      assert.equal(asNewKey.json().name, 'dev');

      const list = await api.app.inject({ url: '/v1/api-keys', headers: api.devAuth });
      assert.equal(list.statusCode, 200);
      const keys = list.json().data as Array<Record<string, unknown>>;
      assert.deepEqual(
        keys.map((k) => k.id),
        [api.devKeyId, body.id],
      );
      assert.equal(list.body.includes(body.secret), false);
      assert.equal(list.body.includes(hashApiKey(body.secret)), false);
      for (const key of keys) {
        assert.deepEqual(Object.keys(key).sort(), [
          'createdAt',
          'environmentId',
          'id',
          'lastUsedAt',
          'name',
          'prefix',
          'revokedAt',
          'status',
        ]);
      }
    });

    it('scopes every key operation to the caller’s environment', async () => {
      // prod cannot see dev's keys…
      const prodList = await api.app.inject({ url: '/v1/api-keys', headers: api.prodAuth });
      assert.deepEqual(
        prodList.json().data.map((k: { id: string }) => k.id),
        [api.prodKeyId],
      );
      // …nor revoke one: it is not found, and still works afterwards.
      const revoke = await api.app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${api.devKeyId}`,
        headers: api.prodAuth,
      });
      assert.equal(revoke.statusCode, 404);
      assert.equal(revoke.json().error.code, 'not_found');
      assert.equal((await api.app.inject({ url: '/v1/environment', headers: api.devAuth })).statusCode, 200);
      // A key created with a prod key belongs to prod.
      const created = await api.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: api.prodAuth,
        payload: { name: 'prod worker' },
      });
      assert.equal(created.json().environmentId, api.prod.id);
      assert.match(created.json().secret, /^pb_sk_prod_/);
    });

    it('revokes a key, idempotently, and a revoked key stops working', async () => {
      const { apiKey, secret } = await api.environments.createKey(api.dev.id, { name: 'to revoke' });
      api.clock.advance(5000);
      const first = await api.app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${apiKey.id}`,
        headers: api.devAuth,
      });
      assert.equal(first.statusCode, 200);
      assert.equal(first.json().status, 'revoked');
      assert.equal(first.json().revokedAt, new Date(api.clock.now()).toISOString());
      api.clock.advance(5000);
      const again = await api.app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${apiKey.id}`,
        headers: api.devAuth,
      });
      assert.equal(again.json().revokedAt, first.json().revokedAt);
      const refused = await api.app.inject({
        url: '/v1/environment',
        headers: { authorization: `Bearer ${secret}` },
      });
      assert.equal(refused.json().error.code, 'invalid_api_key');
    });

    it('allows revoking the key in use; the next request with it fails', async () => {
      const { apiKey, secret } = await api.environments.createKey(api.dev.id, { name: 'self' });
      const headers = { authorization: `Bearer ${secret}` };
      const revoke = await api.app.inject({ method: 'DELETE', url: `/v1/api-keys/${apiKey.id}`, headers });
      assert.equal(revoke.statusCode, 200);
      assert.equal(revoke.json().id, apiKey.id);
      const after = await api.app.inject({ url: '/v1/api-keys', headers });
      assert.equal(after.statusCode, 401);
      assert.equal(after.json().error.code, 'invalid_api_key');
    });
  });
}
