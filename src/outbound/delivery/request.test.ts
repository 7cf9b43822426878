import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { generateEndpointSecret } from '../signing.ts';
import { buildDeliveryRequest, USER_AGENT } from './request.ts';

describe('delivery request', () => {
  const secret = generateEndpointSecret();
  const payload = '{"type":"test.event","timestamp":"2026-01-01T00:00:00.000Z","data":{"a":1}}';
  const now = Date.UTC(2026, 0, 1, 0, 0, 12, 345);

  it('sends the stored payload as is, with JSON, user agent and Standard Webhooks headers', () => {
    const request = buildDeliveryRequest({
      messageId: 'msg_1',
      payload,
      url: 'https://example.com/hooks',
      customHeaders: {},
      secrets: [secret],
      now,
    });
    assert.equal(request.body, payload);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['user-agent'], USER_AGENT);
    assert.match(USER_AGENT, /^Patchbay-Webhooks\/\d+\.\d+\.\d+/);
    assert.equal(request.headers['webhook-id'], 'msg_1');
    assert.equal(request.headers['webhook-timestamp'], String(Math.floor(now / 1000)));
    const expected = new StandardWebhook(secret).sign(
      'msg_1',
      new Date(Math.floor(now / 1000) * 1000),
      payload,
    );
    assert.equal(request.headers['webhook-signature'], expected);
  });

  it('adds custom headers but never lets them replace what the delivery sets', () => {
    const request = buildDeliveryRequest({
      messageId: 'msg_1',
      payload,
      url: 'https://example.com/hooks',
      customHeaders: {
        Authorization: 'Bearer receiver-token',
        'X-Tenant': 'acme',
        'Content-Type': 'text/plain',
        'User-Agent': 'other',
        'Webhook-Signature': 'v1,forged',
        'webhook-id': 'other',
        Host: 'evil.example',
        'Content-Length': '1',
      },
      secrets: [secret],
      now,
    });
    assert.equal(request.headers.authorization, 'Bearer receiver-token');
    assert.equal(request.headers['x-tenant'], 'acme');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['user-agent'], USER_AGENT);
    assert.equal(request.headers['webhook-id'], 'msg_1');
    assert.notEqual(request.headers['webhook-signature'], 'v1,forged');
    assert.equal(request.headers.host, undefined);
    assert.equal(request.headers['content-length'], undefined);
  });
});
