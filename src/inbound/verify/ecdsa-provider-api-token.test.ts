import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { ecdsaP256KeyPair, incomingDelivery } from '../../../sandbox/webhooks/index.ts';
import { webhookVerificationSchema, webhookVerificationSchemas } from '../../catalog/index.ts';
import { isPatchbayError } from '../../errors/index.ts';
import type { ProviderApiRequest, VerificationResult } from '../types.ts';
import { verifyDelivery } from './index.ts';

function code(result: VerificationResult): string {
  return result.ok ? 'ok' : result.code;
}

describe('ecdsa_p256 scheme (SendGrid)', () => {
  const verification = webhookVerificationSchemas.ecdsa_p256.parse({
    scheme: 'ecdsa_p256',
    header: 'x-twilio-email-event-webhook-signature',
    timestampHeader: 'x-twilio-email-event-webhook-timestamp',
  });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKeyBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const body = '[{"email":"a@example.com","event":"delivered","sg_event_id":"sg1"}]\r\n';
  const timestamp = '1767225600';
  const signature = sign('sha256', Buffer.from(timestamp + body), { key: privateKey, dsaEncoding: 'der' });
  const delivery = incomingDelivery({
    url: 'https://patchbay.example/webhooks/prod/sendgrid/c1',
    headers: {
      'X-Twilio-Email-Event-Webhook-Signature': signature.toString('base64'),
      'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
    },
    body,
    receivedAt: Number(timestamp) * 1000,
  });

  it('accepts a signature made with the key pair, with the key as base64 DER or PEM', async () => {
    assert.equal(code(await verifyDelivery(verification, delivery, [publicKeyBase64])), 'ok');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    assert.equal(code(await verifyDelivery(verification, delivery, [pem])), 'ok');
  });

  it('rejects a tampered body or timestamp, another key, garbage and stale timestamps', async () => {
    const tampered = { ...delivery, rawBody: Buffer.from(body.replace('delivered', 'bounce')) };
    assert.equal(
      code(await verifyDelivery(verification, tampered, [publicKeyBase64])),
      'webhook_signature_invalid',
    );
    const moved = {
      ...delivery,
      headers: { ...delivery.headers, 'x-twilio-email-event-webhook-timestamp': '1767225601' },
    };
    assert.equal(
      code(await verifyDelivery(verification, moved, [publicKeyBase64])),
      'webhook_signature_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, delivery, [ecdsaP256KeyPair().verify])),
      'webhook_signature_invalid',
    );
    const garbage = {
      ...delivery,
      headers: {
        ...delivery.headers,
        'x-twilio-email-event-webhook-signature': Buffer.from('nope').toString('base64'),
      },
    };
    assert.equal(
      code(await verifyDelivery(verification, garbage, [publicKeyBase64])),
      'webhook_signature_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, delivery, ['not a key'])),
      'webhook_signature_invalid',
    );
    const stale = { ...delivery, receivedAt: (Number(timestamp) + 301) * 1000 };
    assert.equal(
      code(await verifyDelivery(verification, stale, [publicKeyBase64])),
      'webhook_timestamp_invalid',
    );
  });
});

