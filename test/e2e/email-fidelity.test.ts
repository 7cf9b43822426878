/**
 * The requests `send-email` makes are the ones the makers' official SDKs make for the same email:
 * each emulator records what reaches it, the email is sent once through the engine and once
 * through the SDK (`resend`; `@sendgrid/mail`), and the two requests are compared — method, path,
 * content type, the decoded JSON body, and Resend's Idempotency-Key header.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import client from '@sendgrid/client';
import mail from '@sendgrid/mail';
import { Resend } from 'resend';
import type { ReceivedApiRequest, ResendSandbox, SendGridSandbox } from '../../sandbox/index.ts';
import { type MailWorld, startResendWorld, startSendGridWorld } from '../support/mail-world.ts';

const email = {
  from: 'Acme <hello@example.com>',
  to: ['buyer@example.org', 'Second <second@example.org>'],
  subject: 'Your order',
  text: 'Thanks for your order.',
  html: '<p>Thanks for your order.</p>',
  replyTo: 'support@example.com',
  headers: { 'X-Entity-Ref-ID': 'order-17' },
  cc: ['accounts@example.org'],
  bcc: ['archive@example.org'],
};

/** The last request of `route` the emulator received after `from`. */
function last(
  received: readonly ReceivedApiRequest[],
  from: number,
  method: string,
  path: string,
): ReceivedApiRequest {
  const found = received
    .slice(from)
    .filter((request) => request.method === method && request.path === path)
    .at(-1);
  assert.ok(found, `a ${method} ${path}`);
  return found;
}

const contentType = (request: ReceivedApiRequest) => request.headers['content-type']?.split(';')[0]?.trim();

describe('send-email sends what the official SDKs send', { timeout: 60_000 }, () => {
  let resend: MailWorld<ResendSandbox>;
  let sendgrid: MailWorld<SendGridSandbox>;

  before(async () => {
    resend = await startResendWorld();
    sendgrid = await startSendGridWorld();
  });
  after(async () => {
    await resend?.close();
    await sendgrid?.close();
  });

  it('Resend: the same JSON body to POST /emails, with an Idempotency-Key', async () => {
    const received = resend.sandbox.control.received;
    const mark = received.length;
    const run = await resend.send(email);
    assert.equal(run.body.status, 'succeeded', run.text);
    const ours = last(received, mark, 'POST', '/emails');
    const sdk = new Resend(resend.sandbox.apiKey, { baseUrl: resend.sandbox.url });
    const sent = await sdk.emails.send(email, { idempotencyKey: 'sdk-key' });
    assert.equal(sent.error, null);
    const theirs = last(received, mark, 'POST', '/emails');
    assert.notEqual(ours, theirs);
    assert.deepEqual(JSON.parse(ours.body), JSON.parse(theirs.body));
    assert.equal(contentType(ours), contentType(theirs));
    assert.equal(ours.headers.authorization, theirs.headers.authorization);
    assert.match(ours.headers['idempotency-key'] ?? '', /^patchbay:conn_[^:]+:run%3A/);
    assert.equal(theirs.headers['idempotency-key'], 'sdk-key');
  });

  it('SendGrid: the same JSON body to POST /v3/mail/send', async () => {
    const received = sendgrid.sandbox.control.received;
    const mark = received.length;
    const run = await sendgrid.send(email, { idempotencyKey: 'receipt-17' });
    assert.equal(run.body.status, 'succeeded', run.text);
    const ours = last(received, mark, 'POST', '/v3/mail/send');
    client.setApiKey(sendgrid.sandbox.apiKey);
    client.setDefaultRequest('baseUrl', sendgrid.sandbox.url);
    mail.setClient(client);
    const [answer] = await mail.send({
      ...email,
      from: { email: 'hello@example.com', name: 'Acme' },
      to: [{ email: 'buyer@example.org' }, { email: 'second@example.org', name: 'Second' }],
      customArgs: { patchbay_idempotency_key: 'receipt-17' },
    });
    assert.equal(answer.statusCode, 202);
    const theirs = last(received, mark, 'POST', '/v3/mail/send');
    assert.notEqual(ours, theirs);
    assert.deepEqual(JSON.parse(ours.body), JSON.parse(theirs.body));
    assert.equal(contentType(ours), contentType(theirs));
    assert.equal(ours.headers.authorization, theirs.headers.authorization);
  });
});
