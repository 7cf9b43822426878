/**
 * The sandbox signer reproduces the providers' published signatures (so sandboxes send what the
 * real providers send), and places URL tokens where the definition says.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { webhookVerificationSchema, webhookVerificationSchemas } from '../../src/catalog/index.ts';
import { verifyDelivery } from '../../src/inbound/verify/index.ts';
import { deliveryUrl, incomingDelivery, signDelivery } from './index.ts';

const parse = (input: unknown) => webhookVerificationSchema.parse(input);

describe('signDelivery', () => {
  it("reproduces GitHub's documented test signature", () => {
    const v = parse({ scheme: 'hmac', preset: 'github' });
    const headers = signDelivery(v, {
      body: 'Hello, World!',
      secret: "It's a Secret to Everybody",
      url: 'https://x.example/',
      timestamp: 0,
    });
    assert.deepEqual(headers, {
      'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    });
  });

  it("reproduces Slack's documented example", () => {
    const v = parse({ scheme: 'hmac', preset: 'slack' });
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = signDelivery(v, {
      body,
      secret: '8f742231b10e8888abcd99yyyzzz85a5',
      url: 'https://x.example/',
      timestamp: 1531420618_000,
    });
    assert.deepEqual(headers, {
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    });
  });

  it("reproduces Square's SDK test vector", () => {
    const v = parse({ scheme: 'hmac', preset: 'square' });
    const body =
      '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}';
    const headers = signDelivery(v, {
      body,
      secret: 'Ibxx_5AKakO-3qeNVR61Dw',
      url: 'https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9',
      timestamp: 0,
    });
    assert.deepEqual(headers, {
      'x-square-hmacsha256-signature': 'GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=',
    });
  });

  it('writes a key=value list with the timestamp first, and a millisecond timestamp header', async () => {
    const list = parse({
      scheme: 'hmac',
      header: 'x-sig',
      algorithm: 'sha512',
      encoding: 'base64',
      signature: { format: 'list', separator: ';', key: 's' },
      signedContent: '{timestamp}|{body}',
      timestamp: { from: 'signature', key: 'ts', unit: 'ms' },
    });
    const body = '{"a":1}';
    const headers = signDelivery(list, {
      body,
      secret: 'k',
      url: 'https://x.example/',
      timestamp: 1_767_225_600_123,
    });
    const digest = createHmac('sha512', 'k').update(`1767225600123|${body}`).digest('base64');
    assert.deepEqual(headers, { 'x-sig': `ts=1767225600123;s=${digest}` });
    const delivery = incomingDelivery({
      url: 'https://x.example/',
      headers,
      body,
      receivedAt: 1_767_225_600_123,
    });
    assert.deepEqual(await verifyDelivery(list, delivery, ['k']), { ok: true });
  });

  it('places a URL token in the query or as the last path segment', async () => {
    const query = webhookVerificationSchemas.url_token.parse({ scheme: 'url_token', param: 'key' });
    assert.equal(
      deliveryUrl(query, 'https://p.example/w/gumroad?a=1', 't/k').href,
      'https://p.example/w/gumroad?a=1&key=t%2Fk',
    );
    const path = webhookVerificationSchemas.url_token.parse({ scheme: 'url_token', location: 'path' });
    const url = deliveryUrl(path, 'https://p.example/w/mailchimp/', 't/k');
    assert.equal(url.href, 'https://p.example/w/mailchimp/t%2Fk');
    const delivery = incomingDelivery({ url, body: 'type=subscribe', receivedAt: 0 });
    assert.deepEqual(await verifyDelivery(path, delivery, ['t/k']), { ok: true });
    assert.deepEqual(
      deliveryUrl(parse({ scheme: 'hmac', preset: 'square' }), 'https://p.example/a', 'x').href,
      'https://p.example/a',
    );
  });
});
