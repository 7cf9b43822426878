import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isPatchbayError } from '../../errors/index.ts';
import { createActionInputMapper, createInputMapper, createMapper } from './mapper.ts';
import { type MappingInput, parseMapping } from './schema.ts';

const sale = {
  id: 'sale_1',
  email: 'ada@example.com',
  price: 1999,
  created_at: '2026-01-05T10:30:00Z',
  buyer: { email: 'ada@example.com', name: 'Ada' },
  items: [{ price: '12.50', sku: 'a' }],
  refunded: 'false',
};

describe('createMapper (records on read)', () => {
  it('renames, transforms and passes the unmapped fields through without touching the input', () => {
    const input = structuredClone(sale);
    const map = createMapper({
      fields: [
        {
          from: 'price',
          to: 'amount',
          transform: { type: 'number', format: 'decimal', scale: 0.01, decimals: 2 },
        },
        { from: 'created_at', to: 'createdOn', transform: { type: 'date', format: 'date' } },
        { from: 'buyer.email', to: 'customer.email' },
        { from: 'items.0.price', to: 'firstPrice', transform: { type: 'number', format: 'integer' } },
        { from: 'refunded', to: 'refunded', transform: { type: 'boolean' } },
      ],
    });
    const out = map(input);
    assert.deepEqual(out, {
      id: 'sale_1',
      email: 'ada@example.com',
      buyer: { name: 'Ada' },
      items: [{ sku: 'a' }],
      amount: 19.99,
      createdOn: '2026-01-05',
      customer: { email: 'ada@example.com' },
      firstPrice: 13,
      refunded: false,
    });
    assert.deepEqual(input, sale, 'the input is unchanged');
  });

  it('drops unmapped fields with keepUnmapped: false, and removes emptied objects', () => {
    const only = createMapper({ fields: [{ from: 'id', to: 'id' }], keepUnmapped: false });
    assert.deepEqual(only(sale), { id: 'sale_1' });
    const nested = createMapper({
      fields: [
        { from: 'buyer.email', to: 'e' },
        { from: 'buyer.name', to: 'n' },
      ],
    });
    const out = nested({ buyer: { email: 'x', name: 'y' }, id: '1' });
    assert.deepEqual(out, { id: '1', e: 'x', n: 'y' });
  });

  it('writes into a passed-through object by copying it, and transforms defaults too', () => {
    const input = { email: 'a@example.com', buyer: { name: 'Ada' }, qty: null };
    const map = createMapper({
      fields: [
        { from: 'email', to: 'buyer.email' },
        { from: 'qty', to: 'qty', default: '1', transform: { type: 'number', format: 'integer' } },
        { from: 'lines.0.sku', to: 'lines.0.code' },
      ],
    });
    assert.deepEqual(map(input), { buyer: { name: 'Ada', email: 'a@example.com' }, qty: 1 });
    assert.deepEqual(input, { email: 'a@example.com', buyer: { name: 'Ada' }, qty: null });
    assert.deepEqual(map({ lines: [{ sku: 'x', n: 1 }] }), { lines: [{ n: 1, code: 'x' }], qty: 1 });
  });

  it('applies defaults to missing and null values, copying object defaults per record', () => {
    const map = createMapper({
      fields: [
        { from: 'currency', to: 'currency', default: 'usd' },
        { from: 'tags', to: 'tags', default: [] },
        { from: 'note', to: 'note' },
        { from: 'gone', to: 'gone' },
      ],
    });
    const first = map({ currency: null, note: null });
    assert.deepEqual(first, { currency: 'usd', tags: [], note: null });
    (first.tags as string[]).push('changed');
    assert.deepEqual(map({}).tags, [], 'a default is not shared between records');
    assert.equal('gone' in map({}), false, 'a missing value without default stays missing');
  });

  it('leaves values it cannot convert null, never throwing', () => {
    const map = createMapper({
      fields: [
        { from: 'a', to: 'a', transform: { type: 'date', format: 'iso' } },
        { from: 'b', to: 'b', transform: { type: 'number', format: 'decimal' } },
        { from: 'c', to: 'c', transform: { type: 'boolean' } },
        { from: 'd', to: 'd', transform: { type: 'string' } },
      ],
    });
    assert.deepEqual(map({ a: 'not a date', b: '12abc', c: 'maybe', d: { x: 1 } }), {
      a: null,
      b: null,
      c: null,
      d: null,
    });
    assert.deepEqual(map({ a: {}, b: true, c: [], d: Number.NaN }), { a: null, b: null, c: null, d: null });
  });

  it('converts dates from text, epoch seconds and milliseconds to every format', () => {
    const instant = Date.UTC(2026, 0, 5, 10, 30, 0);
    for (const value of [
      '2026-01-05T10:30:00Z',
      'Mon, 05 Jan 2026 10:30:00 GMT',
      instant / 1000,
      instant,
      `${instant}`,
    ]) {
      for (const [format, expected] of [
        ['iso', '2026-01-05T10:30:00.000Z'],
        ['unix', instant / 1000],
        ['unix_ms', instant],
        ['date', '2026-01-05'],
      ] as const) {
        const map = createMapper({ fields: [{ from: 'at', to: 'at', transform: { type: 'date', format } }] });
        assert.equal(map({ at: value }).at, expected, `${value} as ${format}`);
      }
    }
  });

  it('scales and rounds numbers in decimal notation', () => {
    const decimal = (decimals?: number, scale?: number) =>
      createMapper({
        fields: [
          {
            from: 'n',
            to: 'n',
            transform: {
              type: 'number',
              format: 'decimal',
              ...(decimals === undefined ? {} : { decimals }),
              ...(scale === undefined ? {} : { scale }),
            },
          },
        ],
      });
    assert.equal(decimal(2)({ n: 1.005 }).n, 1.01);
    assert.equal(decimal(2)({ n: -1.005 }).n, -1.01);
    assert.equal(decimal(undefined, 0.01)({ n: 1999 }).n, 19.99);
    assert.equal(decimal(undefined, 0.01)({ n: ' 7 ' }).n, 0.07);
    assert.equal(decimal(2)({ n: 1e-7 }).n, 0);
    assert.equal(decimal(0)({ n: 1e21 }).n, 1e21);
    const integer = createMapper({
      fields: [{ from: 'n', to: 'n', transform: { type: 'number', format: 'integer' } }],
    });
    assert.equal(integer({ n: 2.5 }).n, 3);
    assert.equal(integer({ n: -2.5 }).n, -3);
    assert.equal(integer({ n: '1e3' }).n, 1000);
  });

  it('copies a JSON __proto__ key as data and never reaches a prototype', () => {
    const record = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const out = createMapper({ fields: [{ from: 'a', to: 'b' }] })(record);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(out), ['__proto__', 'b']);
  });

  it('refuses invalid mappings with mapping_invalid and field paths', () => {
    for (const [mapping, path] of [
      [{ fields: [] }, 'fields'],
      [{ fields: [{ from: 'a..b', to: 'x' }] }, 'fields.0.from'],
      [{ fields: [{ from: 'a', to: '__proto__.x' }] }, 'fields.0.to'],
      [
        {
          fields: [
            { from: 'a', to: 'x' },
            { from: 'b', to: 'x.y' },
          ],
        },
        'fields.1.to',
      ],
      [
        { fields: [{ from: 'a', to: 'x', transform: { type: 'date', format: 'week' } }] },
        'fields.0.transform.format',
      ],
      [
        { fields: [{ from: 'a', to: 'x', transform: { type: 'number', format: 'integer', decimals: 2 } }] },
        'fields.0.transform.decimals',
      ],
      [{ fields: [{ from: 'a', to: 'x', defualt: 1 }] }, 'fields.0'],
      [{ fields: [{ from: 'a', to: 'x', default: { at: new Date(0) } }] }, 'fields.0.default'],
      [{ fields: [{ from: 'a', to: 'x', default: Number.NaN }] }, 'fields.0.default'],
    ] as const) {
      const parsed = parseMapping(mapping);
      assert.equal(parsed.ok, false, JSON.stringify(mapping));
      if (!parsed.ok)
        assert.ok(
          parsed.issues.some((issue) => issue.path === path),
          JSON.stringify(parsed.issues),
        );
      assert.throws(
        () => createMapper(mapping as never),
        (error) => isPatchbayError(error, 'mapping_invalid'),
      );
    }
  });
});

