/**
 * Resend's webhooks through the engine, against the Resend emulator: the connection's webhook is
 * registered at Resend with the email topics and its `whsec_` secret; the events Resend signs
 * (Svix) are verified with it and become `email_events` records; a forged signature or a body
 * changed after signing is refused with 401 and stores nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RESEND_EMAIL_EVENTS, type ResendSandbox } from '../../sandbox/index.ts';
import { waitFor } from '../../test/support/library-engine.ts';
import { type MailWorld, startResendWorld } from '../../test/support/mail-world.ts';
import subscriptions from './webhooks/subscriptions.ts';

describe('resend webhooks', { timeout: 60_000 }, () => {
  let world: MailWorld<ResendSandbox>;
  let emailId: string;

  before(async () => {
    world = await startResendWorld();
    await world.registered();
    const run = await world.send({
      from: 'hello@example.com',
      to: ['buyer@example.org'],
      subject: 'Hi',
      text: 'Hi',
    });
    assert.equal(run.body.status, 'succeeded', run.text);
    emailId = run.body.output.id;
  });
  after(async () => {
    await world?.close();
  });

  it("registers the connection's webhook with the email topics Resend knows", () => {
    const [webhook, ...others] = world.sandbox.control.webhooks;
    assert.equal(others.length, 0);
    assert.ok(webhook?.endpoint.startsWith(`${world.engine.baseUrl}/webhooks/`), webhook?.endpoint);
    assert.deepEqual([...(webhook?.events ?? [])].sort(), [...subscriptions.topics].sort());
    const known: readonly string[] = RESEND_EMAIL_EVENTS;
    assert.ok(subscriptions.topics.every((topic) => known.includes(topic)));
  });

  it('turns signed delivery, bounce and click events into email_events records', async () => {
    const made = [
      ...(await world.sandbox.control.emit(emailId, 'email.delivered')),
      ...(await world.sandbox.control.emit(emailId, 'email.bounced', {
        bounce: { type: 'Permanent', subType: 'General', message: 'The address does not exist.' },
      })),
      ...(await world.sandbox.control.emit(emailId, 'email.clicked', {
        click: {
          ipAddress: '127.0.0.1',
          link: 'https://example.com/a',
          timestamp: new Date().toISOString(),
          userAgent: 'x',
        },
      })),
    ];
    assert.deepEqual(
      made.map((delivery) => delivery.status),
      [200, 200, 200],
    );
    const records = await waitFor('three email_events records', async () => {
      const all = await world.emailEvents();
      return all.length === 3 ? all : undefined;
    });
    const byType = new Map(records.map((record) => [record.type, record]));
    assert.deepEqual([...byType.keys()].sort(), ['bounced', 'clicked', 'delivered']);
    for (const record of records) {
      assert.equal(record.emailId, emailId);
      assert.equal(record.recipient, 'buyer@example.org');
    }
    assert.deepEqual(byType.get('bounced')?.bounce, { kind: 'hard', reason: 'The address does not exist.' });
    assert.equal(byType.get('clicked')?.url, 'https://example.com/a');
    assert.equal(byType.get('delivered')?.providerType, 'email.delivered');
  });

  it('refuses a forged signature and a body changed after signing', async () => {
    const [delivery] = await world.sandbox.control.emit(emailId, 'email.opened');
    assert.equal(delivery?.status, 200);
    const url = delivery.url;
    const forged = await fetch(url, {
      method: 'POST',
      headers: {
        ...delivery.headers,
        'svix-id': 'msg_forged',
        'svix-signature': `v1,${Buffer.alloc(32).toString('base64')}`,
      },
      body: delivery.body,
    });
    assert.equal(forged.status, 401);
    const tampered = await fetch(url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body.replace('email.opened', 'email.complained'),
    });
    assert.equal(tampered.status, 401);
    const records = await world.emailEvents();
    assert.equal(records.filter((record) => record.type === 'complained').length, 0);
    await waitFor('the opened record', async () =>
      (await world.emailEvents()).some((record) => record.type === 'opened') ? true : undefined,
    );
  });
});
