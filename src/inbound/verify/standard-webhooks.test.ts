import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { incomingDelivery, signDelivery } from '../../../sandbox/webhooks/index.ts';
import { webhookVerificationSchemas } from '../../catalog/index.ts';
import { verifyDelivery } from './index.ts';

const schema = webhookVerificationSchemas.standard_webhooks;
const webhookScheme = schema.parse({ scheme: 'standard_webhooks' });
const svixScheme = schema.parse({ scheme: 'standard_webhooks', headerPrefix: 'svix' });
const secret = `whsec_${randomBytes(24).toString('base64')}`;
const payload = '{"type":"membership.went_valid","data":{"id":"mem_1","company_id":"biz_1"}}';
const msgId = 'msg_2u3jTbYc5s3q7VS6dWiXvZxWpoJ';
const seconds = 1_767_225_600;
const url = 'https://patchbay.example/webhooks/prod/whop';

function delivery(prefix: string, signature: string, body = payload, receivedAt = seconds * 1000) {
  return incomingDelivery({
    url,
    headers: {
      [`${prefix}-id`]: msgId,
      [`${prefix}-timestamp`]: String(seconds),
      [`${prefix}-signature`]: signature,
    },
    body,
    receivedAt,
  });
}

function code(result: { ok: boolean; code?: string }): string {
  return result.ok ? 'ok' : (result.code ?? '');
}

describe('standard_webhooks scheme', () => {
  it('accepts payloads signed by the official standardwebhooks library', async () => {
    const signature = new Webhook(secret).sign(msgId, new Date(seconds * 1000), payload);
    assert.equal(code(await verifyDelivery(webhookScheme, delivery('webhook', signature), [secret])), 'ok');
  });

  it('accepts svix-* headers signed by the official svix library', async () => {
    const signature = new SvixWebhook(secret).sign(msgId, new Date(seconds * 1000), payload);
    assert.equal(code(await verifyDelivery(svixScheme, delivery('svix', signature), [secret])), 'ok');
    // The prefix is part of the definition: webhook-* headers do not satisfy a svix definition.
    assert.equal(
      code(await verifyDelivery(svixScheme, delivery('webhook', signature), [secret])),
      'webhook_signature_missing',
    );
  });

  it('finds the v1 entry among several space-separated signatures', async () => {
    const signature = new Webhook(secret).sign(msgId, new Date(seconds * 1000), payload);
    const other = `v1,${randomBytes(32).toString('base64')}`;
    const header = `v1a,${randomBytes(64).toString('base64')} ${other} ${signature}`;
    assert.equal(code(await verifyDelivery(webhookScheme, delivery('webhook', header), [secret])), 'ok');
  });

  it('rejects a tampered body, id, wrong secret and garbled signature', async () => {
    const signature = new Webhook(secret).sign(msgId, new Date(seconds * 1000), payload);
    const tampered = delivery('webhook', signature, payload.replace('mem_1', 'mem_2'));
    assert.equal(code(await verifyDelivery(webhookScheme, tampered, [secret])), 'webhook_signature_invalid');
    const otherId = delivery('webhook', signature);
    const headers = { ...otherId.headers, 'webhook-id': 'msg_other' };
    assert.equal(
      code(await verifyDelivery(webhookScheme, { ...otherId, headers }, [secret])),
      'webhook_signature_invalid',
    );
    const wrong = `whsec_${randomBytes(24).toString('base64')}`;
    assert.equal(
      code(await verifyDelivery(webhookScheme, delivery('webhook', signature), [wrong])),
      'webhook_signature_invalid',
    );
    assert.equal(
      code(await verifyDelivery(webhookScheme, delivery('webhook', 'v1,@@@'), [secret])),
      'webhook_signature_invalid',
    );
  });

  it('rejects timestamps more than 5 minutes away either way', async () => {
    const signature = new Webhook(secret).sign(msgId, new Date(seconds * 1000), payload);
    for (const receivedAt of [(seconds + 301) * 1000, (seconds - 301) * 1000]) {
      const result = await verifyDelivery(
        webhookScheme,
        delivery('webhook', signature, payload, receivedAt),
        [secret],
      );
      assert.equal(code(result), 'webhook_timestamp_invalid');
    }
  });

  it('uses a secret without the whsec_ prefix as its UTF-8 bytes', async () => {
    const plain = 'not-base64-secret!';
    const signature = new Webhook(plain, { format: 'raw' }).sign(msgId, new Date(seconds * 1000), payload);
    assert.equal(code(await verifyDelivery(webhookScheme, delivery('webhook', signature), [plain])), 'ok');
  });

  it('signs what the official library verifies (sandbox signer)', () => {
    const headers = signDelivery(webhookScheme, {
      body: payload,
      secret,
      url,
      timestamp: Date.now(),
      id: msgId,
    });
    assert.deepEqual(new Webhook(secret).verify(payload, headers), JSON.parse(payload));
  });
});
