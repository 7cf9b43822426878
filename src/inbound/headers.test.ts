import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webhooksSchema } from '../catalog/index.ts';
import { keptHeaders } from './headers.ts';

describe('inbound headers kept', () => {
  const incoming = {
    'x-acme-signature': 'abc',
    'x-acme-timestamp': '1767225600',
    'x-acme-account': 'a1',
    'x-acme-delivery': 'd1',
    'x-acme-retry': '2',
    'x-acme-meta-region': 'eu',
    'x-acme-metadata': 'not in the family',
    'x-shopify-topic': 'orders/create',
    'content-type': 'application/json',
    'user-agent': 'Acme-Hookshot/1.0',
    cookie: 'sid=1',
    authorization: 'Bearer x',
    'x-forwarded-for': '10.0.0.1',
  };

  it("keeps the definition's own headers and what keepHeaders names, never cookies or credentials", () => {
    const webhooks = webhooksSchema.parse({
      verification: {
        scheme: 'hmac',
        header: 'x-acme-signature',
        encoding: 'hex',
        signedContent: '{timestamp}.{body}',
        timestamp: { from: 'header', header: 'x-acme-timestamp' },
      },
      routing: { from: 'header', header: 'x-acme-account', connectionKey: 'account' },
      eventIdHeader: 'x-acme-delivery',
      keepHeaders: ['x-acme-retry', 'x-acme-meta-*'],
    });
    assert.deepEqual(Object.keys(keptHeaders(webhooks, incoming)).sort(), [
      'content-type',
      'user-agent',
      'x-acme-account',
      'x-acme-delivery',
      'x-acme-meta-region',
      'x-acme-retry',
      'x-acme-signature',
      'x-acme-timestamp',
    ]);
  });

  it('keeps no header the definition does not name: the engine knows no provider families', () => {
    const webhooks = webhooksSchema.parse({
      verification: { scheme: 'url_token' },
      routing: { from: 'url' },
    });
    assert.deepEqual(Object.keys(keptHeaders(webhooks, incoming)).sort(), ['content-type', 'user-agent']);
  });

  it('keeps the headers a provider_api request reads', () => {
    const webhooks = webhooksSchema.parse({
      verification: {
        scheme: 'provider_api',
        request: { path: '/verify', body: { sig: '{header:x-acme-signature}', event: '{body}' } },
        verdict: { path: 'ok', equals: true },
      },
      routing: { from: 'url' },
    });
    assert.deepEqual(Object.keys(keptHeaders(webhooks, incoming)).sort(), [
      'content-type',
      'user-agent',
      'x-acme-signature',
    ]);
  });

  it('refuses keepHeaders naming credentials or cookies, or a bare wildcard', () => {
    for (const name of [
      'authorization',
      'cookie',
      'set-cookie',
      'proxy-authorization',
      '*',
      'X-Upper',
      'x-*-y',
    ]) {
      const result = webhooksSchema.safeParse({
        verification: { scheme: 'url_token' },
        routing: { from: 'url' },
        keepHeaders: [name],
      });
      assert.equal(result.success, false, name);
    }
  });
});
