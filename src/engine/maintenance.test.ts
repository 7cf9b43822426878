import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { createEnvironmentsService } from '../environments/index.ts';
import { newId } from '../ids/index.ts';
import { createLogger } from '../logger/index.ts';
import { createSqlQueue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import { maintenanceHandlers } from './maintenance.ts';

for (const target of await testDatabases()) {
  describe(`maintenance.purge-expired-connect-state on ${target.name}`, {
    skip: target.skip ?? false,
  }, () => {
    let database: TestDatabase;
    let store: Store;
    const clock = new ManualClock();

    before(async () => {
      database = await (target.create as () => Promise<TestDatabase>)();
      store = await database.open();
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });

    it('deletes OAuth states and sessions expired longer than the grace period, and nothing else', async () => {
      const environments = createEnvironmentsService({ store, clock });
      await environments.ensureBootstrap();
      const dev = await environments.getEnvironmentByName('dev');
      const integrationId = newId('integration');
      await store.db
        .insertInto('integrations')
        .values({
          id: integrationId,
          environment_id: dev.id,
          key: 'gumroad',
          provider: 'gumroad',
          display_name: null,
          client_id: 'id',
          client_secret: null,
          webhook_secret: null,
          scopes: null,
          settings: '{}',
          enabled: 1,
          created_at: clock.now(),
          updated_at: clock.now(),
        })
        .execute();
      const now = clock.now();
      const session = (id: string, expiresAt: number) => ({
        id,
        environment_id: dev.id,
        token_hash: id,
        end_user_id: 'u1',
        end_user_email: null,
        end_user_org: null,
        allowed_integrations: null,
        connection_id: null,
        allowed_origin: null,
        expires_at: expiresAt,
        created_at: now - 3_600_000 * 3,
      });
      const state = (hash: string, sessionId: string, expiresAt: number) => ({
        state_hash: hash,
        environment_id: dev.id,
        session_id: sessionId,
        integration_id: integrationId,
        code_verifier: null,
        redirect_uri: 'http://127.0.0.1/cb',
        connection_config: '{}',
        expires_at: expiresAt,
        consumed_at: null,
        created_at: now - 3_600_000 * 3,
      });
      const old = newId('connectSession');
      const recent = newId('connectSession');
      await store.db
        .insertInto('connect_sessions')
        .values([session(old, now - 2 * 3_600_000), session(recent, now - 10 * 60_000)])
        .execute();
      await store.db
        .insertInto('oauth_states')
        .values([state('old-state', old, now - 2 * 3_600_000), state('recent-state', recent, now + 60_000)])
        .execute();

      const queue = createSqlQueue(store, { clock });
      const handlers = maintenanceHandlers({
        queue,
        store,
        clock,
        logger: createLogger({ level: 'silent' }),
      });
      const purge = handlers['maintenance.purge-expired-connect-state'];
      assert.ok(purge);
      await purge({ graceMinutes: 60 }, {} as never);
      await queue.close();

      const sessions = await store.db.selectFrom('connect_sessions').select('id').execute();
      const states = await store.db.selectFrom('oauth_states').select('state_hash').execute();
      assert.deepEqual(
        sessions.map((s) => s.id),
        [recent],
      );
      assert.deepEqual(
        states.map((s) => s.state_hash),
        ['recent-state'],
      );
    });
  });
}