describe('action input mapping', () => {
  const mapping: MappingInput = {
    fields: [
      { from: 'total', to: 'amount_cents', transform: { type: 'number', format: 'integer', scale: 100 } },
      { from: 'dueOn', to: 'due_date', transform: { type: 'date', format: 'date' } },
    ],
  };

  it('maps host fields to the action input', () => {
    const result = createInputMapper(mapping)({ total: '19.99', dueOn: '2026-02-01T00:00:00Z', memo: 'hi' });
    assert.deepEqual(result, { ok: true, data: { memo: 'hi', amount_cents: 1999, due_date: '2026-02-01' } });
  });

  it('returns the host field paths of values it cannot convert', () => {
    const result = createInputMapper(mapping)({ total: 'lots', dueOn: 'soon' });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.deepEqual(
        result.issues.map((issue) => issue.path),
        ['total', 'dueOn'],
      );
      assert.match(result.issues[0]!.message, /expected a number/);
    }
    assert.deepEqual(createInputMapper(mapping)([1]), {
      ok: false,
      issues: [{ path: '', message: 'expected an object' }],
    });
  });

  it('throws action_input_invalid from the FieldMapper form', () => {
    const map = createActionInputMapper(mapping);
    assert.throws(
      () => map({ total: 'lots' }),
      (error) => {
        assert.ok(isPatchbayError(error, 'action_input_invalid'));
        assert.equal(error.status, 400);
        assert.deepEqual(error.details, { issues: [{ path: 'total', message: 'expected a number' }] });
        return true;
      },
    );
  });
});

