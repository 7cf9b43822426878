import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { listEvents } from '../../events/index.ts';
import { newId } from '../../ids/index.ts';
import { type ConnectApiFixture, openConnectApi } from '../../integrations/fixtures/connect-db.ts';
import type { Credentials } from '../../ports/connections.ts';

const ACCESS = 'at-7d1f0c55e9b24a1e';
const REFRESH = 'rt-40aa9c1d7be35f62';

for (const target of await testDatabases()) {
  describe(`/v1/connections on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: ConnectApiFixture;
    const ids: string[] = [];
    const tested: string[] = [];
    const credentials = (): Credentials => ({
      type: 'oauth2',
      accessToken: ACCESS,
      refreshToken: REFRESH,
      expiresAt: f.clock.now() + 3_600_000,
    });

    before(async () => {
      database = await target.create!();
      f = await openConnectApi(database, {
        revoke: async () => ({ revoked: true }),
        async test(_environmentId, connectionId) {
          tested.push(connectionId);
          return {
            ok: false,
            status: 401,
            code: 'credentials_rejected',
            message: `provider said: Bearer ${ACCESS} is invalid`,
          };
        },
      });
      await f.integrations.create(f.api.dev.id, {
        provider: 'gumroad',
        clientId: 'c',
        clientSecret: 'client-secret-q',
      });
      await f.integrations.create(f.api.dev.id, { provider: 'stripe-api-key' });
      for (const [integrationId, endUserId] of [
        ['gumroad', 'alice'],
        ['gumroad', 'bob'],
        ['stripe-api-key', 'alice'],
      ] as const) {
        const connection = await f.connections.save(f.api.dev.id, {
          integrationId,
          endUser: { id: endUserId, email: `${endUserId}@example.com`, organization: null },
          credentials:
            integrationId === 'gumroad'
              ? credentials()
              : { type: 'api_key', values: { secretKey: 'sk_test_abcdef123456' } },
          connectionConfig: {},
          metadata: { plan: 'pro' },
        });
        ids.push(connection.id);
      }
    });
    after(async () => {
      const secrets = [ACCESS, REFRESH, 'sk_test_abcdef123456', 'client-secret-q'];
      for (const body of f?.bodies ?? []) {
        for (const secret of secrets)
          assert.equal(body.includes(secret), false, `a response contained ${secret}`);
      }
      for (const secret of secrets)
        assert.equal(f?.api.logs.text().includes(secret), false, `the log has ${secret}`);
      await f?.close();
      // With SQLite the whole database is files: no secret is in them in plaintext.
      if (database?.name === 'sqlite') {
        const files = readdirSync(database.dataDir).filter((name) => name.startsWith('patchbay.db'));
        assert.ok(files.includes('patchbay.db'));
        for (const file of files) {
          const bytes = readFileSync(join(database.dataDir, file));
          for (const secret of secrets)
            assert.equal(bytes.includes(secret), false, `${file} holds ${secret}`);
        }
      }
      await database?.destroy();
    });

    it('lists with filters and pages, and gets one, without credentials', async () => {
      const auth = f.api.devAuth;
      const all = await f.request({ url: '/v1/connections', headers: auth });
      assert.equal(all.statusCode, 200, all.body);
      assert.deepEqual(
        all.json().data.map((c: { id: string }) => c.id),
        ids,
      );
      assert.equal(all.json().nextAfter, null);
      const first = all.json().data[0];
      assert.deepEqual(Object.keys(first).sort(), [
        'connectionConfig',
        'createdAt',
        'endUser',
        'environmentId',
        'expiresAt',
        'id',
        'integrationId',
        'integrationKey',
        'lastError',
        'lastRefreshedAt',
        'metadata',
        'provider',
        'status',
        'updatedAt',
      ]);
      assert.equal(first.expiresAt, new Date(f.clock.now() + 3_600_000).toISOString());
      assert.deepEqual(first.endUser, { id: 'alice', email: 'alice@example.com', organization: null });

      const page = await f.request({ url: '/v1/connections?limit=2', headers: auth });
      assert.equal(page.json().nextAfter, ids[1]);
      const next = await f.request({ url: `/v1/connections?limit=2&after=${ids[1]}`, headers: auth });
      assert.deepEqual(
        next.json().data.map((c: { id: string }) => c.id),
        [ids[2]],
      );
      const filtered = await f.request({
        url: '/v1/connections?integration=gumroad&endUserId=alice&status=active',
        headers: auth,
      });
      assert.deepEqual(
        filtered.json().data.map((c: { id: string }) => c.id),
        [ids[0]],
      );

      const one = await f.request({ url: `/v1/connections/${ids[0]}`, headers: auth });
      assert.deepEqual(one.json(), first);
    });

    it('answers bad input and other environments with 4xx codes', async () => {
      const auth = f.api.devAuth;
      for (const [url, status, code] of [
        ['/v1/connections?limit=0', 400, 'validation_failed'],
        ['/v1/connections?limit=201', 400, 'validation_failed'],
        ['/v1/connections?limit=abc', 400, 'validation_failed'],
        ['/v1/connections?status=sleeping', 400, 'validation_failed'],
        ['/v1/connections?unknown=1', 400, 'validation_failed'],
        ['/v1/connections/int_01jz8x7y6w5v4t3s2r1q0p9n8m', 400, 'invalid_id'],
        ['/v1/connections/nope', 400, 'invalid_id'],
        [`/v1/connections/${newId('connection')}`, 404, 'not_found'],
      ] as const) {
        const response = await f.request({ url, headers: auth });
        assert.equal(response.statusCode, status, `${url}: ${response.body}`);
        assert.equal(response.json().error.code, code, url);
      }
      const fromProd = await f.request({ url: `/v1/connections/${ids[0]}`, headers: f.api.prodAuth });
      assert.equal(fromProd.statusCode, 404);
      assert.deepEqual((await f.request({ url: '/v1/connections', headers: f.api.prodAuth })).json(), {
        data: [],
        nextAfter: null,
      });
      for (const [method, url] of [
        ['DELETE', `/v1/connections/${ids[0]}`],
        ['PATCH', `/v1/connections/${ids[0]}/metadata`],
        ['POST', `/v1/connections/${ids[0]}/test`],
      ] as const) {
        const response = await f.request({
          method,
          url,
          headers: f.api.prodAuth,
          ...(method === 'PATCH' ? { payload: { a: 1 } } : {}),
        });
        assert.equal(response.statusCode, 404, `${method} ${url}`);
      }
      assert.equal(tested.length, 0);
      const badMetadata = await f.request({
        method: 'PATCH',
        url: `/v1/connections/${ids[0]}/metadata`,
        headers: auth,
        payload: [1, 2],
      });
      assert.equal(badMetadata.statusCode, 400);
      assert.equal(badMetadata.json().error.code, 'validation_failed');
    });

    it('merges metadata', async () => {
      const response = await f.request({
        method: 'PATCH',
        url: `/v1/connections/${ids[1]}/metadata`,
        headers: f.api.devAuth,
        payload: { plan: null, team: 'growth' },
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json().metadata, { team: 'growth' });
    });

    it('refuses metadata nested thousands of levels deep with 400 json_too_deep, keeping what is stored', async () => {
      const before = (await f.request({ url: `/v1/connections/${ids[1]}`, headers: f.api.devAuth })).json();
      const levels = 5000;
      const response = await f.request({
        method: 'PATCH',
        url: `/v1/connections/${ids[1]}/metadata`,
        headers: { ...f.api.devAuth, 'content-type': 'application/json' },
        payload: `{"deep":${'['.repeat(levels)}${']'.repeat(levels)}}`,
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error.code, 'json_too_deep');
      assert.deepEqual(response.json().error.details, { maxDepth: 64 });
      const after = (await f.request({ url: `/v1/connections/${ids[1]}`, headers: f.api.devAuth })).json();
      assert.deepEqual(after.metadata, before.metadata);
    });

    it('tests a connection through the injected test, redacting what the provider said', async () => {
      const response = await f.request({
        method: 'POST',
        url: `/v1/connections/${ids[0]}/test`,
        headers: f.api.devAuth,
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), {
        ok: false,
        status: 401,
        code: 'credentials_rejected',
        message: 'provider said: Bearer [redacted] is invalid',
      });
      assert.deepEqual(tested, [ids[0]]);
    });

    it('deletes a connection, revoking it, and writes connection.deleted', async () => {
      const response = await f.request({
        method: 'DELETE',
        url: `/v1/connections/${ids[2]}`,
        headers: f.api.devAuth,
      });
      assert.deepEqual(response.json(), { id: ids[2], deleted: true, revoked: true });
      const again = await f.request({
        method: 'DELETE',
        url: `/v1/connections/${ids[2]}`,
        headers: f.api.devAuth,
      });
      assert.equal(again.statusCode, 404);
      const events = await listEvents(f.store.db, f.api.dev.id);
      assert.equal(events.at(-1)?.type, 'connection.deleted');
      assert.equal(events.at(-1)?.data.connectionId, ids[2]);
      assert.equal(JSON.stringify(events).includes(ACCESS), false);
      assert.equal(f.api.logs.text().includes(ACCESS), false);
    });
  });
}
