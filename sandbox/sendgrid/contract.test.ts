/**
 * The SendGrid emulator driven by the official SDK: `@sendgrid/mail` sends through it (the
 * request it builds from a `MailDataRequired` is what the emulator reads; its `ResponseError` is
 * what the emulator answers), `@sendgrid/client` manages the Event Webhook, and
 * `@sendgrid/eventwebhook` verifies the emulator's signed deliveries with the public key the
 * account answers.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import client from '@sendgrid/client';
import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import mail from '@sendgrid/mail';
import { type SendGridSandbox, startSendGridSandbox } from './server.ts';

/** One message as `@sendgrid/mail` takes it (its `MailDataRequired`). */
type MailDataRequired = Exclude<Parameters<typeof mail.send>[0], unknown[]>;

/** The fields of the SDK's `ResponseError` the tests read. */
interface ResponseError {
  code: number;
  response: { headers: Record<string, string>; body: unknown };
}

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

describe('SendGrid emulator, driven by the SendGrid SDK', () => {
  let sandbox: SendGridSandbox;
  const received: Received[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.end();
    });
  });
  let receiverUrl = '';

  const message: MailDataRequired = {
    to: 'buyer@example.org',
    from: { email: 'hello@example.com', name: 'Acme' },
    replyTo: 'support@example.com',
    subject: 'Your order',
    text: 'Thanks!',
    html: '<p>Thanks!</p>',
    customArgs: { order: '17' },
    headers: { 'X-Entity-Ref-ID': 'order-17' },
  };

  before(async () => {
    sandbox = await startSendGridSandbox();
    // The SDK's singletons (mail sends through the client): this file runs in its own process.
    client.setApiKey(sandbox.apiKey);
    client.setDefaultRequest('baseUrl', sandbox.url);
    mail.setClient(client);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
  });
  after(async () => {
    await sandbox?.close();
    receiver.close();
  });

  it('accepts a message with 202 and an X-Message-Id', async () => {
    const [response] = await mail.send(message);
    assert.equal(response.statusCode, 202);
    const id = response.headers['x-message-id'] as string;
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    const stored = sandbox.control.messages.at(-1)!;
    assert.equal(stored.id, id);
    assert.deepEqual(stored.personalizations[0]?.to, [{ email: 'buyer@example.org' }]);
    assert.deepEqual(
      stored.content.map((block) => block.type),
      ['text/plain', 'text/html'],
    );
    assert.deepEqual(
      [stored.replyTo?.email, stored.customArgs.order, stored.headers['X-Entity-Ref-ID']],
      ['support@example.com', '17', 'order-17'],
    );
  });

  it("refuses an invalid message with SendGrid's errors array", async () => {
    const error = await mail.send({ ...message, to: 'not-an-address', subject: '' }).then(
      () => assert.fail('accepted'),
      (e: ResponseError) => e,
    );
    assert.equal(error.code, 400);
    const body = error.response.body as { errors: Array<{ field: string; message: string; help: string }> };
    const fields = body.errors.map((entry) => entry.field).sort();
    assert.deepEqual(fields, ['personalizations.0.to.0.email', 'subject']);
    assert.ok(body.errors.every((entry) => entry.help.startsWith('http')));
  });

  it('refuses a wrong key with 401 and answers 429 with X-RateLimit headers', async () => {
    const refused = await fetch(`${sandbox.url}/v3/scopes`, {
      headers: { authorization: 'Bearer SG.wrong.key' },
    });
    assert.equal(refused.status, 401);
    const body = (await refused.json()) as { errors: Array<{ message: string }> };
    assert.match(body.errors[0]?.message ?? '', /invalid, expired, or revoked/);
    sandbox.control.faults.tooManyRequests(1, 2);
    const limited = await mail.send(message).then(
      () => assert.fail('accepted'),
      (e: ResponseError) => e,
    );
    assert.equal(limited.code, 429);
    const headers = limited.response.headers as Record<string, string>;
    assert.equal(headers['x-ratelimit-remaining'], '0');
    assert.ok(Number(headers['x-ratelimit-reset']) >= Math.floor(Date.now() / 1000) + 1);
  });

  it('configures a signed Event Webhook whose batched deliveries verify with @sendgrid/eventwebhook', async () => {
    const [created] = await client.request({
      method: 'POST',
      url: '/v3/user/webhooks/event/settings',
      body: {
        enabled: true,
        url: receiverUrl,
        delivered: true,
        bounce: true,
        spam_report: true,
        friendly_name: 'test',
      },
    });
    assert.equal(created.statusCode, 201);
    const id = (created.body as { id: string }).id;
    const [signed] = await client.request({
      method: 'PATCH',
      url: `/v3/user/webhooks/event/settings/signed/${id}`,
      body: { enabled: true },
    });
    const publicKey = (signed.body as { public_key: string }).public_key;
    assert.ok(publicKey.length > 0);
    const [all] = await client.request({ method: 'GET', url: '/v3/user/webhooks/event/settings/all' });
    const listed = (all.body as { webhooks: Array<{ id: string; public_key?: string }> }).webhooks;
    assert.equal(listed.find((webhook) => webhook.id === id)?.public_key, publicKey);

    const [response] = await mail.send(message);
    const messageId = response.headers['x-message-id'] as string;
    const [delivery] = await sandbox.control.emitMany([
      { messageId, event: 'processed' },
      { messageId, event: 'delivered' },
      { messageId, event: 'spamreport' },
    ]);
    assert.equal(delivery?.status, 200);
    const request = received.at(-1)!;
    const events = JSON.parse(request.body) as Array<Record<string, unknown>>;
    // `processed` is not turned on for this webhook.
    assert.deepEqual(
      events.map((event) => event.event),
      ['delivered', 'spamreport'],
    );
    assert.ok(String(events[0]?.sg_message_id).startsWith(`${messageId}.`));
    assert.equal(events[0]?.order, '17', 'custom args travel with each event');

    const verifier = new EventWebhook();
    const key = verifier.convertPublicKeyToECDSA(publicKey);
    const signature = String(request.headers[EventWebhookHeader.SIGNATURE().toLowerCase()]);
    const timestamp = String(request.headers[EventWebhookHeader.TIMESTAMP().toLowerCase()]);
    assert.equal(verifier.verifySignature(key, request.body, signature, timestamp), true);
    assert.equal(
      verifier.verifySignature(key, request.body.replace('delivered', 'deferred'), signature, timestamp),
      false,
    );

    const [removed] = await client.request({
      method: 'DELETE',
      url: `/v3/user/webhooks/event/settings/${id}`,
    });
    assert.equal(removed.statusCode, 204);
    assert.deepEqual(await sandbox.control.emit(messageId, 'delivered'), []);
  });
  it("serves the single-webhook settings and their signed public key, SendGrid's older endpoints", async () => {
    const [patched] = await client.request({
      method: 'PATCH',
      url: '/v3/user/webhooks/event/settings',
      body: { enabled: true, url: receiverUrl, delivered: true },
    });
    assert.equal(patched.statusCode, 200);
    assert.equal((patched.body as { delivered: boolean }).delivered, true);
    const [got] = await client.request({ method: 'GET', url: '/v3/user/webhooks/event/settings' });
    assert.equal((got.body as { url: string }).url, receiverUrl);
    const [signed] = await client.request({
      method: 'PATCH',
      url: '/v3/user/webhooks/event/settings/signed',
      body: { enabled: true },
    });
    const publicKey = (signed.body as { public_key: string }).public_key;
    const [read] = await client.request({ method: 'GET', url: '/v3/user/webhooks/event/settings/signed' });
    assert.equal((read.body as { public_key: string }).public_key, publicKey);
    const [response] = await mail.send(message);
    const [delivery] = await sandbox.control.emit(response.headers['x-message-id'] as string, 'delivered');
    const verifier = new EventWebhook();
    const headers = delivery!.headers;
    assert.equal(
      verifier.verifySignature(
        verifier.convertPublicKeyToECDSA(publicKey),
        delivery!.body,
        headers[EventWebhookHeader.SIGNATURE()]!,
        headers[EventWebhookHeader.TIMESTAMP()]!,
      ),
      true,
    );
  });
});
