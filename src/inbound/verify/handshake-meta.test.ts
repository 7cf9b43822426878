import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { incomingDelivery } from '../../../sandbox/webhooks/index.ts';
import { webhooksSchema } from '../../catalog/index.ts';
import { isPatchbayError } from '../../errors/index.ts';
import { answerHandshake, readEventMeta } from './index.ts';

const base = { verification: { scheme: 'url_token' }, routing: { from: 'url' } } as const;

describe('answerHandshake', () => {
  const meta = webhooksSchema.parse({
    verification: { scheme: 'hmac', preset: 'github' },
    routing: { from: 'integration' },
    handshake: { kind: 'hub_challenge' },
  });
  const get = (query: string) =>
    incomingDelivery({ method: 'GET', url: `https://p.example/w/fb?${query}`, body: '', receivedAt: 0 });

  it('answers a Meta hub challenge with a matching verify token, refuses it otherwise', () => {
    const ok = answerHandshake(
      meta,
      get('hub.mode=subscribe&hub.verify_token=vt-1&hub.challenge=1158201444'),
      ['vt-0', 'vt-1'],
    );
    assert.deepEqual(ok, { ok: true, body: '1158201444' });
    const wrong = answerHandshake(meta, get('hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1'), [
      'vt-1',
    ]);
    const refusedWith = (answer: ReturnType<typeof answerHandshake>) =>
      answer?.ok === false ? answer.code : null;
    assert.equal(refusedWith(wrong), 'webhook_token_invalid');
    assert.equal(
      refusedWith(answerHandshake(meta, get('hub.mode=subscribe&hub.challenge=1'), ['vt-1'])),
      'webhook_token_invalid',
    );
    assert.equal(
      refusedWith(answerHandshake(meta, get('hub.mode=subscribe&hub.verify_token=vt-1'), ['vt-1'])),
      'webhook_payload_invalid',
    );
    assert.equal(answerHandshake(meta, get('a=b'), ['vt-1']), null);
    const post = incomingDelivery({ url: 'https://p.example/w/fb', body: '{}', receivedAt: 0 });
    assert.equal(answerHandshake(meta, post, ['vt-1']), null);
  });

  it("answers WooCommerce's creation ping, and nothing else, as a form_ping", () => {
    const woo = webhooksSchema.parse({
      verification: { scheme: 'hmac', preset: 'woocommerce' },
      routing: { from: 'url' },
      handshake: { kind: 'form_ping' },
    });
    const post = (body: string, method = 'POST') =>
      incomingDelivery({ method, url: 'https://p.example/w/woo/t', body, receivedAt: 0 });
    assert.deepEqual(answerHandshake(woo, post('webhook_id=17'), []), { ok: true, body: 'ok' });
    assert.equal(answerHandshake(woo, post('webhook_id=17&x=1'), []), null);
    assert.equal(answerHandshake(woo, post('webhook_id=abc'), []), null);
    assert.equal(answerHandshake(woo, post('{"id":17}'), []), null);
    assert.equal(answerHandshake(woo, post('webhook_id=17', 'GET'), []), null);
  });

  it("answers Slack's url_verification (the caller has verified the signature first)", () => {
    const slack = webhooksSchema.parse({
      verification: { scheme: 'hmac', header: 'x-slack-signature', encoding: 'hex' },
      routing: { from: 'integration' },
      handshake: { kind: 'body_challenge' },
    });
    const body =
      '{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}';
    const delivery = incomingDelivery({ url: 'https://p.example/w/slack', body, receivedAt: 0 });
    assert.deepEqual(answerHandshake(slack, delivery, []), {
      ok: true,
      body: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
    const event = incomingDelivery({
      url: 'https://p.example/w/slack',
      body: '{"type":"event_callback"}',
      receivedAt: 0,
    });
    assert.equal(answerHandshake(slack, event, []), null);
    const junk = incomingDelivery({ url: 'https://p.example/w/slack', body: 'not json', receivedAt: 0 });
    assert.equal(answerHandshake(slack, junk, []), null);
  });

  it("answers Mailchimp's GET with 200 when the URL token is valid", () => {
    const mailchimp = webhooksSchema.parse({ ...base, bodyFormat: 'form', handshake: { kind: 'get_ok' } });
    const at = (method: string, token: string) =>
      incomingDelivery({ method, url: `https://p.example/w/mc?token=${token}`, body: '', receivedAt: 0 });
    assert.deepEqual(answerHandshake(mailchimp, at('GET', 'tok'), ['tok']), { ok: true, body: 'ok' });
    const forged = answerHandshake(mailchimp, at('GET', 'bad'), ['tok']);
    assert.equal(forged?.ok === false && forged.code, 'webhook_token_invalid');
    assert.equal(answerHandshake(mailchimp, at('POST', 'tok'), ['tok']), null);
  });

  it('returns null for definitions without a handshake', () => {
    const plain = webhooksSchema.parse(base);
    assert.equal(
      answerHandshake(
        plain,
        incomingDelivery({ method: 'GET', url: 'https://p.example/', body: '', receivedAt: 0 }),
        [],
      ),
      null,
    );
  });
});

describe('readEventMeta', () => {
  it('reads id and type from body paths (numbers as text)', () => {
    const webhooks = webhooksSchema.parse({ ...base, eventIdPath: 'id', eventTypePath: 'event.type' });
    const delivery = incomingDelivery({
      url: 'https://p.example/',
      body: '{"id":42,"event":{"type":"message"}}',
      receivedAt: 0,
    });
    assert.deepEqual(readEventMeta(webhooks, delivery), [
      { providerEventId: '42', eventType: 'message', parsed: { id: 42, event: { type: 'message' } } },
    ]);
  });

  it('reads id and type from headers, and gives null when absent', () => {
    const webhooks = webhooksSchema.parse({
      ...base,
      eventIdHeader: 'x-shopify-webhook-id',
      eventTypeHeader: 'x-shopify-topic',
    });
    const delivery = incomingDelivery({
      url: 'https://p.example/',
      headers: { 'X-Shopify-Webhook-Id': 'b54557e4', 'X-Shopify-Topic': 'orders/create' },
      body: '{}',
      receivedAt: 0,
    });
    assert.deepEqual(readEventMeta(webhooks, delivery), [
      { providerEventId: 'b54557e4', eventType: 'orders/create', parsed: {} },
    ]);
    const bare = incomingDelivery({ url: 'https://p.example/', body: '{}', receivedAt: 0 });
    assert.deepEqual(readEventMeta(webhooks, bare), [{ providerEventId: null, eventType: null, parsed: {} }]);
  });

  it('splits batches: `$` for an array body, a path for a nested array', () => {
    const hubspot = webhooksSchema.parse({
      ...base,
      batch: { itemsPath: '$' },
      eventIdPath: 'eventId',
      eventTypePath: 'subscriptionType',
    });
    const body =
      '[{"eventId":1,"subscriptionType":"contact.creation"},{"eventId":2,"subscriptionType":"deal.deletion"}]';
    const events = readEventMeta(
      hubspot,
      incomingDelivery({ url: 'https://p.example/', body, receivedAt: 0 }),
    );
    assert.deepEqual(
      events.map((e) => [e.providerEventId, e.eventType]),
      [
        ['1', 'contact.creation'],
        ['2', 'deal.deletion'],
      ],
    );
    const meta = webhooksSchema.parse({ ...base, batch: { itemsPath: 'entry' }, eventIdHeader: 'x-id' });
    const nested = incomingDelivery({
      url: 'https://p.example/',
      headers: { 'x-id': 'd1' },
      body: '{"object":"page","entry":[{"id":"p1"},{"id":"p2"}]}',
      receivedAt: 0,
    });
    assert.deepEqual(
      readEventMeta(meta, nested).map((e) => [e.providerEventId, e.parsed]),
      [
        ['d1#0', { id: 'p1' }],
        ['d1#1', { id: 'p2' }],
      ],
    );
  });

  it('parses form bodies into fields', () => {
    const gumroad = webhooksSchema.parse({ ...base, bodyFormat: 'form', eventTypePath: 'resource_name' });
    const delivery = incomingDelivery({
      url: 'https://p.example/',
      body: 'resource_name=sale&sale_id=s1&tag=a&tag=b',
      receivedAt: 0,
    });
    assert.deepEqual(readEventMeta(gumroad, delivery), [
      {
        providerEventId: null,
        eventType: 'sale',
        parsed: { resource_name: 'sale', sale_id: 's1', tag: ['a', 'b'] },
      },
    ]);
  });

  it('throws webhook_payload_invalid for malformed JSON, bad UTF-8 or a missing batch array', () => {
    const webhooks = webhooksSchema.parse({ ...base, eventIdPath: 'id' });
    for (const body of ['{"id":', '', Buffer.from([0x7b, 0xff, 0x7d])]) {
      assert.throws(
        () => readEventMeta(webhooks, incomingDelivery({ url: 'https://p.example/', body, receivedAt: 0 })),
        (err) => isPatchbayError(err, 'webhook_payload_invalid') && err.status === 400,
      );
    }
    const batch = webhooksSchema.parse({ ...base, batch: { itemsPath: 'entry' } });
    assert.throws(
      () =>
        readEventMeta(
          batch,
          incomingDelivery({ url: 'https://p.example/', body: '{"entry":{}}', receivedAt: 0 }),
        ),
      (err) => isPatchbayError(err, 'webhook_payload_invalid'),
    );
  });
});
