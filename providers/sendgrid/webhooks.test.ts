/**
 * SendGrid's Event Webhook through the engine, against the SendGrid emulator: the connection's
 * webhook is created at SendGrid with the event kinds of webhooks/subscriptions.ts and signing on,
 * the public key SendGrid answers is kept as the connection's key, a signed batch of events is
 * split, verified (ECDSA P-256) and turned into one `email_events` record per event, and a
 * forged signature or a changed body is refused with 401.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SendGridSandbox } from '../../sandbox/index.ts';
import { waitFor } from '../../test/support/library-engine.ts';
import { type MailWorld, startSendGridWorld } from '../../test/support/mail-world.ts';
import { SETTING_OF_EVENT } from './models.ts';
import subscriptions from './webhooks/subscriptions.ts';

describe('sendgrid webhooks', { timeout: 60_000 }, () => {
  let world: MailWorld<SendGridSandbox>;
  let messageId: string;

  before(async () => {
    world = await startSendGridWorld();
    await world.registered();
    const run = await world.send({
      from: 'hello@example.com',
      to: ['buyer@example.org'],
      subject: 'Hi',
      text: 'Hi',
    });
    assert.equal(run.body.status, 'succeeded', run.text);
    messageId = run.body.output.id;
  });
  after(async () => {
    await world?.close();
  });

  it("creates the connection's Event Webhook, signed, with every event kind on", () => {
    const [webhook, ...others] = world.sandbox.control.webhooks;
    assert.equal(others.length, 0);
    assert.ok(webhook);
    assert.ok(webhook.settings.url.startsWith(`${world.engine.baseUrl}/webhooks/`), webhook.settings.url);
    assert.equal(webhook.settings.enabled, true);
    assert.ok(webhook.keys, 'signing is on');
    for (const topic of subscriptions.topics) {
      const setting = SETTING_OF_EVENT[topic] as keyof typeof webhook.settings;
      assert.equal(webhook.settings[setting], true, setting);
    }
  });

  it('splits a signed batch into email_events records, one per event', async () => {
    const [delivery] = await world.sandbox.control.emitMany([
      { messageId, event: 'processed' },
      { messageId, event: 'delivered' },
      { messageId, event: 'bounce', details: { type: 'blocked', reason: '421 try later' } },
      { messageId, event: 'spamreport' },
    ]);
    assert.equal(delivery?.status, 200);
    const records = await waitFor('four email_events records', async () => {
      const all = await world.emailEvents();
      return all.length === 4 ? all : undefined;
    });
    const byType = new Map(records.map((record) => [record.type, record]));
    assert.deepEqual([...byType.keys()].sort(), ['bounced', 'complained', 'delivered', 'processed']);
    for (const record of records) {
      assert.equal(record.emailId, messageId, 'the X-Message-Id send-email answered');
      assert.equal(record.recipient, 'buyer@example.org');
    }
    assert.deepEqual(byType.get('bounced')?.bounce, { kind: 'soft', reason: '421 try later' });
    assert.equal(byType.get('complained')?.providerType, 'spamreport');
    const events = JSON.parse(delivery.body) as Array<{ sg_event_id: string }>;
    assert.deepEqual(
      records.map((record) => record.id).sort(),
      events.map((event) => event.sg_event_id).sort(),
    );
  });

  it('refuses a forged signature and a body changed after signing', async () => {
    const [delivery] = await world.sandbox.control.emit(messageId, 'open');
    assert.equal(delivery?.status, 200);
    const signature = 'x-twilio-email-event-webhook-signature';
    const headers = Object.fromEntries(
      Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const forged = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        ...headers,
        [signature]:
          'MEUCIQDo0sxBHk2PqRYJSZQbc+Zl1yZ8+8Kk8vZDUzR2nS0UCAIgJx4HF4S0uV8bSKRcJrSNlw3cb9JRW3L0wV2X5+0hLh0=',
      },
      body: delivery.body,
    });
    assert.equal(forged.status, 401);
    const tampered = await fetch(delivery.url, {
      method: 'POST',
      headers,
      body: delivery.body.replace('"open"', '"click"'),
    });
    assert.equal(tampered.status, 401);
    await waitFor('the opened record', async () =>
      (await world.emailEvents()).some((record) => record.type === 'opened') ? true : undefined,
    );
    assert.equal((await world.emailEvents()).filter((record) => record.type === 'clicked').length, 0);
  });
});
