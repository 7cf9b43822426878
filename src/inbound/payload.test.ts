import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_TYPE_DEFINITIONS } from '../events/index.ts';
import { decodeBody } from './payload.ts';
import { eventTypeName } from './process.ts';

describe('inbound event type names', () => {
  const family = EVENT_TYPE_DEFINITIONS.find((d) => d.type === 'inbound.<provider>.<type>')!;
  it('map provider types into the inbound.<provider>.<type> family', () => {
    const cases: Array<[string, string | null, string]> = [
      ['stripe', 'invoice.paid', 'inbound.stripe.invoice.paid'],
      ['shopify', 'orders/create', 'inbound.shopify.orders.create'],
      ['hubspot', 'contact.propertyChange', 'inbound.hubspot.contact.propertychange'],
      ['gumroad', 'sale', 'inbound.gumroad.sale'],
      ['custom-webhook', null, 'inbound.custom-webhook.event'],
      ['whop', 'membership went valid!', 'inbound.whop.membership.went.valid_'],
      ['x', '../..', 'inbound.x.event'],
    ];
    for (const [provider, type, expected] of cases) {
      const name = eventTypeName(provider, type);
      assert.equal(name, expected);
      assert.match(name, family.pattern!);
    }
  });
});

describe('stored bodies decoded', () => {
  it('parses JSON and forms, and shows anything else as text', () => {
    assert.deepEqual(decodeBody(Buffer.from('{"a":[1]}'), 'application/json; charset=utf-8'), {
      kind: 'json',
      value: { a: [1] },
    });
    assert.deepEqual(decodeBody(Buffer.from('a=1&b=%C3%A9'), 'application/x-www-form-urlencoded'), {
      kind: 'form',
      value: { a: '1', b: 'é' },
    });
    assert.deepEqual(decodeBody(Buffer.from('{broken'), 'application/json'), {
      kind: 'text',
      value: '{broken',
      reason: 'invalid_json',
    });
    assert.deepEqual(decodeBody(Buffer.from('<a/>'), 'application/xml'), { kind: 'text', value: '<a/>' });
  });

  it('shows JSON nested deeper than 64 levels as its text with the reason, however deep', () => {
    for (const levels of [65, 200_000]) {
      const text = `{"id":"evt_1","data":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
      const decoded = decodeBody(Buffer.from(text), 'application/json');
      assert.deepEqual(decoded, { kind: 'text', value: text, reason: 'json_too_deep' });
    }
    const allowed = `{"data":${'['.repeat(63)}${']'.repeat(63)}}`;
    assert.equal(decodeBody(Buffer.from(allowed), 'application/json').kind, 'json');
  });
});
