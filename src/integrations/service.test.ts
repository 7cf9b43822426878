import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import { type ConnectFixture, openConnectFixture } from './fixtures/connect-db.ts';
import { createIntegrationsService } from './service.ts';

const SECRET = 'gumroad-client-secret-7Hq2xZ';

function rejectsWith(code: string, check?: (error: { details?: unknown; message: string }) => void) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    check?.(error as { details?: unknown; message: string });
    return true;
  };
}

for (const target of await testDatabases()) {
  describe(`integrations service on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: ConnectFixture;
    before(async () => {
      database = await target.create!();
      f = await openConnectFixture(database);
    });
    after(async () => {
      await f?.store.close();
      await database?.destroy();
    });

    it('creates an OAuth integration, keeping its secrets encrypted and never showing them', async () => {
      const created = await f.integrations.create(f.dev.id, {
        provider: 'gumroad',
        clientId: 'client-abc',
        clientSecret: SECRET,
        webhookSecret: 'whk-plain-9981',
        scopes: ['view_sales', 'view_profile'],
        displayName: 'Gumroad',
      });
      assert.match(created.id, /^int_[0-9a-z]{26}$/);
      assert.deepEqual(
        { ...created, id: undefined },
        {
          id: undefined,
          environmentId: f.dev.id,
          key: 'gumroad',
          provider: 'gumroad',
          displayName: 'Gumroad',
          clientId: 'client-abc',
          hasClientSecret: true,
          hasWebhookSecret: true,
          scopes: ['view_sales', 'view_profile'],
          settings: {},
          enabled: true,
          createdAt: f.clock.now(),
          updatedAt: f.clock.now(),
        },
      );
      assert.equal(JSON.stringify(created).includes(SECRET), false);

      const raw = await f.store.db
        .selectFrom('integrations')
        .select(['client_secret', 'webhook_secret'])
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      for (const [value, plain] of [
        [raw.client_secret, SECRET],
        [raw.webhook_secret, 'whk-plain-9981'],
      ] as const) {
        assert.ok(value?.startsWith('pbv1.'), value ?? 'null');
        assert.ok(value);
        assert.equal(value.includes(plain), false);
        assert.equal(
          Buffer.from(value.split('.')[2]!, 'base64url').toString('latin1').includes(plain),
          false,
        );
      }

      assert.deepEqual(await f.integrations.get(f.dev.id, 'gumroad'), created);
      assert.deepEqual(await f.integrations.get(f.dev.id, created.id), created);
      assert.deepEqual(
        (await f.integrations.list(f.dev.id)).map((i) => i.key),
        ['gumroad'],
      );

      const resolved = await f.integrations.resolve(f.dev.id, 'gumroad');
      assert.equal(resolved.clientSecret, SECRET);
      assert.equal(resolved.clientId, 'client-abc');
      assert.deepEqual(resolved.scopes, ['view_sales', 'view_profile']);
      assert.equal(resolved.definition.name, 'gumroad');
      assert.equal(resolved.definition.proxy?.baseUrl, 'https://api.gumroad.com/v2');
    });

    it('scopes every operation to the environment: an id from dev is not found in prod', async () => {
      const inDev = await f.integrations.get(f.dev.id, 'gumroad');
      for (const call of [
        () => f.integrations.get(f.prod.id, inDev.id),
        () => f.integrations.get(f.prod.id, 'gumroad'),
        () => f.integrations.update(f.prod.id, inDev.id, { displayName: 'x' }),
        () => f.integrations.delete(f.prod.id, inDev.id),
        () => f.integrations.resolve(f.prod.id, inDev.id),
      ]) {
        await assert.rejects(call(), rejectsWith('not_found'));
      }
      assert.deepEqual(await f.integrations.list(f.prod.id), []);
      // The same key is free in another environment.
      const inProd = await f.integrations.create(f.prod.id, {
        provider: 'gumroad',
        clientId: 'prod-client',
        clientSecret: 'prod-secret',
      });
      assert.equal(inProd.key, 'gumroad');
      assert.notEqual(inProd.id, inDev.id);
    });

    it('refuses bad input with stable codes naming the field', async () => {
      await assert.rejects(
        f.integrations.create(f.dev.id, { provider: 'no-such-provider', key: 'x' }),
        rejectsWith('provider_not_found'),
      );
      await assert.rejects(
        f.integrations.create(f.dev.id, { provider: 'gumroad', key: 'gumroad-2', clientId: 'id' }),
        rejectsWith('validation_failed', (e) =>
          assert.deepEqual(
            (e.details as { issues: Array<{ path: string }> }).issues.map((i) => i.path),
            ['clientSecret'],
          ),
        ),
      );
      await assert.rejects(
        f.integrations.create(f.dev.id, { provider: 'gumroad', key: 'gumroad-3', clientSecret: 's' }),
        rejectsWith('validation_failed', (e) => assert.match(e.message, /clientId/)),
      );
      for (const key of ['Gumroad', 'has space', '-dash', 'dash-', 'under_score', 'x'.repeat(61), '']) {
        await assert.rejects(
          f.integrations.create(f.dev.id, { provider: 'stripe-api-key', key }),
          rejectsWith('validation_failed', (e) => assert.match(e.message, /key/)),
          key,
        );
      }
      await assert.rejects(
        f.integrations.create(f.dev.id, { provider: 'gumroad', clientId: 'a', clientSecret: 'b' }),
        rejectsWith('conflict', (e) => assert.match(e.message, /"gumroad" already exists/)),
      );
      await assert.rejects(
        f.integrations.create(f.dev.id, {
          provider: 'stripe-api-key',
          key: 'bad-override',
          settings: { baseUrls: { 'https://api.example.com': 'http://127.0.0.1:4010' } },
        }),
        rejectsWith('validation_failed', (e) =>
          assert.deepEqual(
            (e.details as { issues: Array<{ path: string }> }).issues[0]?.path,
            'settings.baseUrls',
          ),
        ),
      );
      await assert.rejects(
        f.integrations.create(f.dev.id, {
          provider: 'stripe-api-key',
          key: 'public-http',
          settings: { baseUrls: { '*': 'http://example.com' } },
        }),
        rejectsWith('validation_failed'),
      );
      await assert.rejects(
        f.integrations.create(f.dev.id, {
          provider: 'stripe-api-key',
          key: 'bad-redirect',
          settings: { redirectUri: 'javascript:alert(1)' },
        }),
        rejectsWith('validation_failed', (e) => assert.match(e.message, /redirectUri/)),
      );
      await assert.rejects(
        f.integrations.create(f.dev.id, { provider: 'stripe-api-key', key: 'bad-scope', scopes: ['a b'] }),
        rejectsWith('validation_failed'),
      );
      // Key-based providers need no app credentials.
      const apiKey = await f.integrations.create(f.dev.id, { provider: 'stripe-api-key' });
      assert.equal(apiKey.hasClientSecret, false);
    });

    it('lets exactly one of two concurrent creates of the same key succeed', async () => {
      const results = await Promise.allSettled(
        [1, 2].map(() => f.integrations.create(f.dev.id, { provider: 'stripe-api-key', key: 'raced' })),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const failed = results.find((r) => r.status === 'rejected');
      assert.ok(failed && rejectsWith('conflict')(failed.reason));
    });

    it('applies base-URL overrides when resolving, and validates them on update', async () => {
      const created = await f.integrations.create(f.dev.id, {
        provider: 'gumroad',
        key: 'gumroad-sandbox',
        clientId: 'sandbox-client',
        clientSecret: 'sandbox-secret',
        settings: { baseUrls: { 'https://api.gumroad.com': 'http://127.0.0.1:4010/gumroad' } },
      });
      assert.deepEqual(created.settings, {
        baseUrls: { 'https://api.gumroad.com': 'http://127.0.0.1:4010/gumroad' },
      });
      const resolved = await f.integrations.resolve(f.dev.id, created.id);
      assert.equal(resolved.definition.proxy?.baseUrl, 'http://127.0.0.1:4010/gumroad/v2');
      assert.equal(
        resolved.definition.auth.mode === 'oauth2' && resolved.definition.auth.tokenUrl,
        'https://gumroad.com/oauth/token',
      );

      await assert.rejects(
        f.integrations.update(f.dev.id, created.id, {
          settings: { baseUrls: { 'https://nope.example': 'http://127.0.0.1:1' } },
        }),
        rejectsWith('validation_failed'),
      );
      f.clock.advance(1000);
      const updated = await f.integrations.update(f.dev.id, created.id, {
        settings: { baseUrls: { '*': 'http://127.0.0.1:5000' } },
      });
      assert.equal(updated.updatedAt, f.clock.now());
      const again = await f.integrations.resolve(f.dev.id, created.id);
      assert.equal(again.definition.proxy?.baseUrl, 'http://127.0.0.1:5000/v2');
      assert.equal(
        again.definition.auth.mode === 'oauth2' && again.definition.auth.tokenUrl,
        'http://127.0.0.1:5000/oauth/token',
      );
    });

    it('updates fields, null clearing, and keeps OAuth integrations usable', async () => {
      const created = await f.integrations.create(f.dev.id, {
        provider: 'gumroad',
        key: 'gumroad-upd',
        displayName: 'Old name',
        clientId: 'id-1',
        clientSecret: 'secret-1',
      });
      const updated = await f.integrations.update(f.dev.id, 'gumroad-upd', {
        displayName: null,
        clientSecret: 'secret-2',
        webhookSecret: 'hook-2',
        scopes: null,
        enabled: false,
      });
      assert.equal(updated.displayName, null);
      assert.equal(updated.clientId, 'id-1');
      assert.equal(updated.hasWebhookSecret, true);
      assert.equal(updated.enabled, false);
      assert.deepEqual(await f.integrations.get(f.dev.id, created.id), updated);
      assert.equal((await f.integrations.resolve(f.dev.id, created.id)).clientSecret, 'secret-2');
      await assert.rejects(
        f.integrations.update(f.dev.id, created.id, { clientSecret: null }),
        rejectsWith('validation_failed', (e) => assert.match(e.message, /clientSecret/)),
      );
      const cleared = await f.integrations.update(f.dev.id, created.id, { webhookSecret: null });
      assert.equal(cleared.hasWebhookSecret, false);
    });

    it('binds each secret to its row: a ciphertext copied to another integration does not decrypt', async () => {
      const a = await f.integrations.create(f.dev.id, {
        provider: 'gumroad',
        key: 'copy-a',
        clientId: 'a',
        clientSecret: 'secret-of-a',
      });
      const b = await f.integrations.create(f.dev.id, {
        provider: 'gumroad',
        key: 'copy-b',
        clientId: 'b',
        clientSecret: 'secret-of-b',
      });
      const { client_secret } = await f.store.db
        .selectFrom('integrations')
        .select('client_secret')
        .where('id', '=', a.id)
        .executeTakeFirstOrThrow();
      await f.store.db.updateTable('integrations').set({ client_secret }).where('id', '=', b.id).execute();
      await assert.rejects(f.integrations.resolve(f.dev.id, b.id), rejectsWith('vault_decrypt_failed'));
      // The column's purpose is bound too: the client secret envelope is no webhook secret.
      await f.store.db
        .updateTable('integrations')
        .set({ client_secret: null, webhook_secret: client_secret })
        .where('id', '=', a.id)
        .execute();
      assert.equal((await f.integrations.resolve(f.dev.id, a.id)).clientSecret, null);
    });

    it('resolves a changed client secret at once, also when another process changed it in the same millisecond', async () => {
      const created = await f.integrations.create(f.dev.id, {
        provider: 'gumroad',
        key: 'secret-change',
        clientId: 'cid',
        clientSecret: 'first-secret',
      });
      assert.equal((await f.integrations.resolve(f.dev.id, created.id)).clientSecret, 'first-secret');

      // A second service on the same database: another process. The clock has not moved, so the
      // row's updated_at is unchanged too.
      const other = createIntegrationsService({
        store: f.store,
        vault: f.vault,
        catalog: f.catalog,
        clock: f.clock,
      });
      await other.update(f.dev.id, created.id, { clientSecret: 'second-secret', scopes: ['read'] });
      const changed = await f.integrations.resolve(f.dev.id, created.id);
      assert.equal(changed.clientSecret, 'second-secret');
      assert.deepEqual(changed.scopes, ['read']);
      await other.update(f.dev.id, created.id, { settings: { redirectUri: 'https://host.example/cb' } });
      assert.equal(
        (await f.integrations.resolve(f.dev.id, created.id)).redirectUri,
        'https://host.example/cb',
      );
    });

    it('refuses to delete an integration that has connections, then deletes it', async () => {
      const integration = await f.integrations.create(f.dev.id, {
        provider: 'stripe-api-key',
        key: 'to-delete',
      });
      const connection = await f.connections.save(f.dev.id, {
        integrationId: integration.id,
        endUser: { id: 'user-1', email: null, organization: null },
        credentials: { type: 'api_key', values: { secretKey: 'sk_test_123456789' } },
        connectionConfig: {},
        metadata: {},
      });
      await assert.rejects(
        f.integrations.delete(f.dev.id, 'to-delete'),
        rejectsWith('conflict', (e) => assert.match(e.message, /still has connections/)),
      );
      await f.connections.delete(f.dev.id, connection.id);
      await f.integrations.delete(f.dev.id, 'to-delete');
      await assert.rejects(f.integrations.get(f.dev.id, integration.id), rejectsWith('not_found'));
    });
  });
}
