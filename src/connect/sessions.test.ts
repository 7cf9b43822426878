import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import { newId } from '../ids/index.ts';
import { type ConnectFixture, openConnectFixture } from '../integrations/fixtures/connect-db.ts';
import { redactString } from '../logger/index.ts';
import { hashConnectToken } from './sessions.ts';

function rejectsWith(code: string, status?: number) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    if (status !== undefined) assert.equal(error.status, status);
    return true;
  };
}

for (const target of await testDatabases()) {
  describe(`connect sessions on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: ConnectFixture;
    let connectionId: string;

    before(async () => {
      database = await target.create!();
      f = await openConnectFixture(database);
      await f.integrations.create(f.dev.id, { provider: 'gumroad', clientId: 'c', clientSecret: 's' });
      await f.integrations.create(f.dev.id, { provider: 'stripe-api-key' });
      await f.integrations.create(f.dev.id, { provider: 'resend', enabled: false });
      await f.integrations.create(f.prod.id, { provider: 'stripe-api-key', key: 'prod-only' });
      const connection = await f.connections.save(f.dev.id, {
        integrationId: 'gumroad',
        endUser: { id: 'user-1', email: null, organization: null },
        credentials: { type: 'oauth2', accessToken: 'at' },
        connectionConfig: {},
        metadata: {},
      });
      connectionId = connection.id;
    });
    after(async () => {
      await f?.store.close();
      await database?.destroy();
    });

    it('creates a session whose token is shown once and stored only as its hash', async () => {
      const { session, token } = await f.sessions.create(f.dev.id, {
        endUser: { id: ' user-1 ', email: 'ada@example.com' },
        allowedIntegrations: ['gumroad', 'stripe-api-key', 'gumroad'],
        allowedOrigin: 'https://app.example.com',
      });
      assert.match(token, /^pb_cst_[A-Za-z0-9_-]{43}$/);
      assert.match(session.id, /^cs_[0-9a-z]{26}$/);
      assert.deepEqual(
        { ...session, id: undefined },
        {
          id: undefined,
          environmentId: f.dev.id,
          endUser: { id: 'user-1', email: 'ada@example.com', organization: null },
          allowedIntegrations: ['gumroad', 'stripe-api-key'],
          connectionId: null,
          allowedOrigin: 'https://app.example.com',
          purpose: 'connect',
          options: null,
          expiresAt: f.clock.now() + 1_800_000,
          createdAt: f.clock.now(),
        },
      );
      const raw = await f.store.db
        .selectFrom('connect_sessions')
        .selectAll()
        .where('id', '=', session.id)
        .executeTakeFirstOrThrow();
      assert.equal(raw.token_hash, hashConnectToken(token));
      assert.match(raw.token_hash, /^[0-9a-f]{64}$/);
      assert.equal(JSON.stringify(raw).includes(token.slice(7)), false);

      assert.deepEqual(await f.sessions.authenticate(token), session);
      assert.deepEqual(await f.sessions.get(f.dev.id, session.id), session);
      assert.equal(redactString(`session=${token}`), 'session=[redacted]');
    });

    it('keeps a hub session’s purpose and options, and offers it every integration', async () => {
      const options = { colorScheme: 'dark', theme: { accent: '#0b6e4f' } };
      const { session, token } = await f.sessions.create(f.dev.id, {
        endUser: { id: 'user-1' },
        purpose: 'hub',
        options,
      });
      assert.equal(session.purpose, 'hub');
      assert.deepEqual(session.options, options);
      assert.equal(session.allowedIntegrations, null);
      assert.deepEqual(await f.sessions.authenticate(token), session);
      await assert.rejects(
        f.sessions.create(f.dev.id, {
          endUser: { id: 'user-1' },
          purpose: 'hub',
          allowedIntegrations: ['gumroad'],
        }),
        rejectsWith('validation_failed', 400),
      );
      await assert.rejects(
        f.sessions.create(f.dev.id, { endUser: { id: 'user-1' }, purpose: 'hub', connectionId }),
        rejectsWith('validation_failed', 400),
      );
      await assert.rejects(
        f.sessions.create(f.dev.id, { endUser: { id: 'user-1' }, options }),
        rejectsWith('validation_failed', 400),
      );
    });

    it('expires: valid until expiresAt, then connect_session_expired', async () => {
      const { session, token } = await f.sessions.create(f.dev.id, { endUser: { id: 'u' }, ttlSeconds: 60 });
      assert.equal(session.expiresAt, f.clock.now() + 60_000);
      f.clock.advance(59_999);
      assert.equal((await f.sessions.authenticate(token)).id, session.id);
      f.clock.advance(1);
      await assert.rejects(f.sessions.authenticate(token), rejectsWith('connect_session_expired', 401));
      await assert.rejects(f.sessions.get(f.dev.id, session.id), rejectsWith('connect_session_expired', 401));
    });

    it('refuses unknown, malformed and other-environment tokens and ids', async () => {
      const { session, token } = await f.sessions.create(f.dev.id, { endUser: { id: 'u' } });
      for (const bad of [
        '',
        'pb_cst_',
        `${token}x`,
        token.replace(/.$/, token.endsWith('A') ? 'B' : 'A'),
        'pb_sk_dev_x',
        'x'.repeat(5000),
      ]) {
        await assert.rejects(
          f.sessions.authenticate(bad),
          rejectsWith('connect_session_invalid', 401),
          bad.slice(0, 20),
        );
      }
      await assert.rejects(f.sessions.get(f.prod.id, session.id), rejectsWith('connect_session_invalid'));
      await assert.rejects(
        f.sessions.get(f.dev.id, newId('connectSession')),
        rejectsWith('connect_session_invalid'),
      );
      // A dev token authenticates as dev, whatever asks: callers compare the environment.
      assert.equal((await f.sessions.authenticate(token)).environmentId, f.dev.id);
    });

    it('validates allowed integrations, origins, TTL and the end user', async () => {
      const create = (input: Parameters<typeof f.sessions.create>[1], env = f.dev.id) =>
        f.sessions.create(env, input);
      await assert.rejects(
        create({ endUser: { id: 'u' }, allowedIntegrations: ['nope'] }),
        rejectsWith('not_found'),
      );
      await assert.rejects(
        create({ endUser: { id: 'u' }, allowedIntegrations: ['prod-only'] }),
        rejectsWith('not_found'),
      );
      await assert.rejects(
        create({ endUser: { id: 'u' }, allowedIntegrations: ['resend'] }),
        rejectsWith('validation_failed'),
      );
      await assert.rejects(
        create({ endUser: { id: 'u' }, allowedIntegrations: [] }),
        rejectsWith('validation_failed'),
      );
      for (const origin of [
        'https://app.example.com/path',
        'app.example.com',
        'ftp://app.example.com',
        'https://app.example.com?x=1',
        'https://user:pw@app.example.com',
        'javascript:alert(1)',
        '*',
      ]) {
        await assert.rejects(
          create({ endUser: { id: 'u' }, allowedOrigin: origin }),
          rejectsWith('validation_failed', 400),
          origin,
        );
      }
      const local = await create({ endUser: { id: 'u' }, allowedOrigin: 'http://localhost:3000/' });
      assert.equal(local.session.allowedOrigin, 'http://localhost:3000');
      const upper = await create({ endUser: { id: 'u' }, allowedOrigin: 'HTTPS://App.Example.com' });
      assert.equal(upper.session.allowedOrigin, 'https://app.example.com');
      for (const ttlSeconds of [0, -1, 86_401, 1.5]) {
        await assert.rejects(
          create({ endUser: { id: 'u' }, ttlSeconds }),
          rejectsWith('validation_failed'),
          String(ttlSeconds),
        );
      }
      assert.equal(
        (await create({ endUser: { id: 'u' }, ttlSeconds: 86_400 })).session.expiresAt,
        f.clock.now() + 86_400_000,
      );
      await assert.rejects(create({ endUser: { id: '' } }), rejectsWith('validation_failed'));
      await assert.rejects(create({ endUser: { id: 'u' } }, newId('environment')), rejectsWith('not_found'));
    });

    it('reconnect sessions: the connection must exist in the environment and belong to the end user', async () => {
      const { session } = await f.sessions.create(f.dev.id, {
        endUser: { id: 'user-1' },
        connectionId,
      });
      assert.equal(session.connectionId, connectionId);
      assert.deepEqual(session.allowedIntegrations, ['gumroad']);
      await assert.rejects(
        f.sessions.create(f.prod.id, { endUser: { id: 'user-1' }, connectionId }),
        rejectsWith('not_found'),
      );
      await assert.rejects(
        f.sessions.create(f.dev.id, { endUser: { id: 'user-2' }, connectionId }),
        rejectsWith('validation_failed'),
      );
      await assert.rejects(
        f.sessions.create(f.dev.id, {
          endUser: { id: 'user-1' },
          connectionId,
          allowedIntegrations: ['stripe-api-key'],
        }),
        rejectsWith('validation_failed'),
      );
    });
  });
}
