/**
 * List pagination as Stripe pages: newest first (ties by creation order), `starting_after` going
 * back in time, `ending_before` coming forward yet answered newest first, `created` bounds, and
 * filters that skip without losing `has_more`. The property: walking forwards page by page, or
 * backwards from the oldest, visits every matching object exactly once, in order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Collection, type Listed, UnknownCursorError } from './collection.ts';
import type { Range } from './params.ts';

interface Item extends Listed {
  tag: number;
}

function build(created: readonly number[]): { collection: Collection<Item>; items: Item[] } {
  const collection = new Collection<Item>();
  const items = created.map((at, seq) => ({ id: `obj_${seq}`, created: at, seq, tag: seq % 3 }));
  for (const item of items) collection.add(item);
  return { collection, items };
}

/** The newest-first order Stripe lists in. */
function newestFirst(items: readonly Item[]): Item[] {
  return [...items].sort((a, b) => b.created - a.created || b.seq - a.seq);
}

function ids(items: readonly Item[]): string[] {
  return items.map((item) => item.id);
}

describe('Collection pages', () => {
  const { collection } = build([100, 100, 101, 105, 105, 105, 110]);

  it('lists newest first, breaking ties by creation order', () => {
    const page = collection.page({ limit: 3 });
    assert.deepEqual(ids(page.items), ['obj_6', 'obj_5', 'obj_4']);
    assert.equal(page.hasMore, true);
  });

  it('goes back in time after starting_after and forward before ending_before', () => {
    assert.deepEqual(ids(collection.page({ limit: 3, startingAfter: 'obj_4' }).items), [
      'obj_3',
      'obj_2',
      'obj_1',
    ]);
    const before = collection.page({ limit: 2, endingBefore: 'obj_2' });
    assert.deepEqual(ids(before.items), ['obj_4', 'obj_3']);
    assert.equal(before.hasMore, true);
    const newest = collection.page({ limit: 10, endingBefore: 'obj_4' });
    assert.deepEqual(ids(newest.items), ['obj_6', 'obj_5']);
    assert.equal(newest.hasMore, false);
  });

  it('has_more is false exactly when the last page ends at the oldest', () => {
    const last = collection.page({ limit: 2, startingAfter: 'obj_2' });
    assert.deepEqual(ids(last.items), ['obj_1', 'obj_0']);
    assert.equal(last.hasMore, false);
    assert.deepEqual(collection.page({ limit: 5, startingAfter: 'obj_0' }), { items: [], hasMore: false });
  });

  it('cuts by created bounds, inclusive and exclusive', () => {
    const within = (created: Range) => ids(collection.page({ limit: 100, created }).items);
    assert.deepEqual(within({ gte: 101, lte: 105 }), ['obj_5', 'obj_4', 'obj_3', 'obj_2']);
    assert.deepEqual(within({ gt: 101, lt: 110 }), ['obj_5', 'obj_4', 'obj_3']);
    assert.deepEqual(within({ gte: 105, lte: 105 }), ['obj_5', 'obj_4', 'obj_3']);
    assert.deepEqual(within({ gt: 110 }), []);
  });

  it('skips what the filter refuses and still knows whether more match', () => {
    const page = collection.page({ limit: 1, filter: (item) => item.tag === 0 });
    assert.deepEqual(ids(page.items), ['obj_6']);
    assert.equal(page.hasMore, true);
    const rest = collection.page({ limit: 5, startingAfter: 'obj_6', filter: (item) => item.tag === 0 });
    assert.deepEqual(ids(rest.items), ['obj_3', 'obj_0']);
    assert.equal(rest.hasMore, false);
  });

  it('refuses a cursor it does not hold', () => {
    assert.throws(() => collection.page({ limit: 1, startingAfter: 'obj_99' }), UnknownCursorError);
  });

  it('keeps objects dated in the past in their place, and removes them', () => {
    const { collection: c } = build([10, 20, 30]);
    const old = { id: 'old', created: 15, seq: 99, tag: 0 };
    c.add(old);
    assert.deepEqual(ids(c.page({ limit: 10 }).items), ['obj_2', 'obj_1', 'old', 'obj_0']);
    c.remove(old, true);
    assert.deepEqual(ids(c.page({ limit: 10 }).items), ['obj_2', 'obj_1', 'obj_0']);
    assert.equal(c.get('old'), old);
  });

  it('visits every match once, forwards and backwards, for any data and page size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
        (created, limit, tag) => {
          const { collection: c, items } = build(created);
          const filter = tag === undefined ? undefined : (item: Item) => item.tag === tag;
          const expected = ids(newestFirst(items.filter((item) => filter?.(item) ?? true)));
          const forward: string[] = [];
          let cursor: string | undefined;
          for (;;) {
            const page = c.page({ limit, startingAfter: cursor, filter });
            forward.push(...ids(page.items));
            if (!page.hasMore) break;
            cursor = page.items[page.items.length - 1]?.id;
          }
          assert.deepEqual(forward, expected);
          const oldest = expected[expected.length - 1];
          if (oldest === undefined) return;
          const backward: string[] = [oldest];
          cursor = oldest;
          for (;;) {
            const page = c.page({ limit, endingBefore: cursor, filter });
            backward.unshift(...ids(page.items));
            if (!page.hasMore) break;
            cursor = page.items[0]?.id;
          }
          assert.deepEqual(backward, expected);
        },
      ),
    );
  });
});
