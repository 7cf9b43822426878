/**
 * The form decoder reads what the SDK and curl send: nested hashes, indexed and `[]` arrays,
 * Rack's filling rule for `a[][b]`, percent and plus decoding; and refuses conflicting shapes and
 * `__proto__`. The property: any nested object encoded the SDK's way decodes back to itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeForm, FormDecodeError, type FormObject, type FormValue } from './form.ts';

describe('decodeForm', () => {
  it('reads nested hashes and lists', () => {
    assert.deepEqual(
      decodeForm(
        'metadata[plan]=pro&line_items[0][price_data][unit_amount]=500&line_items[0][quantity]=2&expand[]=lines&expand[]=customer',
      ),
      {
        metadata: { plan: 'pro' },
        line_items: { 0: { price_data: { unit_amount: '500' }, quantity: '2' } },
        expand: ['lines', 'customer'],
      },
    );
  });

  it('decodes percent escapes, plus signs and keys with encoded brackets', () => {
    assert.deepEqual(decodeForm('description=A+b%20c&email=a%2Bb%40example.com&metadata%5Bk%5D=v'), {
      description: 'A b c',
      email: 'a+b@example.com',
      metadata: { k: 'v' },
    });
  });

  it('keeps empty values (they unset fields) and skips empty pairs', () => {
    assert.deepEqual(decodeForm('description=&&metadata[a]=&flag'), {
      description: '',
      metadata: { a: '' },
      flag: '',
    });
  });

  it("follows Rack's rule for a[][b]: fill the last element until it has the key", () => {
    assert.deepEqual(decodeForm('items[][price]=p1&items[][quantity]=2&items[][price]=p2'), {
      items: [{ price: 'p1', quantity: '2' }, { price: 'p2' }],
    });
  });

  it('refuses a key used as a value and as a container, and __proto__', () => {
    for (const text of [
      'a=1&a[b]=2',
      'a[b]=2&a=1',
      'a[]=1&a[b]=2',
      'a[__proto__][x]=1',
      'a[b',
      '[x]=1',
      '%E0%A4%A=1',
    ]) {
      assert.throws(() => decodeForm(text), FormDecodeError, text);
    }
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('decodes whatever the SDK encodes back to the same object', () => {
    const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    const value: fc.Arbitrary<FormValue> = fc.letrec<{ value: FormValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.dictionary(key, tie('value'), { minKeys: 1, maxKeys: 4, noNullPrototype: true }),
      ),
    })).value;
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5, noNullPrototype: true }), (object) => {
        assert.deepEqual(decodeForm(encode(object)), object);
      }),
    );
  });
});

/** Bracket notation, percent-encoded as the SDK does (brackets left readable). */
function encode(object: FormObject): string {
  const pairs: string[] = [];
  const walk = (prefix: string, value: FormValue): void => {
    if (typeof value === 'string') {
      pairs.push(
        `${encodeURIComponent(prefix).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(value)}`,
      );
      return;
    }
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(`${prefix}[${index}]`, item);
      return;
    }
    for (const [key, item] of Object.entries(value)) walk(`${prefix}[${key}]`, item);
  };
  for (const [key, value] of Object.entries(object)) walk(key, value);
  return pairs.join('&');
}
