/**
 * Notification emails end to end (issue 17 §7), on each test database: a real SMTP server
 * (smtp-server on 127.0.0.1) receives the reauthorization email, whose reconnect and unsubscribe
 * links are followed against the engine; ten failing sync runs within the hour send one email;
 * an unsubscribed kind sends none; and the connection channel runs `send-email` of a host's own
 * email provider (test/fixtures/mail-providers/acme-mail) against its emulator.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Email } from 'postal-mime';
import { listEvents } from '../../src/events/index.ts';
import { type MailEmulator, startMailEmulator } from '../fixtures/mail-providers/acme-mail/emulator.ts';
import { type TestDatabase, testDatabases } from '../support/databases.ts';
import { type LibraryEngine, startLibraryEngine, waitFor } from '../support/library-engine.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const PROVIDERS_DIR = join(import.meta.dirname, '..', 'fixtures', 'mail-providers');
const API_KEY = 'am_test9k2';
const END_USER = { id: 'author-7', email: 'ada@example.com', name: 'Ada <Lovelace>' };

const header = (email: Email, name: string) => email.headers.find((h) => h.key === name)?.value;

for (const database of await testDatabases()) {
  describe(`notification emails (${database.name})`, { skip: database.skip ?? false }, () => {
    if (database.skip) console.log(`# ${database.skip}`);
    let db: TestDatabase | undefined;
    let smtp: SmtpSink;
    let mail: MailEmulator;
    let engine: LibraryEngine;
    let connectionId: string;

    before(async () => {
      if (database.skip) return;
      db = await database.create!();
      smtp = await startSmtpSink();
      mail = await startMailEmulator({ apiKey: API_KEY });
      engine = await startLibraryEngine({
        config: {
          providerDirs: PROVIDERS_DIR,
          apiRateLimit: 1_000_000,
          smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
          mailFrom: 'Acme Alerts <alerts@acme.example>',
          ...(db.databaseUrl ? { databaseUrl: db.databaseUrl } : {}),
        },
      });
      const integration = await engine.call('POST', '/v1/integrations', {
        provider: 'acme-mail',
        settings: { baseUrls: { '*': mail.url } },
      });
      assert.equal(integration.status, 201, integration.text);
      const user = await engine.call('POST', '/v1/end-users', END_USER);
      assert.equal(user.status, 201, user.text);
      const session = await engine.call('POST', '/v1/connect/sessions', { endUser: { id: END_USER.id } });
      assert.equal(session.status, 201, session.text);
      const connected = await engine.call(
        'POST',
        '/connect/api/credentials',
        { integration: 'acme-mail', values: { apiKey: API_KEY } },
        { authorization: `Bearer ${session.body.token}` },
      );
      assert.equal(connected.status, 200, connected.text);
      connectionId = connected.body.connectionId;
    });

    after(async () => {
      await engine?.stop();
      await smtp?.close();
      await mail?.close();
      await db?.destroy();
    });

    /** The provider refused the connection's credentials: what the refresh path calls. */
    async function reauthRequired(): Promise<string> {
      const environmentId = (await engine.call('GET', '/v1/environment')).body.id as string;
      await engine.engine.services.providers.connections.markReauthRequired(environmentId, connectionId, {
        code: 'invalid_grant',
        message: 'The API key was revoked',
      });
      const events = await listEvents(engine.engine.store.db, environmentId, {
        type: 'connection.reauth_required',
      });
      return events.at(-1)!.id;
    }

    async function log(query: string) {
      const answer = await engine.call('GET', `/v1/notifications?${query}`);
      assert.equal(answer.status, 200, answer.text);
      return answer.body.data as Array<Record<string, unknown>>;
    }

    it('sends the reauthorization email over SMTP, with links that work against the engine', async () => {
      const eventId = await reauthRequired();
      const email = await waitFor('the reauthorization email', () => smtp.messages[0]);
      assert.deepEqual(smtp.recipients[0], [END_USER.email]);
      assert.equal(email.from?.address, 'alerts@acme.example');
      assert.equal(email.subject, 'Action needed: reconnect Acme Mail');
      // The end user's name is escaped in HTML and kept as it is in text.
      assert.match(email.html ?? '', /Hello Ada &lt;Lovelace&gt;,/);
      assert.match(email.text ?? '', /Hello Ada <Lovelace>,/);
      assert.match(email.text ?? '', /\(The API key was revoked\)/);

      const reconnect = /Reconnect Acme Mail: (\S+)/.exec(email.text ?? '')?.[1];
      const unsubscribe = /Stop these emails: (\S+)/.exec(email.text ?? '')?.[1];
      assert.ok(reconnect && unsubscribe, email.text);
      for (const url of [reconnect, unsubscribe])
        assert.ok(url.startsWith(`${engine.baseUrl}/notifications/`), url);
      assert.ok(
        (email.html ?? '').includes(`href="${reconnect.replaceAll('=', '&#61;')}"`),
        'the HTML links to it too',
      );
      assert.equal(header(email, 'list-unsubscribe'), `<${unsubscribe}>`);
      assert.equal(header(email, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');

      // Reconnect: a fresh connect session for this connection, then the connect page.
      const opened = await fetch(reconnect, { redirect: 'manual' });
      assert.equal(opened.status, 303);
      const location = opened.headers.get('location') ?? '';
      assert.ok(location.startsWith(`${engine.baseUrl}/connect?session=pb_cst_`), location);
      const page = await fetch(location);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      await page.text();
      const token = new URL(location).searchParams.get('session')!;
      const session = await engine.call('GET', '/connect/api/session', undefined, {
        authorization: `Bearer ${token}`,
      });
      assert.equal(session.status, 200, session.text);
      assert.equal(session.body.endUser.id, END_USER.id);
      assert.equal(session.body.reconnect.connectionId, connectionId);
      // …where the end user authorizes the same connection again.
      const reconnected = await engine.call(
        'POST',
        '/connect/api/credentials',
        { integration: 'acme-mail', values: { apiKey: API_KEY } },
        { authorization: `Bearer ${token}` },
      );
      assert.equal(reconnected.status, 200, reconnected.text);
      assert.equal(reconnected.body.connectionId, connectionId);
      assert.equal((await engine.call('GET', `/v1/connections/${connectionId}`)).body.status, 'active');
      // An altered link opens nothing: one character of the MAC changed (not the last, whose low
      // bits base64 does not carry).
      const mac = reconnect.lastIndexOf('.') + 1;
      const altered = `${reconnect.slice(0, mac)}${reconnect[mac] === 'A' ? 'B' : 'A'}${reconnect.slice(mac + 1)}`;
      const forged = await fetch(altered, { redirect: 'manual' });
      assert.equal(forged.status, 404);
      await forged.text();

      const [sent] = await log(`kind=reauth_required`);
      assert.equal(sent?.status, 'sent');
      assert.equal(sent?.eventId, eventId);
      assert.equal(sent?.channel, 'smtp');
      assert.equal(sent?.recipient, END_USER.email);
      assert.match(String(sent?.smtpResponse), /^250/);
      // One Message-ID per notification, whatever the attempt: a resend is the same message.
      assert.equal(email.messageId, `<${sent?.id}@127.0.0.1>`);
      assert.equal(sent?.providerMessageId, email.messageId);

      // Unsubscribe: GET only shows a confirmation; the one-click POST records it.
      const confirm = await fetch(unsubscribe);
      assert.equal(confirm.status, 200);
      assert.match(await confirm.text(), /<form method="post"/);
      const oneClick = await fetch(unsubscribe, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      assert.equal(oneClick.status, 200);
      assert.match(await oneClick.text(), /You are unsubscribed/);
    });

    it('sends nothing of a kind the end user unsubscribed from', async () => {
      // No throttle, so only the unsubscription can hold the email back.
      const settings = await engine.call('PUT', '/v1/notifications/settings', { throttleMinutes: 0 });
      assert.equal(settings.status, 200, settings.text);
      const eventId = await reauthRequired();
      const row = await waitFor('the suppression to be logged', async () =>
        (await log('kind=reauth_required')).find((n) => n.eventId === eventId),
      );
      assert.equal(row.status, 'unsubscribed');
      assert.equal(smtp.messages.length, 1);
      // The end user reconnects (the host's own connect session this time): syncs may run again.
      const session = await engine.call('POST', '/v1/connect/sessions', {
        endUser: { id: END_USER.id },
        connectionId,
      });
      assert.equal(session.status, 201, session.text);
      const reconnected = await engine.call(
        'POST',
        '/connect/api/credentials',
        { integration: 'acme-mail', values: { apiKey: API_KEY } },
        { authorization: `Bearer ${session.body.token}` },
      );
      assert.equal(reconnected.status, 200, reconnected.text);
      const restored = await engine.call('PUT', '/v1/notifications/settings', {});
      assert.equal(restored.body.throttleMinutes, 60);
    });

    it('sends one email for ten failed runs of a sync within the hour', async () => {
      mail.failBounces = true;
      for (let i = 0; i < 10; i++) {
        const trigger = await engine.call(
          'POST',
          `/v1/connections/${connectionId}/syncs/bounces/trigger`,
          {},
        );
        assert.equal(trigger.status, 202, trigger.text);
        const run = await waitFor(`run ${i + 1} to fail`, async () => {
          const answer = await engine.call('GET', `/v1/sync-runs/${trigger.body.runId}`);
          return ['succeeded', 'failed'].includes(answer.body.status) ? answer.body : undefined;
        });
        assert.equal(run.status, 'failed');
      }
      // Runs 3 to 10 reach the threshold of 3: eight decisions, one email, seven throttled.
      const rows = await waitFor('eight sync_failing decisions', async () => {
        const all = await log('kind=sync_failing&limit=200');
        return all.length === 8 && all.every((n) => n.status !== 'queued') ? all : undefined;
      });
      // Decisions may run concurrently on the workers: which one won the throttle does not matter.
      assert.deepEqual(rows.map((n) => n.status).sort(), ['sent', ...Array(7).fill('throttled')]);
      const emails = smtp.messages.filter((m) => m.subject === 'Acme Mail: bounces sync failing');
      assert.equal(emails.length, 1);
      // The decision that won may be any from the third failure on: it counts the failures so far.
      const failures = /The last (\d+) attempts to sync bounces from Acme Mail failed/.exec(
        emails[0]?.text ?? '',
      );
      assert.ok(failures, emails[0]?.text);
      assert.ok(Number(failures[1]) >= 3 && Number(failures[1]) <= 10, failures[0]);
      mail.failBounces = false;
    });

    it('sends through a connection’s send-email action when the settings say so', async () => {
      const refused = await engine.call('PUT', '/v1/notifications/settings', {
        channel: { type: 'connection', connectionId: 'conn_01jz8x7y6w5v4t3s2r1q0p9n8m' },
      });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.error.code, 'validation_failed');
      const settings = await engine.call('PUT', '/v1/notifications/settings', {
        channel: { type: 'connection', connectionId },
        from: 'Acme <hello@acme.example>',
      });
      assert.equal(settings.status, 200, settings.text);

      for (const [key, rank] of [
        ['free', 0],
        ['pro', 1],
      ] as const) {
        const plan = await engine.call('POST', '/v1/plans', {
          key,
          name: key === 'pro' ? 'Pro' : 'Free',
          rank,
        });
        assert.equal(plan.status, 201, plan.text);
      }
      const smtpBefore = smtp.messages.length;
      const changed = await engine.call('PATCH', `/v1/end-users/${END_USER.id}`, { planKey: 'pro' });
      assert.equal(changed.status, 200, changed.text);

      const email = await waitFor('send-email at the emulator', () => mail.emails[0]);
      assert.deepEqual(email.body.to, [END_USER.email]);
      assert.equal(email.body.from, 'Acme <hello@acme.example>');
      assert.equal(email.body.subject, 'Your plan is now Pro');
      assert.match(email.body.html ?? '', /to <strong>Pro<\/strong>/);
      assert.match(
        email.body.headers?.['List-Unsubscribe'] ?? '',
        /^<http:\/\/127\.0\.0\.1:\d+\/notifications\/unsubscribe\?token=v1\./,
      );
      assert.ok(email.idempotencyKey);

      const row = await waitFor('the send to be logged', async () =>
        (await log('kind=plan_changed')).find((n) => n.status === 'sent'),
      );
      assert.equal(row.channel, `connection:${connectionId}`);
      assert.equal(row.providerMessageId, email.id);
      const runs = await engine.call('GET', `/v1/action-runs?connectionId=${connectionId}&action=send-email`);
      assert.equal(runs.status, 200, runs.text);
      assert.deepEqual(
        runs.body.data.map((run: { status: string; output: unknown }) => [run.status, run.output]),
        [['succeeded', { id: email.id }]],
      );
      assert.equal(smtp.messages.length, smtpBefore, 'nothing went through SMTP');
    });

    it('refuses template overrides naming unknown variables, and previews them', async () => {
      const refused = await engine.call('PUT', '/v1/notifications/templates/reauth_required', {
        subject: 'Reconnect {{connection.name}}',
        text: '{{reconnectUrl}} {{password}}',
        html: '<p>{{apiKey}}</p>',
      });
      assert.equal(refused.status, 400, refused.text);
      assert.deepEqual(refused.body.error.details.unknownVariables, ['apiKey', 'password']);
      assert.match(refused.body.error.message, /apiKey, password/);

      const saved = await engine.call('PUT', '/v1/notifications/templates/reauth_required', {
        subject: 'Please reconnect {{connection.name}}',
        text: 'Go to {{reconnectUrl}}',
        html: '<a href="{{reconnectUrl}}">{{endUser.name}}</a>',
      });
      assert.equal(saved.status, 200, saved.text);
      assert.equal(saved.body.overridden, true);
      const preview = await engine.call('POST', '/v1/notifications/templates/reauth_required/preview', {
        variables: { endUser: { name: '<b>Ada</b>' } },
      });
      assert.equal(preview.status, 200, preview.text);
      assert.equal(preview.body.subject, 'Please reconnect Stripe');
      assert.match(preview.body.html, /&lt;b&gt;Ada&lt;\/b&gt;/);
      const reset = await engine.call('DELETE', '/v1/notifications/templates/reauth_required');
      assert.equal(reset.body.overridden, false);
      const list = await engine.call('GET', '/v1/notifications/templates');
      assert.equal(list.body.data.length, 5);
    });

    it('pages the log with a cursor', async () => {
      const first = await engine.call('GET', '/v1/notifications?limit=3');
      assert.equal(first.body.data.length, 3);
      assert.ok(first.body.nextAfter);
      const second = await engine.call('GET', `/v1/notifications?limit=200&after=${first.body.nextAfter}`);
      assert.equal(second.body.nextAfter, null);
      const ids = [...first.body.data, ...second.body.data].map((n: { id: string }) => n.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual(ids, [...ids].sort());
      const one = await engine.call('GET', `/v1/notifications/${ids[0]}`);
      assert.equal(one.status, 200, one.text);
    });
  });
}
