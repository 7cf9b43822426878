import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import { appendEvent, listEvents } from '../events/index.ts';
import { newId } from '../ids/index.ts';
import { type ConnectFixture, openConnectFixture } from '../integrations/fixtures/connect-db.ts';
import type { Integration } from '../integrations/index.ts';
import { createLogger, createMemoryDestination } from '../logger/index.ts';
import type { Credentials } from '../ports/connections.ts';
import { createResponseCache } from '../proxy/cache.ts';
import { createRecordsRepository } from '../syncs/records/index.ts';
import { createConnectionHooks } from './hooks.ts';
import { createConnectionsService } from './service.ts';
import type { SaveConnectionInput } from './types.ts';

const ACCESS = 'gum-access-token-1f9c2e7a';
const REFRESH = 'gum-refresh-token-b81d44c0';

function rejectsWith(code: string) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    return true;
  };
}

for (const target of await testDatabases()) {
  describe(`connections service on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: ConnectFixture;
    let gumroad: Integration;
    let stripeKeys: Integration;
    const revoked: string[] = [];
    let revokeFails = false;
    const logs = createMemoryDestination();

    const oauth = (overrides: Partial<Extract<Credentials, { type: 'oauth2' }>> = {}): Credentials => ({
      type: 'oauth2',
      accessToken: ACCESS,
      refreshToken: REFRESH,
      expiresAt: f.clock.now() + 3_600_000,
      ...overrides,
    });
    const input = (overrides: Partial<SaveConnectionInput> = {}): SaveConnectionInput => ({
      integrationId: gumroad.id,
      endUser: { id: 'user-1', email: 'ada@example.com', organization: 'Acme' },
      credentials: oauth(),
      connectionConfig: {},
      metadata: { accountId: 'acct-1' },
      ...overrides,
    });
    const rawRow = (id: string) =>
      f.store.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();

    before(async () => {
      database = await target.create!();
      f = await openConnectFixture(database, {
        logger: createLogger({ level: 'trace', destination: logs }),
        async revoke(_environmentId, connectionId) {
          revoked.push(connectionId);
          if (revokeFails) throw new PatchbayError('provider_unreachable', `revoke failed for ${ACCESS}`);
          return { revoked: true };
        },
      });
      gumroad = await f.integrations.create(f.dev.id, {
        provider: 'gumroad',
        clientId: 'cid',
        clientSecret: 'client-secret-xyz',
      });
      stripeKeys = await f.integrations.create(f.dev.id, { provider: 'stripe-api-key' });
    });
    after(async () => {
      await f?.store.close();
      await database?.destroy();
    });

    it('saves a connection with encrypted credentials, mirrors the expiry and writes connection.created', async () => {
      const before = await listEvents(f.store.db, f.dev.id);
      const connection = await f.connections.save(f.dev.id, input());
      assert.match(connection.id, /^conn_[0-9a-z]{26}$/);
      assert.deepEqual(
        { ...connection, id: undefined },
        {
          id: undefined,
          environmentId: f.dev.id,
          integrationId: gumroad.id,
          integrationKey: 'gumroad',
          provider: 'gumroad',
          endUser: { id: 'user-1', email: 'ada@example.com', organization: 'Acme' },
          status: 'active',
          connectionConfig: {},
          metadata: { accountId: 'acct-1' },
          expiresAt: f.clock.now() + 3_600_000,
          lastError: null,
          lastRefreshedAt: null,
          createdAt: f.clock.now(),
          updatedAt: f.clock.now(),
        },
      );
      assert.equal(JSON.stringify(connection).includes(ACCESS), false);

      const raw = (await rawRow(connection.id))!;
      assert.ok(raw.credentials?.startsWith('pbv1.'));
      for (const secret of [ACCESS, REFRESH]) assert.equal(raw.credentials?.includes(secret), false);
      assert.equal(raw.expires_at, f.clock.now() + 3_600_000);

      const events = (await listEvents(f.store.db, f.dev.id)).slice(before.length);
      assert.deepEqual(
        events.map((e) => [e.type, e.data]),
        [
          [
            'connection.created',
            {
              connectionId: connection.id,
              integrationId: gumroad.id,
              integrationKey: 'gumroad',
              provider: 'gumroad',
              endUserId: 'user-1',
            },
          ],
        ],
      );

      const context = await f.connections.load(f.dev.id, connection.id);
      assert.deepEqual(context.credentials, oauth());
      assert.equal(context.integration.clientSecret, 'client-secret-xyz');
      assert.equal(context.endUserId, 'user-1');
      assert.equal(context.status, 'active');
      assert.equal(context.updatedAt, connection.updatedAt);
    });

    it('scopes reads and writes to the environment: a dev id is not found in prod', async () => {
      const connection = await f.connections.save(f.dev.id, input());
      const reason = { code: 'x', message: 'y' };
      for (const call of [
        () => f.connections.get(f.prod.id, connection.id),
        () => f.connections.load(f.prod.id, connection.id),
        () => f.connections.updateMetadata(f.prod.id, connection.id, { a: 1 }),
        () => f.connections.delete(f.prod.id, connection.id),
        () => f.connections.storeRefreshed(f.prod.id, connection.id, oauth()),
        () => f.connections.markReauthRequired(f.prod.id, connection.id, reason),
        () => f.connections.recordRefreshFailure(f.prod.id, connection.id, reason),
        () => f.connections.save(f.prod.id, input({ connectionId: connection.id })),
      ]) {
        await assert.rejects(call(), rejectsWith('not_found'));
      }
      assert.deepEqual((await f.connections.list(f.prod.id)).data, []);
      assert.equal((await f.connections.get(f.dev.id, connection.id)).status, 'active');
    });

    it('reconnects: new credentials, status active, errors cleared, connection.reconnected', async () => {
      const connection = await f.connections.save(f.dev.id, input());
      await f.connections.markReauthRequired(f.dev.id, connection.id, {
        code: 'invalid_grant',
        message: 'revoked',
      });
      const mark = (await listEvents(f.store.db, f.dev.id, { limit: 1000 })).at(-1)!.id;
      f.clock.advance(1000);
      const reconnected = await f.connections.save(
        f.dev.id,
        input({
          connectionId: connection.id,
          credentials: oauth({ accessToken: 'new-access', refreshToken: 'new-refresh' }),
          metadata: { accountName: 'Ada' },
          endUser: { id: 'user-1', email: null, organization: null },
        }),
      );
      assert.equal(reconnected.id, connection.id);
      assert.equal(reconnected.status, 'active');
      assert.equal(reconnected.lastError, null);
      assert.deepEqual(reconnected.metadata, { accountId: 'acct-1', accountName: 'Ada' });
      assert.equal(reconnected.endUser.email, 'ada@example.com');
      assert.equal(reconnected.updatedAt, f.clock.now());
      const context = await f.connections.load(f.dev.id, connection.id);
      assert.equal(context.credentials.type === 'oauth2' && context.credentials.refreshToken, 'new-refresh');
      const events = await listEvents(f.store.db, f.dev.id, { after: mark });
      assert.deepEqual(
        events.map((e) => [e.type, e.data.connectionId]),
        [['connection.reconnected', connection.id]],
      );

      await assert.rejects(
        f.connections.save(f.dev.id, input({ connectionId: connection.id, integrationId: stripeKeys.id })),
        rejectsWith('conflict'),
      );
      await assert.rejects(
        f.connections.save(
          f.dev.id,
          input({
            connectionId: connection.id,
            endUser: { id: 'someone-else', email: null, organization: null },
          }),
        ),
        rejectsWith('conflict'),
      );
      await assert.rejects(
        f.connections.save(f.dev.id, input({ connectionId: newId('connection') })),
        rejectsWith('not_found'),
      );
    });

    it('refuses malformed input without storing anything', async () => {
      const count = async () => (await f.connections.list(f.dev.id, { limit: 200 })).data.length;
      const n = await count();
      await assert.rejects(
        f.connections.save(f.dev.id, input({ endUser: { id: ' ', email: null, organization: null } })),
        rejectsWith('validation_failed'),
      );
      await assert.rejects(
        f.connections.save(f.dev.id, input({ credentials: { type: 'oauth2' } as unknown as Credentials })),
        (error: unknown) => {
          assert.ok(isPatchbayError(error, 'validation_failed'));
          assert.match(error.message, /accessToken/);
          return true;
        },
      );
      await assert.rejects(
        f.connections.save(f.dev.id, input({ integrationId: 'no-such-integration' })),
        rejectsWith('not_found'),
      );
      await assert.rejects(
        f.connections.save(f.dev.id, input({ metadata: { blob: 'x'.repeat(20_000) } })),
        rejectsWith('validation_failed'),
      );
      assert.equal(await count(), n);
    });

    it('keeps fields a mode stores beside the required ones', async () => {
      const credentials = {
        type: 'oauth2_client_credentials',
        accessToken: 'cc-access',
        expiresAt: f.clock.now() + 1000,
        clientId: 'end-user-client',
        clientSecret: 'end-user-secret',
      } as Credentials;
      const saved = await f.connections.save(f.dev.id, input({ credentials }));
      assert.deepEqual((await f.connections.load(f.dev.id, saved.id)).credentials, credentials);
      assert.equal((await rawRow(saved.id))?.credentials?.includes('end-user-secret'), false);
    });

    it('binds credentials to their row: a ciphertext copied to another connection does not decrypt', async () => {
      const a = await f.connections.save(f.dev.id, input());
      const b = await f.connections.save(
        f.dev.id,
        input({ endUser: { id: 'user-2', email: null, organization: null } }),
      );
      const { credentials } = (await rawRow(a.id))!;
      await f.store.db.updateTable('connections').set({ credentials }).where('id', '=', b.id).execute();
      await assert.rejects(f.connections.load(f.dev.id, b.id), rejectsWith('vault_decrypt_failed'));
      assert.equal((await f.connections.load(f.dev.id, a.id)).credentials.type, 'oauth2');
    });

    it('stores refreshed credentials atomically, resetting errors, and always moving updatedAt', async () => {
      const connection = await f.connections.save(f.dev.id, input());
      await f.connections.recordRefreshFailure(f.dev.id, connection.id, {
        code: 'timeout',
        message: 'timed out',
      });
      await f.connections.recordRefreshFailure(f.dev.id, connection.id, {
        code: 'http_503',
        message: 'unavailable',
      });
      let raw = (await rawRow(connection.id))!;
      assert.equal(raw.refresh_failures, 2);
      assert.equal(raw.status, 'active');
      assert.deepEqual((await f.connections.get(f.dev.id, connection.id)).lastError, {
        code: 'http_503',
        message: 'unavailable',
      });

      // The clock has not moved since the save: updatedAt still changes.
      const fresh = oauth({
        accessToken: 'rotated-access',
        refreshToken: 'rotated-refresh',
        expiresAt: f.clock.now() + 7_200_000,
      });
      const context = await f.connections.storeRefreshed(f.dev.id, connection.id, fresh);
      assert.deepEqual(context.credentials, fresh);
      assert.ok(context.updatedAt > connection.updatedAt);
      assert.equal(context.expiresAt, f.clock.now() + 7_200_000);
      raw = (await rawRow(connection.id))!;
      assert.equal(raw.refresh_failures, 0);
      assert.equal(raw.last_error_code, null);
      assert.equal(raw.last_refreshed_at, f.clock.now());
      assert.equal(raw.credentials?.includes('rotated-refresh'), false);
      await assert.rejects(
        f.connections.storeRefreshed(f.dev.id, connection.id, { type: 'oauth2' } as unknown as Credentials),
        rejectsWith('validation_failed'),
      );
      assert.deepEqual((await f.connections.load(f.dev.id, connection.id)).credentials, fresh);
    });

    it('never loads stale credentials when another process changed them (decryptions cached by ciphertext)', async () => {
      // A second service on the same database: what another engine process sees.
      const other = createConnectionsService({
        store: f.store,
        vault: f.vault,
        integrations: f.integrations,
        clock: f.clock,
      });
      const connection = await f.connections.save(f.dev.id, input());
      assert.equal((await f.connections.load(f.dev.id, connection.id)).credentials.type, 'oauth2');
      assert.equal((await other.load(f.dev.id, connection.id)).updatedAt, connection.updatedAt);

      // The clock has not moved: only the ciphertext tells the versions apart.
      const refreshed = oauth({ accessToken: 'refreshed-elsewhere' });
      await other.storeRefreshed(f.dev.id, connection.id, refreshed);
      assert.deepEqual((await f.connections.load(f.dev.id, connection.id)).credentials, refreshed);

      const reconnected = oauth({ accessToken: 'reconnected-here' });
      await f.connections.save(f.dev.id, input({ connectionId: connection.id, credentials: reconnected }));
      assert.deepEqual((await other.load(f.dev.id, connection.id)).credentials, reconnected);
      assert.deepEqual((await f.connections.load(f.dev.id, connection.id)).credentials, reconnected);

      await other.delete(f.dev.id, connection.id);
      await assert.rejects(f.connections.load(f.dev.id, connection.id), rejectsWith('not_found'));
    });

    it('marks reauth_required once: status, last error and one event, even when called concurrently', async () => {
      const connection = await f.connections.save(f.dev.id, input());
      const mark = (await listEvents(f.store.db, f.dev.id, { limit: 1000 })).at(-1)!.id;
      const reason = { code: 'invalid_grant', message: `The refresh token ${REFRESH} was revoked` };
      await Promise.all([
        f.connections.markReauthRequired(f.dev.id, connection.id, reason),
        f.connections.markReauthRequired(f.dev.id, connection.id, reason),
      ]);
      await f.connections.markReauthRequired(f.dev.id, connection.id, reason);
      const got = await f.connections.get(f.dev.id, connection.id);
      assert.equal(got.status, 'reauth_required');
      assert.equal(got.lastError?.code, 'invalid_grant');
      const events = await listEvents(f.store.db, f.dev.id, { after: mark });
      assert.equal(events.length, 1);
      assert.equal(events[0]?.type, 'connection.reauth_required');
      assert.deepEqual(events[0]?.data, {
        connectionId: connection.id,
        integrationId: gumroad.id,
        integrationKey: 'gumroad',
        provider: 'gumroad',
        endUserId: 'user-1',
        reason: { code: 'invalid_grant', message: got.lastError?.message },
      });
      assert.deepEqual(
        (await f.connections.list(f.dev.id, { status: 'reauth_required', limit: 200 })).data
          .map((c) => c.id)
          .includes(connection.id),
        true,
      );
    });

    it('lists with filters and an after cursor', async () => {
      const mine = [];
      for (let i = 0; i < 5; i++) {
        mine.push(
          await f.connections.save(
            f.dev.id,
            input({
              integrationId: stripeKeys.id,
              endUser: { id: 'lister', email: null, organization: null },
              credentials: { type: 'api_key', values: { secretKey: `sk_test_${i}` } },
            }),
          ),
        );
      }
      const page1 = await f.connections.list(f.dev.id, { endUserId: 'lister', limit: 2 });
      assert.deepEqual(
        page1.data.map((c) => c.id),
        mine.slice(0, 2).map((c) => c.id),
      );
      assert.equal(page1.nextAfter, mine[1]!.id);
      const page2 = await f.connections.list(f.dev.id, {
        endUserId: 'lister',
        limit: 2,
        after: page1.nextAfter!,
      });
      const page3 = await f.connections.list(f.dev.id, {
        endUserId: 'lister',
        limit: 2,
        after: page2.nextAfter!,
      });
      assert.deepEqual(
        [...page2.data, ...page3.data].map((c) => c.id),
        mine.slice(2).map((c) => c.id),
      );
      assert.equal(page3.nextAfter, null);
      assert.equal(
        (await f.connections.list(f.dev.id, { integration: 'stripe-api-key', limit: 200 })).data.length,
        5,
      );
      assert.equal(
        (await f.connections.list(f.dev.id, { integration: stripeKeys.id, limit: 200 })).data.length,
        5,
      );
      assert.equal(
        (await f.connections.list(f.dev.id, { integration: 'gumroad', endUserId: 'lister' })).data.length,
        0,
      );
    });

    it('merges metadata patches, null removing a key', async () => {
      const connection = await f.connections.save(f.dev.id, input({ metadata: { a: 1, b: 2 } }));
      const updated = await f.connections.updateMetadata(f.dev.id, connection.id, {
        b: null,
        c: { d: true },
      });
      assert.deepEqual(updated.metadata, { a: 1, c: { d: true } });
      assert.deepEqual((await f.connections.get(f.dev.id, connection.id)).metadata, { a: 1, c: { d: true } });
      await assert.rejects(
        f.connections.updateMetadata(f.dev.id, connection.id, { huge: 'x'.repeat(20_000) }),
        rejectsWith('validation_failed'),
      );
    });

    it('refuses metadata a host passes nested deeper than 64 levels (json_too_deep), storing nothing', async () => {
      const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown;
      const connection = await f.connections.save(f.dev.id, input({ metadata: { a: 1 } }));
      await assert.rejects(
        f.connections.updateMetadata(f.dev.id, connection.id, { deep }),
        rejectsWith('json_too_deep'),
      );
      await assert.rejects(
        f.connections.save(f.dev.id, input({ metadata: { deep } })),
        rejectsWith('json_too_deep'),
      );
      assert.deepEqual((await f.connections.get(f.dev.id, connection.id)).metadata, { a: 1 });
    });

    it('deletes: revokes best effort, removes the row and writes connection.deleted', async () => {
      const a = await f.connections.save(f.dev.id, input());
      const mark = (await listEvents(f.store.db, f.dev.id, { limit: 1000 })).at(-1)!.id;
      assert.deepEqual(await f.connections.delete(f.dev.id, a.id), { revoked: true });
      assert.deepEqual(revoked.at(-1), a.id);
      assert.equal(await rawRow(a.id), undefined);
      await assert.rejects(f.connections.get(f.dev.id, a.id), rejectsWith('not_found'));

      revokeFails = true;
      const b = await f.connections.save(f.dev.id, input());
      assert.deepEqual(await f.connections.delete(f.dev.id, b.id), { revoked: false });
      assert.equal(await rawRow(b.id), undefined);
      revokeFails = false;
      const events = await listEvents(f.store.db, f.dev.id, { after: mark });
      assert.deepEqual(
        events
          .filter((e) => e.type === 'connection.deleted')
          .map((e) => [e.data.connectionId, e.data.revoked]),
        [
          [a.id, true],
          [b.id, false],
        ],
      );
      const logged = logs.text();
      assert.match(logged, /revoking the connection at the provider failed/);
      assert.equal(logged.includes(ACCESS), false);
    });

    it("deletes the connection's records, remembered sync ids and cached answers, and no other connection's", async () => {
      const gone = await f.connections.save(f.dev.id, input());
      const kept = await f.connections.save(f.dev.id, input());
      for (const connectionId of [gone.id, kept.id]) {
        await f.store.db
          .insertInto('records')
          .values({
            connection_id: connectionId,
            model: 'orders',
            external_id: 'o1',
            environment_id: f.dev.id,
            payload: '{"id":"o1"}',
            hash: 'h',
            first_seen_at: 1,
            modified_at: 1,
            deleted_at: null,
            last_run_id: 'run_1',
          })
          .execute();
        await f.store.db
          .insertInto('records_seen')
          .values({
            run_id: 'run_1',
            connection_id: connectionId,
            model: 'orders',
            environment_id: f.dev.id,
            ids: '["o1"]',
          })
          .execute();
        await f.store.db
          .insertInto('response_cache')
          .values({
            key: `key_${connectionId}`,
            environment_id: f.dev.id,
            connection_id: connectionId,
            method: 'GET',
            url: 'https://api.example.com/v1/orders',
            status: 200,
            headers: '{}',
            body: '',
            created_at: 1,
            expires_at: Date.now() + 60_000,
          })
          .execute();
      }
      // The engine's wiring: each module that keeps per-connection data removes its own rows.
      const hooks = createConnectionHooks();
      const records = createRecordsRepository({ store: f.store, clock: f.clock });
      const cache = createResponseCache({ store: f.store, clock: f.clock });
      hooks.onDeleted(async ({ trx, environmentId, connectionId }) => {
        await records.forgetConnection(trx, environmentId, connectionId);
        await cache.forgetConnection(trx, environmentId, connectionId);
      });
      const connections = createConnectionsService({ ...f, hooks });
      await connections.delete(f.dev.id, gone.id);
      const left = async (table: 'records' | 'records_seen' | 'response_cache') =>
        (await f.store.db.selectFrom(table).select('connection_id').execute()).map(
          (row) => row.connection_id,
        );
      assert.equal((await left('records')).includes(gone.id), false);
      assert.equal((await left('records_seen')).includes(gone.id), false);
      assert.equal((await left('records')).includes(kept.id), true);
      assert.equal((await left('records_seen')).includes(kept.id), true);
      assert.deepEqual(await left('response_cache'), [kept.id]);
    });

    it('deletes nothing when a deletion listener fails: the listeners run in its transaction', async () => {
      const doomed = await f.connections.save(f.dev.id, input());
      const hooks = createConnectionHooks();
      const seen: string[] = [];
      hooks.onDeleted(async ({ trx, connectionId, provider }) => {
        const row = await trx
          .selectFrom('connections')
          .select('id')
          .where('id', '=', connectionId)
          .executeTakeFirst();
        seen.push(`${provider}:${row === undefined ? 'row gone' : 'row still there'}`);
        throw new Error('a module could not remove its data');
      });
      const connections = createConnectionsService({ ...f, hooks });
      await assert.rejects(connections.delete(f.dev.id, doomed.id), /could not remove its data/);
      assert.deepEqual(
        seen,
        [`${doomed.provider}:row gone`],
        'called after the row is deleted, inside the transaction',
      );
      assert.equal((await f.connections.get(f.dev.id, doomed.id)).id, doomed.id, 'the deletion rolled back');
    });

    it('writes an event only with its change: a failed transaction leaves neither', async () => {
      const before = await listEvents(f.store.db, f.dev.id, { limit: 1000 });
      const id = newId('connection', f.clock.now());
      await assert.rejects(
        f.store.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('connections')
            .values({
              id,
              environment_id: f.dev.id,
              integration_id: gumroad.id,
              end_user_id: 'rollback',
              end_user_email: null,
              end_user_org: null,
              status: 'active',
              credentials: null,
              expires_at: null,
              connection_config: '{}',
              metadata: '{}',
              last_error_code: null,
              last_error_message: null,
              refresh_failures: 0,
              last_refreshed_at: null,
              created_at: f.clock.now(),
              updated_at: f.clock.now(),
            })
            .execute();
          await appendEvent(
            trx,
            {
              environmentId: f.dev.id,
              type: 'connection.created',
              data: {
                connectionId: id,
                integrationId: gumroad.id,
                integrationKey: 'gumroad',
                provider: 'gumroad',
                endUserId: 'rollback',
              },
            },
            { clock: f.clock, newId },
          );
          throw new Error('fail after the event insert');
        }),
        /fail after the event insert/,
      );
      assert.equal(await rawRow(id), undefined);
      assert.deepEqual(await listEvents(f.store.db, f.dev.id, { limit: 1000 }), before);
      assert.deepEqual(await listEvents(f.store.db, f.prod.id), []);
    });

    it('rolls back the row change when its event cannot be written', async () => {
      const events = await listEvents(f.store.db, f.dev.id, { limit: 1000 });
      const taken = events[0]!.id;
      // An id factory that hands out an event id already used: the event insert fails.
      const clashing: typeof newId = (kind, now) => (kind === 'event' ? taken : newId(kind, now));
      const connections = createConnectionsService({ ...f, ids: clashing });
      const existing = await f.connections.save(
        f.dev.id,
        input({ endUser: { id: 'rollback-2', email: null, organization: null } }),
      );
      const countFor = async (endUserId: string) =>
        (await f.connections.list(f.dev.id, { endUserId, limit: 200 })).data.length;

      await assert.rejects(
        connections.save(f.dev.id, input({ endUser: { id: 'rollback-1', email: null, organization: null } })),
      );
      assert.equal(await countFor('rollback-1'), 0);
      await assert.rejects(
        connections.markReauthRequired(f.dev.id, existing.id, { code: 'invalid_grant', message: 'x' }),
      );
      assert.equal((await f.connections.get(f.dev.id, existing.id)).status, 'active');
      await assert.rejects(connections.delete(f.dev.id, existing.id));
      assert.equal((await f.connections.get(f.dev.id, existing.id)).id, existing.id);
      assert.equal((await listEvents(f.store.db, f.dev.id, { limit: 1000 })).length, events.length + 1);
    });
  });
}