// Keys that are valid single path segments (no dots), excluding the reserved ones.
const key = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((k) => !k.includes('.') && !['__proto__', 'prototype', 'constructor'].includes(k));
const record = fc.dictionary(key, fc.jsonValue(), { maxKeys: 12, noNullPrototype: true });

describe('mapping properties', () => {
  it('an identity mapping returns an equal record, with or without keepUnmapped', () => {
    fc.assert(
      fc.property(record, fc.boolean(), (data, keepUnmapped) => {
        const keys = Object.keys(data);
        fc.pre(keys.length > 0);
        const map = createMapper({ fields: keys.map((k) => ({ from: k, to: k })), keepUnmapped });
        assert.deepEqual(map(data), data);
      }),
    );
  });

  it('renaming is a bijection on keys: renaming back restores the record', () => {
    fc.assert(
      fc.property(record, (data) => {
        const keys = Object.keys(data);
        fc.pre(keys.length > 0);
        const renamed = (k: string) => `renamed:${k}`;
        const forward = createMapper({ fields: keys.map((k) => ({ from: k, to: renamed(k) })) });
        const back = createMapper({ fields: keys.map((k) => ({ from: renamed(k), to: k })) });
        const out = forward(data);
        assert.deepEqual(Object.keys(out).sort(), keys.map(renamed).sort());
        assert.deepEqual(back(out), data);
      }),
    );
  });

  it('never throws on read, and never changes its input', () => {
    const transform = fc.constantFrom(
      { type: 'date', format: 'iso' } as const,
      { type: 'date', format: 'unix' } as const,
      { type: 'number', format: 'decimal', scale: 0.01, decimals: 2 } as const,
      { type: 'number', format: 'integer' } as const,
      { type: 'string' } as const,
      { type: 'boolean' } as const,
    );
    fc.assert(
      fc.property(record, key, key, transform, (data, from, to, t) => {
        const before = structuredClone(data);
        const out = createMapper({ fields: [{ from, to, transform: t }] })(data);
        assert.deepEqual(data, before);
        if (Object.hasOwn(data, from)) assert.ok(Object.hasOwn(out, to));
      }),
    );
  });

  it('decimal rounding matches the value printed with toFixed for exact two-place inputs', () => {
    const map = createMapper({
      fields: [
        { from: 'n', to: 'n', transform: { type: 'number', format: 'decimal', scale: 0.01, decimals: 2 } },
      ],
    });
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), (cents) => {
        assert.equal(map({ n: cents }).n, Number((cents / 100).toFixed(2)));
      }),
    );
  });

  it('rounds half away from zero as the decimal value reads', () => {
    const map = createMapper({
      fields: [{ from: 'n', to: 'n', transform: { type: 'number', format: 'decimal', decimals: 2 } }],
    });
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), (thousandths) => {
        // thousandths / 1000 to two places, computed in integers: no binary fractions involved.
        const hundredths = Math.floor((Math.abs(thousandths) + 5) / 10);
        const expected = (thousandths < 0 ? -hundredths : hundredths) / 100;
        assert.equal(map({ n: thousandths / 1000 }).n, expected === 0 ? 0 : expected);
      }),
    );
  });
});
