/**
 * Issue 17's email providers as one story each, through the engine's API against the Resend and
 * SendGrid emulators: an end user connects with their API key (the engine registers a signed
 * webhook at the provider), a `send-email` run sends through the provider, the provider's signed
 * delivery event becomes an `email_events` record and `email.delivered` at the host's endpoint
 * (verified with standardwebhooks), a bounce becomes `email.bounced`, and deleting the connection
 * removes the webhook at the provider. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { ResendSandbox, SendGridSandbox } from '../../sandbox/index.ts';
import { testDatabases } from '../support/databases.ts';
import {
  type LibraryEngineOptions,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from '../support/library-engine.ts';
import { type MailWorld, startResendWorld, startSendGridWorld } from '../support/mail-world.ts';

interface Story {
  name: 'resend' | 'sendgrid';
  start(engine: LibraryEngineOptions): Promise<MailWorld<ResendSandbox> | MailWorld<SendGridSandbox>>;
  /** The provider reports a delivery, then a hard bounce, of the message. */
  deliver(world: MailWorld<ResendSandbox> | MailWorld<SendGridSandbox>, id: string): Promise<void>;
  bounce(world: MailWorld<ResendSandbox> | MailWorld<SendGridSandbox>, id: string): Promise<void>;
  /** The webhooks at the provider, by URL. */
  webhookUrls(world: MailWorld<ResendSandbox> | MailWorld<SendGridSandbox>): string[];
}

const stories: Story[] = [
  {
    name: 'resend',
    start: (engine) => startResendWorld({ engine }),
    async deliver(world, id) {
      const [delivery] = await (world.sandbox as ResendSandbox).control.emit(id, 'email.delivered');
      assert.equal(delivery?.status, 200);
    },
    async bounce(world, id) {
      const [delivery] = await (world.sandbox as ResendSandbox).control.emit(id, 'email.bounced', {
        bounce: { type: 'Permanent', subType: 'General', message: 'No such user' },
      });
      assert.equal(delivery?.status, 200);
    },
    webhookUrls: (world) =>
      (world.sandbox as ResendSandbox).control.webhooks.map((webhook) => webhook.endpoint),
  },
  {
    name: 'sendgrid',
    start: (engine) => startSendGridWorld({ engine }),
    async deliver(world, id) {
      const [delivery] = await (world.sandbox as SendGridSandbox).control.emitMany([
        { messageId: id, event: 'processed' },
        { messageId: id, event: 'delivered' },
      ]);
      assert.equal(delivery?.status, 200);
    },
    async bounce(world, id) {
      const [delivery] = await (world.sandbox as SendGridSandbox).control.emit(id, 'bounce', {
        reason: 'No such user',
      });
      assert.equal(delivery?.status, 200);
    },
    webhookUrls: (world) =>
      (world.sandbox as SendGridSandbox).control.webhooks.map((webhook) => webhook.settings.url),
  },
];

const targets = await testDatabases();
for (const target of targets)
  for (const story of stories) {
    describe(`email through ${story.name} on ${target.name}: connect → send-email → delivery webhook → email_events`, {
      timeout: 60_000,
      skip: target.skip,
    }, () => {
      if (target.skip) console.log(`# ${target.skip}`);
      let database: Awaited<ReturnType<NonNullable<typeof target.create>>> | undefined;
      let world: MailWorld<ResendSandbox> | MailWorld<SendGridSandbox>;
      let receiver: WebhookReceiver;
      let hostSecret: string;
      let emailId: string;

      before(async () => {
        database = await target.create!();
        world = await story.start({
          config: database.databaseUrl ? { databaseUrl: database.databaseUrl } : {},
        });
        receiver = await startWebhookReceiver();
        const endpoint = await world.engine.call('POST', '/v1/endpoints', {
          url: receiver.url,
          eventTypes: ['email.delivered', 'email.bounced'],
        });
        assert.equal(endpoint.status, 201, endpoint.text);
        hostSecret = endpoint.body.secret;
      });
      after(async () => {
        await world?.close();
        await receiver?.close();
        await database?.destroy();
      });

      function delivered(type: string): Array<{ type: string; data: Record<string, unknown> }> {
        return receiver.received
          .map(
            (request) =>
              new Webhook(hostSecret).verify(request.body, request.headers) as {
                type: string;
                data: Record<string, unknown>;
              },
          )
          .filter((message) => message.type === type);
      }

      it('connects with an API key and registers a webhook at the provider', async () => {
        await world.registered();
        const urls = story.webhookUrls(world);
        assert.equal(urls.length, 1);
        assert.ok(urls[0]?.startsWith(`${world.engine.baseUrl}/webhooks/`));
      });

      it('sends an email and records its delivery from the signed webhook', async () => {
        const run = await world.send({
          from: 'Patchbay <notifications@example.com>',
          to: ['owner@example.org'],
          subject: 'Your Stripe connection needs you',
          text: 'Reconnect Stripe: https://app.example.com/integrations',
          html: '<p><a href="https://app.example.com/integrations">Reconnect Stripe</a></p>',
        });
        assert.equal(run.body.status, 'succeeded', run.text);
        emailId = run.body.output.id;
        await story.deliver(world, emailId);
        const record = await waitFor('the delivered email_events record', async () =>
          (await world.emailEvents()).find((event) => event.type === 'delivered'),
        );
        assert.deepEqual([record.emailId, record.recipient], [emailId, 'owner@example.org']);
        const event = await waitFor(
          'email.delivered at the host',
          async () => delivered('email.delivered')[0],
        );
        assert.equal(event.data.emailId, emailId);
        assert.equal(event.data.connectionId, world.connectionId);
        assert.equal(event.data.recipient, 'owner@example.org');
      });

      it('tells the host of a hard bounce', async () => {
        await story.bounce(world, emailId);
        const event = await waitFor('email.bounced at the host', async () => delivered('email.bounced')[0]);
        assert.equal(event.data.emailId, emailId);
        assert.deepEqual(event.data.bounce, { kind: 'hard', reason: 'No such user' });
      });

      it('removes the webhook at the provider when the connection is deleted', async () => {
        const deleted = await world.engine.call('DELETE', `/v1/connections/${world.connectionId}`);
        assert.equal(deleted.status, 200, deleted.text);
        await waitFor('the webhook gone at the provider', async () =>
          story.webhookUrls(world).length === 0 ? true : undefined,
        );
      });
    });
  }
