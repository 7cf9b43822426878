import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isPatchbayError } from '../errors/index.ts';
import { checkValueDepth, jsonTextTooDeep, jsonTooDeep, MAX_JSON_DEPTH, valueTooDeep } from './json-depth.ts';

/** The depth by definition (recursive: only ever called on the small values generated here). */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

/** `levels` nested arrays around `inner`. */
const nested = (levels: number, inner = '') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;

describe('JSON depth', () => {
  it('counts open objects and arrays', () => {
    for (const [text, depth] of [
      ['1', 0],
      ['"[[[["', 0],
      ['[]', 1],
      ['{}', 1],
      ['{"a":[1]}', 2],
      ['[[],[[]],{}]', 3],
      ['{"a\\"[[":{"b\\\\":[]}}', 3],
    ] as const) {
      assert.equal(jsonTextTooDeep(text, depth), false, text);
      assert.equal(jsonTextTooDeep(text, depth - 1), depth > 0, text);
      assert.equal(valueTooDeep(JSON.parse(text), depth), false, text);
      assert.equal(valueTooDeep(JSON.parse(text), depth - 1), depth > 0, text);
    }
  });

  it('accepts exactly MAX_JSON_DEPTH levels and refuses one more', () => {
    assert.equal(MAX_JSON_DEPTH, 64);
    assert.equal(jsonTextTooDeep(nested(64)), false);
    assert.equal(jsonTextTooDeep(nested(65)), true);
    assert.equal(valueTooDeep(JSON.parse(nested(64))), false);
    assert.equal(valueTooDeep(JSON.parse(nested(65))), true);
  });

  it('measures what recursion cannot: a million levels of text, and a parsed value deeper than the stack', () => {
    // Unclosed brackets too: the scan bounds what the text opens, whatever follows.
    assert.equal(jsonTextTooDeep('['.repeat(1_000_000)), true);
    const deep = JSON.parse(nested(200_000)) as unknown;
    assert.throws(() => JSON.stringify(deep), RangeError);
    assert.equal(valueTooDeep(deep), true);
    assert.equal(valueTooDeep(deep, 200_000), false);
  });

  it('treats a cycle as too deep and leaves toJSON values, dates and buffers as leaves', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.equal(valueTooDeep(cycle), true);
    assert.equal(valueTooDeep({ at: new Date(0), bytes: Buffer.alloc(4) }, 1), false);
    assert.equal(valueTooDeep({ custom: { toJSON: () => 'x' } }, 1), false);
  });

  it('agrees with the depth of any JSON, however its strings are escaped or its space laid out', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 8 }),
        fc.nat({ max: 9 }),
        fc.constantFrom(undefined, 1, '\t'),
        (value, limit, space) => {
          const depth = depthOf(value);
          const text = JSON.stringify(value, null, space);
          assert.equal(jsonTextTooDeep(text, limit), depth > limit, text);
          assert.equal(valueTooDeep(value, limit), depth > limit);
        },
      ),
      { numRuns: 500, seed: 20261214 },
    );
  });

  it('skips strings exactly as reading their escapes one by one does, on any text', () => {
    // The reference: the character-by-character scan (a backslash escapes the next character).
    const reference = (text: string, maxDepth: number): boolean => {
      let depth = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const char = text[i];
        if (inString) {
          if (char === '\\') i++;
          else if (char === '"') inString = false;
        } else if (char === '"') inString = true;
        else if (char === '{' || char === '[') {
          if (++depth > maxDepth) return true;
        } else if (char === '}' || char === ']') depth--;
      }
      return false;
    };
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', 'a', ','), maxLength: 60 }),
        fc.nat({ max: 6 }),
        (text, limit) => assert.equal(jsonTextTooDeep(text, limit), reference(text, limit), text),
      ),
      { numRuns: 2000, seed: 20261207 },
    );
  });

  it('throws json_too_deep with the limit in its details', () => {
    for (const check of [
      () => {
        if (jsonTextTooDeep(nested(65))) throw jsonTooDeep('The body');
      },
      () => checkValueDepth(JSON.parse(nested(65)), 'The body'),
    ]) {
      assert.throws(check, (error: unknown) => {
        assert.ok(isPatchbayError(error, 'json_too_deep'));
        assert.equal(error.status, 400);
        assert.deepEqual(error.details, { maxDepth: 64 });
        assert.match(error.message, /^The body nests objects and arrays deeper than 64 levels/);
        return true;
      });
    }
    checkValueDepth(JSON.parse(nested(64)), 'The body');
  });
});
