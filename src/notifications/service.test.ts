/**
 * The notifications service against each store, driven by hand (an API-only engine runs no
 * workers, so every job here runs when the test says): the throttle's race, the signed links,
 * one job per event however often the dispatcher looks, retries through an SMTP outage, a
 * refused address failing for good with `notification.failed`, and the weekly digest.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { type LibraryEngine, ShiftedClock, startLibraryEngine } from '../../test/support/library-engine.ts';
import { type SmtpSink, startSmtpSink } from '../../test/support/smtp-sink.ts';
import { appendEvent, listEvents } from '../events/index.ts';
import { newId } from '../ids/index.ts';
import { weekOf } from './digest.ts';
import { createLinkSigner } from './links.ts';
import type { NotificationsService } from './service.ts';
import { claimThrottle } from './throttle.ts';

for (const target of await testDatabases()) {
  describe(`notifications service on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let pb: LibraryEngine;
    let envId: string;
    let smtpPort: number;
    const clock = new ShiftedClock();
    const service = (): NotificationsService => pb.engine.services.notifications.service;
    const db = () => pb.engine.store.db;

    before(async () => {
      database = await target.create!();
      // A port nobody listens on yet: the SMTP server is "down" until a test starts it there.
      const probe = await startSmtpSink();
      smtpPort = probe.port;
      await probe.close();
      pb = await startLibraryEngine({
        config: {
          databaseUrl: database.databaseUrl,
          role: 'api',
          smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
          mailFrom: 'alerts@acme.example',
        },
        clock,
      });
      envId = (await pb.call('GET', '/v1/environment')).body.id;
    });
    after(async () => {
      await pb?.stop();
      await database?.destroy();
    });

    async function planChanged(endUserId: string): Promise<string> {
      const event = await db()
        .transaction()
        .execute((trx) =>
          appendEvent(
            trx,
            {
              environmentId: envId,
              type: 'end_user.plan_changed',
              data: { endUserId, from: null, to: 'pro', source: 'api' },
            },
            { clock, newId },
          ),
        );
      return event.id;
    }

    const rowsOf = (endUserId: string) =>
      db()
        .selectFrom('notifications')
        .selectAll()
        .where('environment_id', '=', envId)
        .where('end_user_id', '=', endUserId)
        .orderBy('id')
        .execute();

    it('lets exactly one of many concurrent claims through the throttle, again after the window', async () => {
      const claim = () =>
        claimThrottle(db(), {
          environmentId: envId,
          subject: 'conn:race',
          kind: 'sync_failing:end_user',
          now: clock.now(),
          windowMs: 3_600_000,
        });
      const results = await Promise.all(Array.from({ length: 20 }, claim));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await claim(), false);
      clock.offset += 3_600_000;
      assert.equal(await claim(), true);
    });

    it('signs links that cannot be altered, moved, or used past their time', async () => {
      const links = createLinkSigner({ db: db(), vault: pb.engine.vault, clock });
      const token = await links.sign({ p: 'unsubscribe', e: envId, u: 'user-1', k: 'plan_changed' });
      assert.deepEqual(await links.verify(token, 'unsubscribe'), {
        p: 'unsubscribe',
        e: envId,
        u: 'user-1',
        k: 'plan_changed',
      });
      assert.equal(await links.verify(token, 'reconnect'), null);
      const [version, body, mac] = token.split('.') as [string, string, string];
      const altered = Buffer.from(
        JSON.stringify({ p: 'unsubscribe', e: envId, u: 'user-2', k: 'plan_changed' }),
      ).toString('base64url');
      assert.equal(await links.verify(`${version}.${altered}.${mac}`, 'unsubscribe'), null);
      assert.equal(await links.verify(`${version}.${body}.${mac.slice(0, -2)}`, 'unsubscribe'), null);
      const elsewhere = Buffer.from(
        JSON.stringify({
          p: 'unsubscribe',
          e: 'env_01jz8x7y6w5v4t3s2r1q0p9n8m',
          u: 'user-1',
          k: 'plan_changed',
        }),
      ).toString('base64url');
      assert.equal(await links.verify(`${version}.${elsewhere}.${mac}`, 'unsubscribe'), null);
      assert.equal(await links.verify('v1.not-json.x', 'unsubscribe'), null);

      const reconnect = await links.sign({
        p: 'reconnect',
        e: envId,
        u: 'user-1',
        c: 'conn_x',
        x: clock.now() + 1000,
      });
      assert.equal((await links.verify(reconnect, 'reconnect'))?.c, 'conn_x');
      clock.offset += 1000;
      assert.equal(await links.verify(reconnect, 'reconnect'), null);
    });

    it('queues one job per notifying event, and one row however often the job runs', async () => {
      await pb.call('POST', '/v1/end-users', { id: 'user-jobs', email: 'jobs@example.com' });
      const eventId = await planChanged('user-jobs');
      const dispatcher = pb.engine.services.outbound.dispatcher;
      await dispatcher.dispatchPending();
      await dispatcher.dispatchPending();
      const jobs = await db()
        .selectFrom('jobs')
        .select('payload')
        .where('name', '=', 'notifications.event')
        .execute();
      assert.equal(jobs.filter((job) => JSON.parse(job.payload).eventId === eventId).length, 1);
      await service().handleEvent(eventId);
      await service().handleEvent(eventId);
      const rows = await rowsOf('user-jobs');
      assert.deepEqual(
        rows.map((row) => [row.kind, row.status, row.recipient]),
        [['plan_changed', 'queued', 'jobs@example.com']],
      );
      const sends = await db()
        .selectFrom('jobs')
        .select('payload')
        .where('name', '=', 'notifications.send')
        .execute();
      assert.equal(sends.filter((job) => JSON.parse(job.payload).notificationId === rows[0]!.id).length, 1);
    });

    it('keeps an email through an SMTP outage and sends it once the server is back', async () => {
      await pb.call('POST', '/v1/end-users', { id: 'user-outage', email: 'outage@example.com' });
      await service().handleEvent(await planChanged('user-outage'));
      const [queued] = await rowsOf('user-outage');
      await assert.rejects(service().send(queued!.id, { attempt: 1, maxAttempts: 10 }));
      const [waiting] = await rowsOf('user-outage');
      assert.equal(waiting!.status, 'queued');
      assert.equal(waiting!.error_code, 'smtp_failed');
      assert.equal(Number(waiting!.attempts), 1);

      const smtp: SmtpSink = await startSmtpSink({ port: smtpPort });
      try {
        await service().send(queued!.id, { attempt: 2, maxAttempts: 10 });
        const [sent] = await rowsOf('user-outage');
        assert.equal(sent!.status, 'sent');
        assert.equal(sent!.error_code, null);
        assert.equal(smtp.messages.length, 1);
        assert.deepEqual(smtp.recipients[0], ['outage@example.com']);
        // A late retry of the same job sends nothing more.
        await service().send(queued!.id, { attempt: 3, maxAttempts: 10 });
        assert.equal(smtp.messages.length, 1);
      } finally {
        await smtp.close();
      }
    });

    it('fails for good on a refused address, with notification.failed', async () => {
      await pb.call('POST', '/v1/end-users', { id: 'user-refused', email: 'gone@example.com' });
      await service().handleEvent(await planChanged('user-refused'));
      const [queued] = await rowsOf('user-refused');
      const smtp = await startSmtpSink({ port: smtpPort, refuseWith: 550 });
      try {
        await service().send(queued!.id, { attempt: 1, maxAttempts: 10 });
      } finally {
        await smtp.close();
      }
      const [failed] = await rowsOf('user-refused');
      assert.equal(failed!.status, 'failed');
      assert.match(failed!.error_message ?? '', /550/);
      const events = await listEvents(db(), envId, { type: 'notification.failed' });
      assert.deepEqual(
        events.map((event) => [event.data.notificationId, event.data.kind]),
        [[queued!.id, 'plan_changed']],
      );
    });

    it('writes to the operators as the settings say, without the end user’s unsubscribe link', async () => {
      await service().settings.put(envId, {
        operators: ['ops@acme.example', 'cto@acme.example'],
        kinds: { plan_changed: { audience: 'both' } },
      });
      try {
        await pb.call('POST', '/v1/end-users', { id: 'user-ops', email: 'ops-user@example.com' });
        await service().handleEvent(await planChanged('user-ops'));
        const rows = await rowsOf('user-ops');
        assert.deepEqual(rows.map((row) => [row.audience, row.recipient, row.status]).sort(), [
          ['end_user', 'ops-user@example.com', 'queued'],
          ['operators', 'cto@acme.example', 'queued'],
          ['operators', 'ops@acme.example', 'queued'],
        ]);
        for (const row of rows) {
          const message = JSON.parse(row.message!) as { text: string; headers: Record<string, string> };
          const toEndUser = row.audience === 'end_user';
          assert.equal('List-Unsubscribe' in message.headers, toEndUser);
          assert.equal(message.text.includes('/notifications/unsubscribe?token='), toEndUser);
        }
      } finally {
        await service().settings.put(envId, {});
      }
    });

    it('logs end users without an address instead of sending', async () => {
      await pb.call('POST', '/v1/end-users', { id: 'user-silent' });
      await service().handleEvent(await planChanged('user-silent'));
      const rows = await rowsOf('user-silent');
      assert.deepEqual(
        rows.map((row) => [row.status, row.recipient, row.message]),
        [['no_address', null, null]],
      );
    });

    it('tells the end user about an import with refused rows, and ignores clean runs', async () => {
      const integration = await pb.engine.services.providers.integrations.create(envId, {
        provider: 'amazon-kdp',
      });
      const connection = await pb.engine.services.providers.connections.save(envId, {
        integrationId: integration.id,
        endUser: { id: 'user-import', email: 'author@example.com', organization: null },
        credentials: { type: 'none' },
        connectionConfig: {},
        metadata: {},
      });
      const succeeded = (rejected: number) =>
        db()
          .transaction()
          .execute((trx) =>
            appendEvent(
              trx,
              {
                environmentId: envId,
                type: 'sync.succeeded',
                data: {
                  connectionId: connection.id,
                  integrationId: integration.id,
                  integrationKey: integration.key,
                  provider: 'amazon-kdp',
                  endUserId: 'user-import',
                  sync: 'royalties',
                  syncRunId: newId('syncRun'),
                  models: ['royalties'],
                  added: 120,
                  updated: 3,
                  deleted: 0,
                  rejected,
                  durationMs: 5,
                },
              },
              { clock, newId },
            ),
          );
      const clean = await succeeded(0);
      const bad = await succeeded(4);
      await pb.engine.services.outbound.dispatcher.dispatchPending();
      const queued = (
        await db().selectFrom('jobs').select('payload').where('name', '=', 'notifications.event').execute()
      ).map((job) => JSON.parse(job.payload).eventId);
      assert.ok(queued.includes(bad.id));
      assert.ok(!queued.includes(clean.id));
      await service().handleEvent(bad.id);
      const [row] = await rowsOf('user-import');
      assert.equal(row?.kind, 'import_bad_rows');
      assert.equal(row?.recipient, 'author@example.com');
      const message = JSON.parse(row!.message!) as { subject: string; text: string };
      assert.equal(message.subject, 'Amazon KDP import: 4 rows refused');
      assert.match(message.text, /120 added, 3 updated, and 4 rows refused/);
    });

    it('asks for no reconnection once the end user has reconnected', async () => {
      const integration = await pb.engine.services.providers.integrations.create(envId, {
        provider: 'gumroad',
        clientId: 'gum_client',
        clientSecret: 'gum_secret',
      });
      const save = (connectionId: string | null) =>
        pb.engine.services.providers.connections.save(envId, {
          integrationId: integration.id,
          endUser: { id: 'user-back', email: 'back@example.com', organization: null },
          credentials: { type: 'oauth2', accessToken: 'gum_access' },
          connectionConfig: {},
          metadata: {},
          connectionId,
        });
      const connection = await save(null);
      const connections = pb.engine.services.providers.connections;
      const reason = { code: 'invalid_grant', message: 'revoked' };
      await connections.markReauthRequired(envId, connection.id, reason);
      const [first] = await listEvents(db(), envId, { type: 'connection.reauth_required' });
      await save(connection.id);
      await service().handleEvent(first!.id);
      assert.deepEqual(await rowsOf('user-back'), []);
      // Refused again and still waiting: now the email is due.
      await connections.markReauthRequired(envId, connection.id, reason);
      const second = (await listEvents(db(), envId, { type: 'connection.reauth_required' })).at(-1)!;
      assert.notEqual(second.id, first!.id);
      await service().handleEvent(second.id);
      const rows = await rowsOf('user-back');
      assert.deepEqual(
        rows.map((row) => [row.kind, row.status, row.connection_id]),
        [['reauth_required', 'queued', connection.id]],
      );
    });

    it('forgets a deleted end user, and a deleted connection’s throttle', async () => {
      await pb.call('POST', '/v1/end-users', { id: 'user-gone', email: 'bye@example.com' });
      await service().handleEvent(await planChanged('user-gone'));
      await pb.call('POST', '/v1/end-users', { id: 'user-kept', email: 'kept@example.com' });
      await service().handleEvent(await planChanged('user-kept'));
      assert.equal((await rowsOf('user-gone')).length, 1);
      const deleted = await pb.call('DELETE', '/v1/end-users/user-gone');
      assert.equal(deleted.status, 200, deleted.text);
      const [event] = await listEvents(db(), envId, { type: 'end_user.deleted' });
      await service().handleEvent(event!.id);
      assert.equal((await rowsOf('user-gone')).length, 0);
      assert.equal((await rowsOf('user-kept')).length, 1);

      const integration = await pb.engine.services.providers.integrations.create(envId, {
        provider: 'resend',
      });
      const connection = await pb.engine.services.providers.connections.save(envId, {
        integrationId: integration.id,
        endUser: { id: 'user-kept', email: null, organization: null },
        credentials: { type: 'api_key', values: { apiKey: 're_test_kept' } },
        connectionConfig: {},
        metadata: {},
      });
      const subject = `conn:${connection.id}`;
      await claimThrottle(db(), {
        environmentId: envId,
        subject,
        kind: 'x',
        now: clock.now(),
        windowMs: 60_000,
      });
      const throttled = () =>
        db().selectFrom('notification_throttle').select('kind').where('subject', '=', subject).execute();
      assert.equal((await throttled()).length, 1);
      await pb.engine.services.providers.connections.delete(envId, connection.id);
      assert.equal((await throttled()).length, 0);
    });

    it('sums up the week of each end user with connections, once per week', async () => {
      assert.deepEqual(weekOf(Date.UTC(2026, 11, 7, 8)), {
        start: '2026-11-30',
        end: '2026-12-06',
        from: Date.UTC(2026, 10, 30),
        until: Date.UTC(2026, 11, 7),
      });
      assert.equal(weekOf(Date.UTC(2026, 11, 13, 23, 59)).start, '2026-11-30');
      const integration = await pb.engine.services.providers.integrations.create(envId, {
        provider: 'stripe-api-key',
      });
      await pb.call('POST', '/v1/end-users', { id: 'user-digest', email: 'digest@example.com' });
      await pb.engine.services.providers.connections.save(envId, {
        integrationId: integration.id,
        endUser: { id: 'user-digest', email: 'digest@example.com', organization: null },
        credentials: { type: 'api_key', values: { apiKey: 'sk_test_digest' } },
        connectionConfig: {},
        metadata: {},
      });
      const now = clock.now();
      // One digest per end user with connections (earlier tests made some too).
      const owners = await db()
        .selectFrom('connections')
        .select('end_user_id')
        .distinct()
        .where('environment_id', '=', envId)
        .execute();
      assert.ok(owners.some((owner) => owner.end_user_id === 'user-digest'));
      assert.equal(await service().digest(now), owners.length);
      assert.equal(await service().digest(now), 0);
      const rows = await rowsOf('user-digest');
      const digest = rows.find((row) => row.kind === 'weekly_digest');
      assert.equal(digest?.status, 'queued');
      const message = JSON.parse(digest!.message!) as { text: string; subject: string };
      assert.equal(message.subject, `Your integrations, week of ${weekOf(now).start}`);
      assert.match(message.text, /- Stripe \(API keys\) \(active\): 0 succeeded, 0 failed/);
      assert.match(message.text, /Nothing needs your attention/);
    });
  });
}
