import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  checkSchemaPath,
  describeMissingPath,
  type PathSchema,
  type SchemaPathResult,
  type SchemaSide,
} from './schema-paths.ts';

const status = (schema: PathSchema | readonly PathSchema[], path: string, side?: SchemaSide) =>
  checkSchemaPath(schema, path.split('.'), side ? { side } : {}).status;

function missingAt(result: SchemaPathResult) {
  assert.equal(result.status, 'missing', JSON.stringify(result));
  if (result.status !== 'missing') throw new Error('unreachable');
  return {
    prefix: result.prefix.join('.'),
    segment: result.segment,
    found: result.found,
    available: result.available,
  };
}

const sale = z.object({
  id: z.string(),
  amount: z.number().int(),
  buyer: z.object({ email: z.string().nullable(), name: z.string() }),
  createdAt: z.iso.datetime(),
});

describe('checkSchemaPath', () => {
  it('finds keys of objects and nested objects, and names the keys where a path breaks', () => {
    assert.equal(status(sale, 'id'), 'exists');
    assert.equal(status(sale, 'buyer'), 'exists');
    assert.equal(status(sale, 'buyer.email'), 'exists');
    assert.deepEqual(missingAt(checkSchemaPath(sale, ['buyer', 'emial'])), {
      prefix: 'buyer',
      segment: 'emial',
      found: 'object',
      available: ['email', 'name'],
    });
    assert.deepEqual(missingAt(checkSchemaPath(sale, ['total'])), {
      prefix: '',
      segment: 'total',
      found: 'object',
      available: ['id', 'amount', 'buyer', 'createdAt'],
    });
  });

  it('treats leaves as having nothing below them', () => {
    assert.deepEqual(missingAt(checkSchemaPath(sale, ['amount', 'value'])), {
      prefix: 'amount',
      segment: 'value',
      found: 'number',
      available: [],
    });
    assert.equal(status(sale, 'buyer.email.domain'), 'missing');
    assert.equal(status(z.object({ at: z.date() }), 'at.year'), 'missing');
    assert.equal(status(z.object({ kind: z.enum(['a', 'b']) }), 'kind.x'), 'missing');
  });

  it('indexes arrays and tuples with numeric segments', () => {
    const order = z.object({
      items: z.array(z.object({ sku: z.string(), price: z.number() })),
      pair: z.tuple([z.string(), z.object({ x: z.number() })]),
      rest: z.tuple([z.string()], z.object({ y: z.number() })),
    });
    assert.equal(status(order, 'items.0.sku'), 'exists');
    assert.equal(status(order, 'items.12.price'), 'exists');
    assert.deepEqual(missingAt(checkSchemaPath(order, ['items', '0', 'skus'])), {
      prefix: 'items.0',
      segment: 'skus',
      found: 'object',
      available: ['sku', 'price'],
    });
    assert.deepEqual(missingAt(checkSchemaPath(order, ['items', 'sku'])), {
      prefix: 'items',
      segment: 'sku',
      found: 'array',
      available: [],
    });
    assert.equal(status(order, 'items.01'), 'missing', 'not an index');
    assert.equal(status(order, 'pair.1.x'), 'exists');
    assert.equal(status(order, 'pair.0.x'), 'missing');
    assert.deepEqual(missingAt(checkSchemaPath(order, ['pair', '2'])), {
      prefix: 'pair',
      segment: '2',
      found: 'tuple',
      available: ['0', '1'],
    });
    assert.equal(status(order, 'rest.5.y'), 'exists');
    assert.equal(status(order, 'rest.5.z'), 'missing');
  });

  it('looks through optional, nullable, nullish, default, prefault, catch, readonly and nonoptional', () => {
    const inner = z.object({ x: z.number() });
    for (const wrapped of [
      inner.optional(),
      inner.nullable(),
      inner.nullish(),
      inner.default({ x: 1 }),
      inner.prefault({ x: 1 }),
      inner.catch({ x: 0 }),
      inner.readonly(),
      inner.optional().nonoptional(),
    ]) {
      const schema = z.object({ a: wrapped });
      assert.equal(status(schema, 'a.x'), 'exists', wrapped._zod.def.type);
      assert.equal(status(schema, 'a.y'), 'missing', wrapped._zod.def.type);
    }
    const list = z.object({ a: z.array(inner.nullable()).optional().default([]) });
    assert.equal(status(list, 'a.0.x'), 'exists');
    assert.equal(status(list, 'a.0.y'), 'missing');
  });

  it('answers unknown where the schema cannot tell: records, any, unknown, loose objects, catchall, lazy, custom', () => {
    const schema = z.object({
      tags: z.record(z.string(), z.string()),
      extra: z.any(),
      meta: z.unknown(),
      loose: z.looseObject({ known: z.string() }),
      passthrough: z.object({ known: z.string() }).passthrough(),
      catchall: z.object({ known: z.string() }).catchall(z.number()),
      lazy: z.lazy(() => z.object({ x: z.number() })),
      custom: z.custom<{ x: number }>(() => true),
      map: z.map(z.string(), z.number()),
    });
    for (const path of [
      'tags.anything',
      'extra.a.b',
      'meta.x',
      'loose.other',
      'passthrough.other',
      'catchall.other',
      'lazy.y',
      'custom.x',
      'map.a',
    ]) {
      assert.equal(status(schema, path), 'unknown', path);
    }
    assert.equal(status(schema, 'loose.known'), 'exists');
    assert.equal(
      status(schema, 'loose.known.x'),
      'missing',
      'a known key of a loose object is still checked',
    );
    assert.equal(status(z.strictObject({ a: z.string() }), 'b'), 'missing');
    // Something that is not a zod v4 schema (a provider built with another library).
    const foreign = { _def: { typeName: 'ZodObject' } } as unknown as PathSchema;
    assert.equal(status(foreign, 'a'), 'unknown');
    assert.equal(status(z.object({ nested: foreign }), 'nested.a'), 'unknown');
  });

  it('unions: missing only when every option rules the path out, unknown when they disagree', () => {
    const union = z.union([z.object({ card: z.string() }), z.object({ iban: z.string() })]);
    assert.equal(status(union, 'card'), 'unknown');
    assert.deepEqual(missingAt(checkSchemaPath(union, ['bic'])), {
      prefix: '',
      segment: 'bic',
      found: 'object',
      available: ['card', 'iban'],
    });
    const tagged = z.discriminatedUnion('type', [
      z.object({ type: z.literal('a'), value: z.string() }),
      z.object({ type: z.literal('b'), value: z.number() }),
    ]);
    assert.equal(status(tagged, 'value'), 'exists');
    assert.equal(status(tagged, 'type'), 'exists');
    assert.equal(status(tagged, 'valeu'), 'missing');
    // Null options are ignored as nullable() is.
    const orNull = z.object({ a: z.union([z.null(), z.object({ x: z.number() })]) });
    assert.equal(status(orNull, 'a.x'), 'exists');
    assert.equal(status(orNull, 'a.y'), 'missing');
    assert.equal(status(z.object({ a: z.union([z.string(), z.any()]) }), 'a.x'), 'unknown');
    // Several schemas of one model behave as a union.
    assert.equal(status([z.object({ a: z.string() }), z.object({ b: z.string() })], 'a'), 'unknown');
    assert.equal(status([z.object({ a: z.string() }), z.object({ a: z.number() })], 'a'), 'exists');
    assert.equal(status([z.object({ a: z.string() }), z.object({ b: z.string() })], 'c'), 'missing');
  });

  it('intersections: a key of either side is there', () => {
    const both = z.intersection(z.object({ a: z.string() }), z.object({ b: z.string() }));
    assert.equal(status(both, 'a'), 'exists');
    assert.equal(status(both, 'b'), 'exists');
    assert.deepEqual(missingAt(checkSchemaPath(both, ['c'])).available, ['a', 'b']);
  });

  it('pipes and transforms: the output side for records, the input side for inputs', () => {
    const transformed = z.object({ raw: z.string() }).transform((value) => ({ parsed: value.raw }));
    assert.equal(status(transformed, 'parsed'), 'unknown');
    assert.equal(status(transformed, 'raw', 'input'), 'exists');
    assert.equal(status(transformed, 'parsed', 'input'), 'missing');
    const piped = z.object({ n: z.string().pipe(z.coerce.number()) });
    assert.equal(status(piped, 'n.x'), 'missing');
    const reshaped = z.string().pipe(z.transform((text) => JSON.parse(text)));
    assert.equal(status(z.object({ j: reshaped }), 'j.x'), 'unknown');
    assert.equal(status(z.object({ j: reshaped }), 'j.x', 'input'), 'missing');
    const codec = z.codec(z.iso.datetime(), z.date(), {
      decode: (text) => new Date(text),
      encode: (date) => date.toISOString(),
    });
    assert.equal(status(z.object({ at: codec }), 'at.x'), 'missing');
  });

  it('describes a missing path with the keys available where it breaks', () => {
    const at = (path: string) => {
      const result = checkSchemaPath(z.object({ sale: sale, list: z.array(z.string()) }), path.split('.'));
      assert.equal(result.status, 'missing');
      return result.status === 'missing' ? describeMissingPath(path, result, 'the sales model') : '';
    };
    assert.equal(
      at('sale.buyer.emial'),
      '"sale.buyer.emial" cannot exist in the sales model: sale.buyer has no key "emial" (its keys: email, name)',
    );
    assert.equal(
      at('total'),
      '"total" cannot exist in the sales model: the top level has no key "total" (its keys: sale, list)',
    );
    assert.equal(
      at('sale.amount.value'),
      '"sale.amount.value" cannot exist in the sales model: sale.amount is a number, which has no "value"',
    );
    assert.equal(
      at('list.first'),
      '"list.first" cannot exist in the sales model: list is an array, so "first" must be an index (0, 1, …)',
    );
  });
});
