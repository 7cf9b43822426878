import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { orderSchema } from '../../../bench/fixtures/orders.ts';
import { valueTooDeep } from '../../values/json-depth.ts';
import { depthCheckFor, outputDepthBound } from './schema-depth.ts';

interface TreeNode {
  id: string;
  children: TreeNode[];
}
const tree: z.ZodType<TreeNode> = z.object({
  id: z.string(),
  get children() {
    return z.array(tree);
  },
});

/** A model that fixes some parts and lets others through as they came. */
const mixed = z.object({
  id: z.string(),
  lines: z.array(z.object({ sku: z.string(), qty: z.number() })),
  customFields: z.record(z.string(), z.unknown()),
  raw: z.unknown().optional(),
  meta: z.object({ source: z.string(), extra: z.unknown() }).nullable(),
  tags: z.array(z.unknown()).default([]),
});

describe('outputDepthBound', () => {
  it('reads how deep a fixed shape can nest', () => {
    for (const [schema, bound] of [
      [z.string(), 0],
      [z.email(), 0],
      [z.coerce.number(), 0],
      [z.date(), 0],
      [z.enum(['a', 'b']), 0],
      [z.object({}), 1],
      [z.strictObject({ a: z.string() }), 1],
      [z.object({ a: z.array(z.object({ b: z.number() })) }), 3],
      [orderSchema, 3],
      [z.tuple([z.string(), z.array(z.number())], z.object({})), 2],
      [z.record(z.string(), z.array(z.string())), 2],
      [z.union([z.string(), z.object({ a: z.object({}) })]), 2],
      [z.intersection(z.object({ a: z.object({}) }), z.object({ b: z.string() })), 2],
      [z.object({ a: z.array(z.string()).optional().nullable().readonly() }), 2],
      [z.string().default('none'), 0],
      [z.preprocess((value) => value, z.object({})), 1],
      [z.map(z.string(), z.unknown()), 1],
    ] as const) {
      assert.equal(outputDepthBound(schema), bound, JSON.stringify(schema._zod.def.type));
    }
  });

  it('counts as unbounded whatever may pass a value through as it came', () => {
    for (const schema of [
      z.unknown(),
      z.any(),
      z.looseObject({ id: z.string() }),
      z.object({ a: z.string() }).catchall(z.unknown()),
      z.record(z.string(), z.unknown()),
      z.string().transform((value) => JSON.parse(value) as unknown),
      z.object({ a: z.string() }).catch((ctx) => ctx.input as { a: string }),
      z.json(),
      z.lazy(() => z.object({})),
      z.custom<{ a: string }>(() => true),
      tree,
      // The default is returned as written, not parsed.
      z.object({}).default({}),
      // `overwrite` may replace the value with anything.
      z.string().trim(),
      z.object({ a: z.string() }).overwrite((value) => value),
    ]) {
      assert.equal(outputDepthBound(schema), Infinity, String(schema._zod.def.type));
    }
  });
});

describe('depthCheckFor', () => {
  it('agrees with walking the whole record, for every output and every limit', () => {
    const check = depthCheckFor(mixed);
    fc.assert(
      fc.property(
        fc.record({
          id: fc.string(),
          lines: fc.array(fc.record({ sku: fc.string(), qty: fc.integer() }), { maxLength: 3 }),
          customFields: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 6 }), { maxKeys: 3 }),
          raw: fc.option(fc.jsonValue({ maxDepth: 8 }), { nil: undefined }),
          meta: fc.option(fc.record({ source: fc.string(), extra: fc.jsonValue({ maxDepth: 6 }) }), {
            nil: null,
          }),
          tags: fc.option(fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 3 }), { nil: undefined }),
        }),
        fc.nat({ max: 10 }),
        (input, limit) => {
          const output = mixed.parse(input);
          assert.equal(check(output, limit), valueTooDeep(output, limit));
        },
      ),
      { numRuns: 1000, seed: 20261207 },
    );
  });

  it('agrees on recursive and unbounded schemas too (they are walked)', () => {
    const node = (levels: number): TreeNode => ({
      id: String(levels),
      children: levels === 0 ? [] : [node(levels - 1)],
    });
    for (const levels of [0, 1, 5, 40]) {
      const value = tree.parse(node(levels));
      for (const limit of [0, 2, 10, 64, 100]) {
        assert.equal(depthCheckFor(tree)(value, limit), valueTooDeep(value, limit), `${levels}/${limit}`);
      }
    }
  });

  it('finds a record nested too deep where the model lets it through, and only walks there', () => {
    const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown;
    const check = depthCheckFor(mixed);
    const record = (part: Record<string, unknown>) =>
      mixed.parse({ id: 'r1', lines: [], customFields: {}, meta: null, ...part });
    assert.equal(check(record({ customFields: { x: deep } }), 64), true);
    assert.equal(check(record({ raw: deep }), 64), true);
    assert.equal(check(record({ meta: { source: 's', extra: deep } }), 64), true);
    assert.equal(check(record({ tags: [deep] }), 64), true);
    // 64 levels in all: the record, customFields, then 62 arrays.
    const allowed = JSON.parse(`${'['.repeat(62)}${']'.repeat(62)}`) as unknown;
    assert.equal(check(record({ customFields: { x: allowed } }), 64), false);
    assert.equal(check(record({ customFields: { x: [allowed] } }), 64), true);
  });

  it('costs nothing for a model fixed all the way down, and still walks one deeper than the limit', () => {
    const deepFixed = z.object({ a: z.object({ b: z.object({ c: z.array(z.string()) }) }) });
    const value = deepFixed.parse({ a: { b: { c: ['x'] } } });
    assert.equal(depthCheckFor(deepFixed)(value, 64), false);
    assert.equal(depthCheckFor(deepFixed)(value, 3), true);
    assert.equal(depthCheckFor(deepFixed)(value, 4), false);
    assert.equal(depthCheckFor(deepFixed), depthCheckFor(deepFixed), 'made once per schema');
  });
});
