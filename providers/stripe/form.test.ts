import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeForm } from '../../sandbox/stripe/form.ts';
import { encodeForm, formPairs } from './form.ts';

describe('Stripe form encoding', () => {
  it('nests objects and indexed arrays in brackets, omits undefined, sends null as empty', () => {
    const params = {
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: 1500, product_data: { name: 'Mug & lid' } },
          quantity: 2,
        },
      ],
      metadata: { rollupId: 'show-7', note: null },
      auto_advance: false,
      expand: ['payment_intent'],
      description: undefined,
    };
    assert.deepEqual(formPairs(params), [
      ['mode', 'payment'],
      ['line_items[0][price_data][currency]', 'usd'],
      ['line_items[0][price_data][unit_amount]', '1500'],
      ['line_items[0][price_data][product_data][name]', 'Mug & lid'],
      ['line_items[0][quantity]', '2'],
      ['metadata[rollupId]', 'show-7'],
      ['metadata[note]', ''],
      ['auto_advance', 'false'],
      ['expand[0]', 'payment_intent'],
    ]);
    const body = encodeForm(params);
    assert.match(body, /line_items\[0\]\[price_data\]\[product_data\]\[name\]=Mug%20%26%20lid/);
    // What Stripe (here: the emulator's Rack-style decoder) reads back.
    assert.deepEqual(decodeForm(body), {
      mode: 'payment',
      line_items: {
        0: {
          price_data: { currency: 'usd', unit_amount: '1500', product_data: { name: 'Mug & lid' } },
          quantity: '2',
        },
      },
      metadata: { rollupId: 'show-7', note: '' },
      auto_advance: 'false',
      expand: { 0: 'payment_intent' },
    });
  });

  it('encodes keys and values that hold brackets, equals signs and non-ASCII text', () => {
    const body = encodeForm({ metadata: { 'a=b': 'x[y]&z', handle: 'zoë' } });
    assert.deepEqual(decodeForm(body), { metadata: { 'a=b': 'x[y]&z', handle: 'zoë' } });
    assert.throws(() => encodeForm({ amount: Number.NaN }), /not a finite number/);
  });
});
