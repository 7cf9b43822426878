import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idText, isObject, scalarText, valueAt, valuesAt } from './path.ts';

describe('valueAt', () => {
  const body = { data: { object: { id: 'in_1', lines: [{ id: 'il_1' }, { id: 'il_2' }] } }, n: 0 };

  it('reads dot paths, indexes arrays by number, and takes $ as the value itself', () => {
    assert.equal(valueAt(body, 'data.object.id'), 'in_1');
    assert.equal(valueAt(body, 'data.object.lines.1.id'), 'il_2');
    assert.equal(valueAt(body, 'n'), 0);
    assert.equal(valueAt(body, '$'), body);
    assert.equal(valueAt([{ id: 'a' }], '0.id'), 'a');
  });

  it('answers undefined for what is absent, and never reads the prototype chain', () => {
    assert.equal(valueAt(body, 'data.missing.id'), undefined);
    assert.equal(valueAt(body, 'data.object.lines.7.id'), undefined);
    assert.equal(valueAt(body, 'data.object.lines.x'), undefined);
    assert.equal(valueAt(body, '__proto__'), undefined);
    assert.equal(valueAt(body, 'data.constructor.name'), undefined);
    assert.equal(valueAt(null, 'a'), undefined);
    assert.equal(valueAt('text', 'length'), undefined);
  });
});

describe('scalar values', () => {
  it('scalarText gives strings, finite numbers and booleans as text, nothing else', () => {
    assert.deepEqual(
      ['a', '', 42, 1.5, true, false, Number.NaN, Infinity, null, undefined, {}, []].map(scalarText),
      [
        'a',
        '',
        '42',
        '1.5',
        'true',
        'false',
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ],
    );
  });

  it('idText refuses empty strings and booleans', () => {
    assert.deepEqual(['a', '', 7, true, null].map(idText), ['a', undefined, '7', undefined, undefined]);
  });

  it('isObject is true for plain objects only', () => {
    assert.deepEqual([{}, [], null, 'x', 1].map(isObject), [true, false, false, false, false]);
  });
});

describe('valuesAt', () => {
  const subscription = {
    status: 'active',
    items: [{ priceId: 'price_pro' }, { priceId: 'price_seat' }, { priceId: null }],
    raw: { plan: { id: 'plan_1' }, tags: ['a', 'b'] },
  };

  it('fans out over arrays and flattens a final array', () => {
    assert.deepEqual(valuesAt(subscription, 'items.priceId'), ['price_pro', 'price_seat', null]);
    assert.deepEqual(valuesAt(subscription, 'items.1.priceId'), ['price_seat']);
    assert.deepEqual(valuesAt(subscription, 'raw.plan.id'), ['plan_1']);
    assert.deepEqual(valuesAt(subscription, 'raw.tags'), ['a', 'b']);
    assert.deepEqual(valuesAt(subscription, 'status'), ['active']);
  });

  it('answers nothing for absent paths and never reads the prototype chain', () => {
    assert.deepEqual(valuesAt(subscription, 'items.productId'), []);
    assert.deepEqual(valuesAt(subscription, 'items.9.priceId'), []);
    assert.deepEqual(valuesAt(subscription, 'raw.__proto__'), []);
    assert.deepEqual(valuesAt(subscription, 'items.constructor'), []);
    assert.deepEqual(valuesAt(null, 'a'), []);
  });
});
