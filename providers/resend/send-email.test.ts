/**
 * Resend's `send-email` against the Resend emulator, through the engine: the body Resend reads,
 * the Idempotency-Key derived from the run (so a host's retry sends nothing twice), Resend's
 * validation refusal as the run's `provider_error` with Resend's `name`, a 429 waited out after
 * its `retry-after`, and one that outlasts the proxy's patience as `rate_limited`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResendSandbox } from '../../sandbox/index.ts';
import { type MailWorld, startResendWorld } from '../../test/support/mail-world.ts';

const email = {
  from: 'Acme <hello@example.com>',
  to: ['buyer@example.org'],
  subject: 'Your order',
  text: 'Thanks for your order.',
  html: '<p>Thanks for your order.</p>',
  replyTo: 'support@example.com',
  headers: { 'X-Entity-Ref-ID': 'order-17' },
  cc: ['accounts@example.org'],
};

describe('resend send-email', { timeout: 60_000 }, () => {
  let world: MailWorld<ResendSandbox>;

  before(async () => {
    // A short per-attempt timeout, so an answer held back by the emulator is given up on quickly.
    world = await startResendWorld({ engine: { config: { proxyTimeoutMs: 1_000 } } });
  });
  after(async () => {
    await world?.close();
  });

  it('sends the email Resend reads and answers its id', async () => {
    const run = await world.send(email);
    assert.equal(run.body.status, 'succeeded', run.text);
    const sent = world.sandbox.control.emails.at(-1)!;
    assert.equal(run.body.output.id, sent.email.id);
    assert.deepEqual(
      [
        sent.email.from,
        sent.email.to,
        sent.email.cc,
        sent.email.reply_to,
        sent.email.subject,
        sent.email.text,
        sent.email.html,
      ],
      [email.from, email.to, email.cc, [email.replyTo], email.subject, email.text, email.html],
    );
    assert.equal(sent.headers['X-Entity-Ref-ID'], 'order-17');
  });

  it("sends once for a host's idempotency key, even when the run is made again", async () => {
    const before = world.sandbox.control.emails.length;
    const first = await world.send(email, { idempotencyKey: 'receipt-order-18' });
    assert.equal(first.body.status, 'succeeded', first.text);
    // The same key on another connection of the same account is a different key at Resend.
    const other = await world.connect('end-user-2');
    const elsewhere = await world.engine.call('POST', `/v1/connections/${other}/actions/send-email`, {
      input: email,
      idempotencyKey: 'receipt-order-18',
    });
    assert.notEqual(elsewhere.body.output.id, first.body.output.id);
    assert.equal(world.sandbox.control.emails.length, before + 2);
  });

  it("gives the run Resend's validation refusal with Resend's error name", async () => {
    const run = await world.send({ ...email, from: 'Acme <hello@unverified.dev>' });
    assert.equal(run.body.status, 'failed');
    assert.equal(run.body.error.code, 'provider_error');
    assert.deepEqual([run.body.error.details.status, run.body.error.details.code], [403, 'validation_error']);
    assert.match(run.body.error.message, /unverified\.dev domain is not verified/);

    const invalid = await world.send({ ...email, text: undefined, html: undefined });
    assert.equal(invalid.status, 400, invalid.text);
    assert.equal(invalid.body.error.code, 'action_input_invalid');
  });

  it('waits out a 429 for its retry-after and sends once', async () => {
    const requests = () => world.sandbox.control.requests.get('POST /emails') ?? 0;
    const before = requests();
    const count = world.sandbox.control.emails.length;
    world.sandbox.control.faults.tooManyRequests(1, 1, 'POST /emails');
    const run = await world.send(email);
    assert.equal(run.body.status, 'succeeded', run.text);
    assert.equal(requests() - before, 2, 'refused once, then accepted');
    assert.equal(world.sandbox.control.emails.length, count + 1);
  });

  it('sends once when the answer is lost: the retry carries the same Idempotency-Key', async () => {
    const requests = () => world.sandbox.control.requests.get('POST /emails') ?? 0;
    const before = requests();
    const count = world.sandbox.control.emails.length;
    // Resend accepts the email, but its answer comes after the proxy stopped waiting.
    world.sandbox.control.faults.delay(1, 2_500, 'POST /emails');
    const run = await world.send(email);
    assert.equal(run.body.status, 'succeeded', run.text);
    assert.equal(requests() - before, 2, 'sent again after the timeout');
    assert.equal(
      world.sandbox.control.emails.length,
      count + 1,
      'Resend answered the repeat with the first email',
    );
    assert.equal(run.body.output.id, world.sandbox.control.emails.at(-1)?.email.id);
  });

  it('answers rate_limited when Resend asks to wait longer than the proxy waits', async () => {
    world.sandbox.control.faults.tooManyRequests(1, 600, 'POST /emails');
    const run = await world.send(email);
    assert.equal(run.body.status, 'failed');
    assert.equal(run.body.error.code, 'rate_limited');
    assert.deepEqual(
      [run.body.error.details.code, run.body.error.details.retryAfterSeconds],
      ['rate_limit_exceeded', 600],
    );
  });
  it('marks the connection reauth_required once Resend refuses a deleted key', async () => {
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
