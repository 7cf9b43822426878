/**
 * The Resend emulator driven by the official `resend` SDK: what the SDK sends is what the
 * emulator reads, what it answers is what the SDK's types say, and its webhook deliveries verify
 * with the SDK's own `webhooks.verify` (Svix / Standard Webhooks).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type CreateEmailOptions, type GetEmailResponseSuccess, Resend } from 'resend';
import { type ResendSandbox, startResendSandbox } from './server.ts';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

describe('Resend emulator, driven by the resend SDK', () => {
  let sandbox: ResendSandbox;
  let resend: Resend;
  const received: Received[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.end('ok');
    });
  });
  let receiverUrl = '';

  const message: CreateEmailOptions = {
    from: 'Acme <hello@example.com>',
    to: ['buyer@example.org'],
    subject: 'Your order',
    text: 'Thanks!',
    html: '<p>Thanks!</p>',
    replyTo: 'support@example.com',
    headers: { 'X-Entity-Ref-ID': 'order-17' },
  };

  before(async () => {
    sandbox = await startResendSandbox({ rateLimit: false });
    resend = new Resend(sandbox.apiKey, { baseUrl: sandbox.url });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await sandbox?.close();
    receiver.close();
  });

  it('sends an email and reads it back with the fields Resend returns', async () => {
    const sent = await resend.emails.send(message);
    assert.equal(sent.error, null);
    const id = sent.data?.id;
    assert.match(id ?? '', /^[0-9a-f-]{36}$/);
    const got = await resend.emails.get(id!);
    assert.equal(got.error, null);
    const email: GetEmailResponseSuccess = got.data!;
    assert.deepEqual(
      [email.object, email.from, email.to, email.subject, email.last_event],
      ['email', 'Acme <hello@example.com>', ['buyer@example.org'], 'Your order', 'sent'],
    );
    assert.deepEqual(email.reply_to, ['support@example.com']);
    assert.equal(sandbox.control.emails.at(-1)?.headers['X-Entity-Ref-ID'], 'order-17');
  });

  it('answers the same email to a repeated Idempotency-Key and refuses it with another body', async () => {
    const first = await resend.emails.send(message, { idempotencyKey: 'order-17/receipt' });
    const again = await resend.emails.send(message, { idempotencyKey: 'order-17/receipt' });
    assert.equal(again.data?.id, first.data?.id);
    const count = sandbox.control.emails.length;
    const other = await resend.emails.send(
      { ...message, subject: 'Other' },
      { idempotencyKey: 'order-17/receipt' },
    );
    assert.equal(other.error?.name, 'invalid_idempotent_request');
    assert.equal(other.error?.statusCode, 409);
    assert.equal(sandbox.control.emails.length, count, 'nothing new was sent');
  });

  it("refuses invalid emails with Resend's error names", async () => {
    const noSubject = await resend.emails.send({ ...message, subject: '' });
    assert.deepEqual([noSubject.error?.name, noSubject.error?.statusCode], ['missing_required_field', 422]);
    const badFrom = await resend.emails.send({ ...message, from: 'not an address' });
    assert.equal(badFrom.error?.name, 'invalid_from_address');
    const badTo = await resend.emails.send({ ...message, to: ['nobody'] });
    assert.equal(badTo.error?.name, 'validation_error');
    const unverified = await resend.emails.send({ ...message, from: 'hi@unverified.dev' });
    assert.deepEqual([unverified.error?.name, unverified.error?.statusCode], ['validation_error', 403]);
    const wrongKey = await new Resend('re_wrong', { baseUrl: sandbox.url }).emails.send(message);
    assert.deepEqual([wrongKey.error?.name, wrongKey.error?.statusCode], ['invalid_api_key', 403]);
    const restricted = await new Resend(sandbox.sendingKey, { baseUrl: sandbox.url }).domains.list();
    assert.equal(restricted.error?.name, 'restricted_api_key');
  });

  it('sends a batch and pages the email list with after', async () => {
    const batch = await resend.batch.send([message, { ...message, to: ['other@example.org'] }]);
    assert.equal(batch.data?.data.length, 2);
    const first = await resend.emails.list({ limit: 2 });
    assert.equal(first.data?.has_more, true);
    const ids = first.data!.data.map((email) => email.id);
    assert.deepEqual(ids, batch.data!.data.map((email) => email.id).reverse(), 'newest first');
    const next = await resend.emails.list({ limit: 100, after: ids[1]! });
    assert.equal(
      next.data?.data.some((email) => ids.includes(email.id)),
      false,
    );
  });

  it('answers 429 rate_limit_exceeded with its headers past the limit', async () => {
    sandbox.control.setRateLimit({ requests: 2, windowSeconds: 1 });
    try {
      const answers = await Promise.all([1, 2, 3].map(() => resend.domains.list()));
      const refused = answers.find((answer) => answer.error !== null);
      assert.equal(refused?.error?.name, 'rate_limit_exceeded');
      assert.equal(refused?.error?.statusCode, 429);
      assert.ok(Number(refused?.headers?.['retry-after']) >= 1);
      assert.equal(refused?.headers?.['ratelimit-remaining'], '0');
      assert.equal(answers[0]?.headers?.['ratelimit-limit'], '2');
    } finally {
      sandbox.control.setRateLimit(null);
    }
  });

  it('registers, lists, updates and removes webhooks; deliveries verify with the SDK', async () => {
    const created = await resend.webhooks.create({
      endpoint: receiverUrl,
      events: ['email.delivered', 'email.bounced'],
    });
    assert.match(created.data?.signing_secret ?? '', /^whsec_/);
    const listed = await resend.webhooks.list();
    assert.ok(
      listed.data?.data.some((webhook) => webhook.id === created.data?.id && webhook.status === 'enabled'),
    );

    const sent = await resend.emails.send(message);
    const [delivery] = await sandbox.control.emit(sent.data!.id, 'email.delivered');
    assert.equal(delivery?.status, 200);
    const request = received.at(-1)!;
    const event = resend.webhooks.verify({
      payload: request.body,
      headers: {
        id: String(request.headers['svix-id']),
        timestamp: String(request.headers['svix-timestamp']),
        signature: String(request.headers['svix-signature']),
      },
      webhookSecret: created.data!.signing_secret,
    });
    assert.equal(event.type, 'email.delivered');
    assert.equal((event.data as { email_id: string }).email_id, sent.data!.id);
    assert.equal((await resend.emails.get(sent.data!.id)).data?.last_event, 'delivered');

    // Not subscribed: no delivery. Disabled: none either.
    assert.deepEqual(await sandbox.control.emit(sent.data!.id, 'email.opened'), []);
    await resend.webhooks.update(created.data!.id, { status: 'disabled' });
    assert.deepEqual(await sandbox.control.emit(sent.data!.id, 'email.bounced'), []);
    const removed = await resend.webhooks.remove(created.data!.id);
    assert.equal(removed.data?.deleted, true);
    assert.equal((await resend.webhooks.get(created.data!.id)).error?.name, 'not_found');
  });
});
