/**
 * SendGrid's `send-email` against the SendGrid emulator, through the engine: the mail-send body
 * SendGrid reads (one personalization, `text/plain` before `text/html`, names parsed from
 * `Name <address>`), the `X-Message-Id` as the output, SendGrid's 400 as the run's
 * `provider_error` naming the field, a 429 waited out until `X-RateLimit-Reset`, and one that
 * outlasts the proxy's patience as `rate_limited`; a key without the scopes the integration
 * needs is refused at connect time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type SendGridSandbox, startSendGridSandbox } from '../../sandbox/index.ts';
import { type MailWorld, startSendGridWorld } from '../../test/support/mail-world.ts';

const email = {
  from: 'Acme Shop <hello@example.com>',
  to: ['buyer@example.org', 'Second Buyer <second@example.org>'],
  subject: 'Your order',
  text: 'Thanks for your order.',
  html: '<p>Thanks for your order.</p>',
  replyTo: 'support@example.com',
  headers: { 'X-Entity-Ref-ID': 'order-17' },
  bcc: ['archive@example.com'],
};

describe('sendgrid send-email', { timeout: 60_000 }, () => {
  let world: MailWorld<SendGridSandbox>;

  before(async () => {
    world = await startSendGridWorld({ engine: { config: { proxyTimeoutMs: 1_000 } } });
  });
  after(async () => {
    await world?.close();
  });

  it('sends the message SendGrid reads and answers its X-Message-Id', async () => {
    const run = await world.send(email, { idempotencyKey: 'receipt-17' });
    assert.equal(run.body.status, 'succeeded', run.text);
    const sent = world.sandbox.control.messages.at(-1)!;
    assert.equal(run.body.output.id, sent.id);
    assert.deepEqual(sent.from, { email: 'hello@example.com', name: 'Acme Shop' });
    assert.deepEqual(sent.personalizations, [
      {
        to: [{ email: 'buyer@example.org' }, { email: 'second@example.org', name: 'Second Buyer' }],
        bcc: [{ email: 'archive@example.com' }],
        headers: {},
        custom_args: {},
      },
    ]);
    assert.deepEqual(sent.replyTo, { email: 'support@example.com' });
    assert.deepEqual(
      sent.content.map((block) => block.type),
      ['text/plain', 'text/html'],
    );
    assert.deepEqual([sent.subject, sent.headers['X-Entity-Ref-ID']], ['Your order', 'order-17']);
    assert.equal(sent.customArgs.patchbay_idempotency_key, 'receipt-17');
  });

  it("gives the run SendGrid's 400 with the field it names", async () => {
    const run = await world.send({ ...email, to: ['buyer@localhost'] });
    assert.equal(run.body.status, 'failed');
    assert.equal(run.body.error.code, 'provider_error');
    assert.deepEqual(
      [run.body.error.details.status, run.body.error.details.code],
      [400, 'personalizations.0.to.0.email'],
    );
    assert.match(run.body.error.message, /Does not contain a valid address/);
  });

  it('waits out a 429 until X-RateLimit-Reset and sends once', async () => {
    const requests = () => world.sandbox.control.requests.get('POST /v3/mail/send') ?? 0;
    const before = requests();
    const count = world.sandbox.control.messages.length;
    world.sandbox.control.faults.tooManyRequests(1, 1, 'POST /v3/mail/send');
    const run = await world.send(email);
    assert.equal(run.body.status, 'succeeded', run.text);
    assert.equal(requests() - before, 2, 'refused once, then accepted');
    assert.equal(world.sandbox.control.messages.length, count + 1);
  });

  it('sends at most once when the answer is lost: no idempotency key, no second POST', async () => {
    const requests = () => world.sandbox.control.requests.get('POST /v3/mail/send') ?? 0;
    const before = requests();
    const count = world.sandbox.control.messages.length;
    world.sandbox.control.faults.delay(1, 2_500, 'POST /v3/mail/send');
    const run = await world.send(email);
    assert.equal(run.body.status, 'failed');
    assert.equal(run.body.error.code, 'provider_timeout');
    assert.equal(requests() - before, 1, 'not sent again');
    assert.equal(world.sandbox.control.messages.length, count + 1, 'SendGrid did send it: the host decides');
  });

  it('answers rate_limited when SendGrid asks to wait longer than the proxy waits', async () => {
    world.sandbox.control.faults.tooManyRequests(1, 600, 'POST /v3/mail/send');
    const run = await world.send(email);
    assert.equal(run.body.status, 'failed');
    assert.equal(run.body.error.code, 'rate_limited');
    assert.equal(run.body.error.details.status, 429);
    assert.ok(run.body.error.details.retryAfterSeconds > 60, JSON.stringify(run.body.error.details));
  });

  it('refuses at connect time a key that may not manage the Event Webhook', async () => {
    const limited = await startSendGridSandbox({ scopes: ['mail.send'] });
    try {
      const integration = await world.engine.call('PATCH', '/v1/integrations/sendgrid', {
        settings: { baseUrls: { 'https://api.sendgrid.com': limited.url } },
      });
      assert.equal(integration.status, 200, integration.text);
      const session = await world.engine.call('POST', '/v1/connect/sessions', {
        endUser: { id: 'end-user-3' },
      });
      const answer = await fetch(`${world.engine.baseUrl}/connect/api/credentials`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.body.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ integration: 'sendgrid', values: { apiKey: limited.apiKey } }),
      });
      const body = (await answer.json()) as { error?: { code: string } };
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(body.error?.code, 'credentials_rejected');
    } finally {
      await limited.close();
      await world.engine.call('PATCH', '/v1/integrations/sendgrid', {
        settings: { baseUrls: { 'https://api.sendgrid.com': world.sandbox.url } },
      });
    }
  });
  it('marks the connection reauth_required once SendGrid refuses a deleted key', async () => {
    world.sandbox.control.revokeKey();
    const run = await world.send(email);
    assert.equal(run.body.status, 'failed');
    assert.equal(run.body.error.code, 'provider_error', JSON.stringify(run.body.error));
    const connection = await world.engine.call('GET', `/v1/connections/${world.connectionId}`);
    assert.equal(connection.body.status, 'reauth_required', connection.text);
    assert.equal(connection.body.lastError.code, 'credentials_rejected');
    const next = await world.send(email);
    assert.equal(next.body.error.code, 'connection_reauth_required', 'no call until the end user reconnects');
  });
});
