import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { newId } from '../../ids/index.ts';
import { type ConnectApiFixture, openConnectApi } from '../../integrations/fixtures/connect-db.ts';

for (const target of await testDatabases()) {
  describe(`/v1/connect/sessions on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: ConnectApiFixture;
    before(async () => {
      database = await target.create!();
      f = await openConnectApi(database, { publicUrl: 'https://patchbay.example.com/base/' });
      await f.integrations.create(f.api.dev.id, { provider: 'stripe-api-key' });
    });
    after(async () => {
      await f?.close();
      await database?.destroy();
    });

    it('creates a session: token once, the connect URL, no-store, and a token the service accepts', async () => {
      const response = await f.request({
        method: 'POST',
        url: '/v1/connect/sessions',
        headers: f.api.devAuth,
        payload: {
          endUser: { id: 'user-7', email: 'u7@example.com' },
          allowedIntegrations: ['stripe-api-key'],
          allowedOrigin: 'https://app.example.com',
          ttlSeconds: 600,
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.headers['cache-control'], 'no-store');
      const body = response.json();
      assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'id', 'token', 'url']);
      assert.match(body.token, /^pb_cst_[A-Za-z0-9_-]{43}$/);
      assert.match(body.id, /^cs_/);
      assert.equal(body.url, `https://patchbay.example.com/base/connect?session=${body.token}`);
      assert.equal(body.expiresAt, new Date(f.clock.now() + 600_000).toISOString());
      const session = await f.sessions.authenticate(body.token);
      assert.equal(session.environmentId, f.api.dev.id);
      assert.deepEqual(session.endUser, { id: 'user-7', email: 'u7@example.com', organization: null });
      assert.equal(f.api.logs.text().includes(body.token), false);

      const fromProd = await f.request({
        method: 'POST',
        url: '/v1/connect/sessions',
        headers: f.api.prodAuth,
        payload: { endUser: { id: 'user-7' } },
      });
      assert.equal((await f.sessions.authenticate(fromProd.json().token)).environmentId, f.api.prod.id);
    });

    it('answers bad input with 4xx codes', async () => {
      const cases: Array<[unknown, number, string]> = [
        [{}, 400, 'validation_failed'],
        [{ endUser: { id: '' } }, 400, 'validation_failed'],
        [{ endUser: { id: 'u' }, ttlSeconds: 86_401 }, 400, 'validation_failed'],
        [{ endUser: { id: 'u' }, ttlSeconds: 10 }, 400, 'validation_failed'],
        [
          { endUser: { id: 'u' }, allowedOrigin: 'https://app.example.com/callback' },
          400,
          'validation_failed',
        ],
        [{ endUser: { id: 'u' }, allowedIntegrations: [] }, 400, 'validation_failed'],
        [{ endUser: { id: 'u' }, allowedIntegrations: ['gumroad'] }, 404, 'not_found'],
        [{ endUser: { id: 'u' }, connectionId: newId('connection') }, 404, 'not_found'],
        [{ endUser: { id: 'u' }, extra: true }, 400, 'validation_failed'],
      ];
      for (const [payload, status, code] of cases) {
        const response = await f.request({
          method: 'POST',
          url: '/v1/connect/sessions',
          headers: f.api.devAuth,
          payload: payload as Record<string, unknown>,
        });
        assert.equal(response.statusCode, status, `${JSON.stringify(payload)}: ${response.body}`);
        assert.equal(response.json().error.code, code);
      }
    });
  });
}