describe('provider_api scheme', () => {
  // A provider whose API checks its own signatures: the request reads headers, connection config
  // and the body; the verdict is a field of the answer.
  const verification = webhookVerificationSchema.parse({
    scheme: 'provider_api',
    request: {
      path: '/v2/hooks/{config:hookId}/verify',
      body: {
        signature: '{header:x-acme-signature}',
        sent: { at: '{header:x-acme-sent-at}', note: 'sent at {header:x-acme-sent-at} to {config:hookId}' },
        hook: '{config:hookId}',
        event: '{body}',
        eventId: '{body:data.id}',
        raw: '{rawBody}',
        fixed: [1, true, null],
      },
    },
    verdict: { path: 'result.valid', equals: true },
  });
  const event = { type: 'thing.created', data: { id: 'th_1' } };
  const body = JSON.stringify(event);
  const delivery = incomingDelivery({
    url: 'https://patchbay.example/webhooks/prod/acme/c1',
    headers: { 'X-Acme-Signature': 'c2lnbmF0dXJl', 'X-Acme-Sent-At': '2026-01-01T00:00:00Z' },
    body,
    receivedAt: 0,
  });
  const answering = (status: number, text: string, calls: ProviderApiRequest[] = []) => ({
    connectionConfig: { hookId: 'hook 1/a' },
    providerRequest: async (request: ProviderApiRequest) => {
      calls.push(request);
      return { status, text };
    },
  });

  it('asks the provider with the rendered request and reads the verdict', async () => {
    const calls: ProviderApiRequest[] = [];
    const yes = answering(200, '{"result":{"valid":true}}', calls);
    assert.equal(code(await verifyDelivery(verification, delivery, [], yes)), 'ok');
    assert.deepEqual(calls, [
      {
        method: 'POST',
        path: '/v2/hooks/hook%201%2Fa/verify',
        body: {
          signature: 'c2lnbmF0dXJl',
          sent: { at: '2026-01-01T00:00:00Z', note: 'sent at 2026-01-01T00:00:00Z to hook 1/a' },
          hook: 'hook 1/a',
          event,
          eventId: 'th_1',
          raw: body,
          fixed: [1, true, null],
        },
      },
    ]);
    const no = answering(200, '{"result":{"valid":"true"}}');
    assert.equal(code(await verifyDelivery(verification, delivery, [], no)), 'webhook_signature_invalid');
  });

  it('refuses a delivery missing a header, a connection, a config value or a JSON body', async () => {
    const yes = answering(200, '{"result":{"valid":true}}');
    const { 'x-acme-signature': _sig, ...rest } = delivery.headers;
    assert.equal(
      code(await verifyDelivery(verification, { ...delivery, headers: rest }, [], yes)),
      'webhook_signature_missing',
    );
    assert.equal(
      code(await verifyDelivery(verification, delivery, [], { connectionConfig: { hookId: 'h' } })),
      'webhook_signature_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, delivery, [], { ...yes, connectionConfig: {} })),
      'webhook_signature_invalid',
    );
    const notJson = { ...delivery, rawBody: Buffer.from('{oops') };
    assert.equal(code(await verifyDelivery(verification, notJson, [], yes)), 'webhook_signature_invalid');
  });

  it('treats a non-2xx or non-JSON answer, or a failed call, as no verdict: it throws', async () => {
    for (const [status, text] of [
      [500, ''],
      [401, ''],
      [200, 'SUCCESS'],
    ] as const) {
      await assert.rejects(verifyDelivery(verification, delivery, [], answering(status, text)), (err) =>
        isPatchbayError(err, 'provider_unreachable'),
      );
    }
    const failing = {
      connectionConfig: { hookId: 'x' },
      providerRequest: async () => {
        throw new Error('proxy down');
      },
    };
    await assert.rejects(verifyDelivery(verification, delivery, [], failing), /proxy down/);
  });

  it('rejects templates with unknown tokens, and paths with other than config tokens', () => {
    const base = { scheme: 'provider_api', verdict: { path: 'ok', equals: true } };
    for (const request of [
      { path: '/v', body: { a: '{header:X-Upper}' } },
      { path: '/v', body: { a: '{config:not a key}' } },
      { path: '/v', body: { a: '{rawBody:x}' } },
      { path: '/v/{header:x-a}' },
      { path: '/v/{body}' },
    ]) {
      assert.equal(
        webhookVerificationSchema.safeParse({ ...base, request }).success,
        false,
        JSON.stringify(request),
      );
    }
  });
});

describe('url_token scheme', () => {
  const token = 'tok_9f8e7d6c5b4a';
  it('checks a query token', async () => {
    const verification = webhookVerificationSchemas.url_token.parse({ scheme: 'url_token' });
    const at = (url: string) => incomingDelivery({ url, body: 'a=1', receivedAt: 0 });
    assert.equal(
      code(
        await verifyDelivery(verification, at(`https://p.example/w/gumroad?token=${token}`), ['old', token]),
      ),
      'ok',
    );
    assert.equal(
      code(await verifyDelivery(verification, at('https://p.example/w/gumroad?token=wrong'), [token])),
      'webhook_token_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, at(`https://p.example/w/gumroad?token=${token}x`), [token])),
      'webhook_token_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, at('https://p.example/w/gumroad'), [token])),
      'webhook_token_invalid',
    );
    assert.equal(
      code(await verifyDelivery(verification, at('https://p.example/w/gumroad?token='), [''])),
      'webhook_token_invalid',
    );
  });

  it('checks a token in the last path segment', async () => {
    const verification = webhookVerificationSchemas.url_token.parse({
      scheme: 'url_token',
      location: 'path',
    });
    const at = (url: string) => incomingDelivery({ url, body: 'a=1', receivedAt: 0 });
    assert.equal(
      code(await verifyDelivery(verification, at(`https://p.example/w/mailchimp/${token}`), [token])),
      'ok',
    );
    assert.equal(
      code(await verifyDelivery(verification, at(`https://p.example/w/mailchimp/${token}/`), [token])),
      'ok',
    );
    assert.equal(
      code(await verifyDelivery(verification, at(`https://p.example/w/${token}/mailchimp`), [token])),
      'webhook_token_invalid',
    );
  });
});
