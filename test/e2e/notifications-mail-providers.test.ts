/**
 * Issue 17's notification emails through a connected Resend and a connected SendGrid account,
 * against their emulators: the environment's notification channel names the connection, a plan
 * change sends the end user its email through the connection's `send-email` action, the provider
 * accepts it (what the emulator received is checked), the log keeps the provider's message id,
 * and the provider's signed delivery event for that message becomes an `email_events` record.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResendSandbox, SendGridSandbox } from '../../sandbox/index.ts';
import { waitFor } from '../support/library-engine.ts';
import { type MailWorld, startResendWorld, startSendGridWorld } from '../support/mail-world.ts';

type World = MailWorld<ResendSandbox> | MailWorld<SendGridSandbox>;

/** What the provider received, in one shape: recipients, subject, HTML and its message id. */
interface Received {
  id: string;
  to: string[];
  subject: string | null;
  html: string | null;
  listUnsubscribe: string | undefined;
}

interface Provider {
  name: 'resend' | 'sendgrid';
  start(): Promise<World>;
  received(world: World): Received[];
  deliver(world: World, id: string): Promise<void>;
}

const providers: Provider[] = [
  {
    name: 'resend',
    start: () => startResendWorld(),
    received: (world) =>
      (world.sandbox as ResendSandbox).control.emails.map(({ email, headers }) => ({
        id: email.id,
        to: [...email.to],
        subject: email.subject,
        html: email.html ?? null,
        listUnsubscribe: Object.entries(headers).find(
          ([name]) => name.toLowerCase() === 'list-unsubscribe',
        )?.[1],
      })),
    async deliver(world, id) {
      const [delivery] = await (world.sandbox as ResendSandbox).control.emit(id, 'email.delivered');
      assert.equal(delivery?.status, 200);
    },
  },
  {
    name: 'sendgrid',
    start: () => startSendGridWorld(),
    received: (world) =>
      (world.sandbox as SendGridSandbox).control.messages.map((message) => ({
        id: message.id,
        to: message.personalizations.flatMap((p) => p.to.map((address) => address.email)),
        subject: message.personalizations[0]?.subject ?? message.subject,
        html: message.content.find((part) => part.type === 'text/html')?.value ?? null,
        listUnsubscribe: Object.entries({ ...message.headers, ...message.personalizations[0]?.headers }).find(
          ([name]) => name.toLowerCase() === 'list-unsubscribe',
        )?.[1],
      })),
    async deliver(world, id) {
      const [delivery] = await (world.sandbox as SendGridSandbox).control.emit(id, 'delivered');
      assert.equal(delivery?.status, 200);
    },
  },
];

for (const provider of providers) {
  describe(`notification emails through a ${provider.name} connection`, { timeout: 60_000 }, () => {
    let world: World;

    before(async () => {
      world = await provider.start();
      await world.registered();
    });
    after(() => world?.close());

    it('sends the plan-change email through send-email, logs it, and records its delivery', async () => {
      const { engine, connectionId } = world;
      // The connected end user is the one notified: give them an address.
      const user = await engine.call('PATCH', '/v1/end-users/end-user-1', { email: 'owner@example.org' });
      assert.equal(user.status, 200, user.text);
      const settings = await engine.call('PUT', '/v1/notifications/settings', {
        channel: { type: 'connection', connectionId },
        from: 'Acme Alerts <alerts@example.com>',
      });
      assert.equal(settings.status, 200, settings.text);
      for (const [key, name, rank] of [
        ['free', 'Free', 0],
        ['pro', 'Pro', 1],
      ] as const) {
        const plan = await engine.call('POST', '/v1/plans', { key, name, rank });
        assert.equal(plan.status, 201, plan.text);
      }

      const changed = await engine.call('PATCH', '/v1/end-users/end-user-1', { planKey: 'pro' });
      assert.equal(changed.status, 200, changed.text);

      const email = await waitFor(`the email at ${provider.name}`, () => provider.received(world)[0]);
      assert.deepEqual(email.to, ['owner@example.org']);
      assert.equal(email.subject, 'Your plan is now Pro');
      assert.match(email.html ?? '', /Pro/);
      assert.match(
        email.listUnsubscribe ?? '',
        /^<http:\/\/127\.0\.0\.1:\d+\/notifications\/unsubscribe\?token=v1\./,
        'the end user can unsubscribe from this kind',
      );

      const logged = await waitFor('the send in the log', async () => {
        const answer = await engine.call('GET', '/v1/notifications?kind=plan_changed');
        assert.equal(answer.status, 200, answer.text);
        return (answer.body.data as Array<Record<string, unknown>>).find((row) => row.status === 'sent');
      });
      assert.equal(logged.channel, `connection:${connectionId}`);
      assert.equal(logged.providerMessageId, email.id);

      await provider.deliver(world, email.id);
      const record = await waitFor('the delivered email_events record', async () =>
        (await world.emailEvents()).find((event) => event.type === 'delivered'),
      );
      assert.deepEqual([record.emailId, record.recipient], [email.id, 'owner@example.org']);
      assert.equal(provider.received(world).length, 1, 'one email, sent once');
    });
  });
}
