/**
 * Parameter reading answers as Stripe does: the error code and the full `param` name of what was
 * wrong, and every parameter the endpoint did not read refused as unknown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StripeApiError } from './errors.ts';
import { decodeForm } from './form.ts';
import { applyMetadata, Params } from './params.ts';

function params(text: string): Params {
  return new Params(decodeForm(text));
}

function refusal(fn: () => unknown): {
  code: string | undefined;
  param: string | undefined;
  message: string;
} {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StripeApiError);
    return { code: error.code, param: error.options.param, message: error.message };
  }
  assert.fail('expected a StripeApiError');
}

describe('Params', () => {
  it('reads integers, and refuses other text with parameter_invalid_integer', () => {
    assert.equal(params('amount=1500').integer('amount'), 1500);
    assert.deepEqual(
      refusal(() => params('amount=12.5').integer('amount')),
      {
        code: 'parameter_invalid_integer',
        param: 'amount',
        message: 'Invalid integer: 12.5',
      },
    );
    assert.equal(refusal(() => params('amount=').integer('amount')).code, 'parameter_invalid_empty');
  });

  it('names nested parameters fully in errors', () => {
    const p = params('line_items[0][price_data][unit_amount]=x');
    const [item] = p.list('line_items') ?? [];
    const data = item?.object('price_data');
    assert.deepEqual(
      refusal(() => data?.integer('unit_amount')).param,
      'line_items[0][price_data][unit_amount]',
    );
    assert.deepEqual(
      refusal(() => params('').requiredString('customer')),
      {
        code: 'parameter_missing',
        param: 'customer',
        message: 'Missing required param: customer.',
      },
    );
  });

  it('reads lists sent indexed or with [] and orders indexes numerically', () => {
    const indexed = params('items[10][price]=b&items[2][price]=a').list('items') ?? [];
    assert.deepEqual(
      indexed.map((item) => item.string('price')),
      ['a', 'b'],
    );
    assert.deepEqual(params('expand[]=a&expand[]=b').stringList('expand'), ['a', 'b']);
    assert.deepEqual(params('expand[0]=a&expand[1]=b').stringList('expand'), ['a', 'b']);
  });

  it('refuses what nobody read with parameter_unknown, down to nested keys', () => {
    const p = params('email=a@example.com&line_items[0][price]=p&line_items[0][quantiy]=1&metadata[a]=b');
    p.string('email');
    p.metadata();
    for (const item of p.list('line_items') ?? []) item.string('price');
    assert.deepEqual(
      refusal(() => p.done()),
      {
        code: 'parameter_unknown',
        param: 'line_items[0][quantiy]',
        message: 'Received unknown parameter: line_items[0][quantiy]',
      },
    );
    const whole = params('metadata[a]=b&expand[]=x');
    whole.metadata();
    whole.stringList('expand');
    whole.done();
  });

  it('reads metadata updates with Stripe limits and unset semantics', () => {
    assert.deepEqual(params('metadata[a]=1&metadata[b]=').metadata(), { a: '1', b: null });
    assert.equal(params('metadata=').metadata(), null);
    assert.deepEqual(applyMetadata({ a: '0', b: '2', c: '3' }, { a: '1', b: null }), { a: '1', c: '3' });
    assert.deepEqual(applyMetadata({ a: '1' }, null), {});
    const tooMany = Array.from({ length: 51 }, (_, i) => `metadata[k${i}]=v`).join('&');
    assert.match(refusal(() => params(tooMany).metadata()).message, /50 keys/);
    assert.match(refusal(() => params(`metadata[${'k'.repeat(41)}]=v`).metadata()).message, /40 characters/);
  });

  it('reads created ranges as bounds or a single second', () => {
    assert.deepEqual(params('created[gte]=10&created[lt]=20').range('created'), { gte: 10, lt: 20 });
    assert.deepEqual(params('created=15').range('created'), { gte: 15, lte: 15 });
  });

  it('refuses enum values outside the list, naming the choices', () => {
    const { message, param } = refusal(() =>
      params('collection_method=invoice').enumeration('collection_method', [
        'charge_automatically',
        'send_invoice',
      ]),
    );
    assert.equal(param, 'collection_method');
    assert.match(message, /must be one of charge_automatically, send_invoice/);
  });
});
