import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deobfuscate, externalId, obfuscate } from './ids.ts';
import { saleJson } from './json.ts';
import { RevisionPlan } from './revision.ts';
import { GumroadStore } from './store.ts';

const NOW = Date.UTC(2026, 0, 1);

function store(sales: number, products = 7): GumroadStore {
  return new GumroadStore({
    sales,
    products,
    firstSaleAt: Date.UTC(2024, 0, 1),
    lastSaleAt: Date.UTC(2025, 11, 31),
  });
}

describe('gumroad sandbox data', () => {
  it('obfuscated numbers round-trip and ids are stable and distinct', () => {
    for (const n of [0, 1, 2, 999_999, 1_000_001, 2_147_483_645]) assert.equal(deobfuscate(obfuscate(n)), n);
    assert.equal(deobfuscate(-1), undefined);
    assert.equal(deobfuscate(2_147_483_647), undefined);
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => externalId(i, 1)));
    assert.equal(ids.size, 10_000);
    assert.equal(externalId(42, 1), externalId(42, 1));
    assert.notEqual(externalId(42, 1), externalId(42, 2));
  });

  it('generates the same sale for the same index, with times that never decrease', () => {
    const a = store(1000);
    const b = store(1000);
    assert.deepEqual(saleJson(a.sale(123), NOW), saleJson(b.sale(123), NOW));
    for (let i = 1; i < 1000; i++) assert.ok(a.createdAt(i) >= a.createdAt(i - 1));
    assert.equal(a.createdAt(0), Date.UTC(2024, 0, 1));
    assert.equal(a.createdAt(999), Date.UTC(2025, 11, 31));
  });

  it('changes exactly 1 % of the sales at every revision above 0, deterministically', () => {
    const s = store(10_000);
    const original = Array.from({ length: 10_000 }, (_, i) => JSON.stringify(saleJson(s.sale(i), NOW)));
    const changedAt = new Map<number, Set<number>>();
    for (const revision of [1, 2, 7]) {
      s.setRevision(revision);
      const changed = new Set<number>();
      for (let i = 0; i < 10_000; i++) {
        const now = saleJson(s.sale(i), NOW);
        if (JSON.stringify(now) !== original[i]) {
          changed.add(i);
          assert.ok(now.refunded === true || now.partially_refunded === true, `sale ${i} changed otherwise`);
        }
      }
      assert.equal(changed.size, 100, `revision ${revision}`);
      assert.equal(s.changedCount, 100);
      changedAt.set(revision, changed);
    }
    // Another revision picks other sales; the same revision picks the same ones again.
    assert.notDeepEqual([...(changedAt.get(1) ?? [])], [...(changedAt.get(2) ?? [])]);
    s.setRevision(1);
    const again = new Set<number>();
    for (let i = 0; i < 10_000; i++) if (s.sale(i).refunded || s.sale(i).partiallyRefunded) again.add(i);
    assert.deepEqual(again, changedAt.get(1));
    s.setRevision(0);
    for (let i = 0; i < 10_000; i++) assert.equal(JSON.stringify(saleJson(s.sale(i), NOW)), original[i]);
  });

  it('plans exactly floor(n / 100) changes for awkward sizes', () => {
    for (const size of [0, 1, 99, 100, 101, 997, 1024, 30_030]) {
      const plan = new RevisionPlan(size, 3);
      let changed = 0;
      for (let i = 0; i < size; i++) if (plan.changeRank(i) >= 0) changed++;
      assert.equal(changed, Math.floor(size / 100), `size ${size}`);
    }
    assert.throws(() => new RevisionPlan(10, -1), /non-negative/);
  });

  it('finds date bounds by binary search and keeps added sales after the initial ones', () => {
    const s = store(731, 3); // one sale a day through 2024 and 2025
    assert.equal(s.firstIndexAtOrAfter(Date.UTC(2024, 0, 1)), 0);
    assert.equal(s.firstIndexAtOrAfter(Date.UTC(2024, 0, 2)), 1);
    assert.equal(s.firstIndexAtOrAfter(Date.UTC(2027, 0, 1)), 731);
    const added = s.addSales(2, Date.UTC(2020, 0, 1)); // a time in the past is moved up to the latest sale
    assert.deepEqual(added, [731, 732]);
    assert.equal(s.createdAt(732), Date.UTC(2025, 11, 31));
    assert.equal(s.saleCount, 733);
  });

  it('counts sales per product and deletes products from the listing only', () => {
    const s = store(500, 4);
    const total = s.products.reduce((sum, product) => sum + s.salesTotals(product).count, 0);
    assert.equal(total, 500);
    const victim = s.products[2];
    assert.ok(victim);
    assert.equal(s.deleteProduct(victim.id), true);
    assert.equal(s.deleteProduct(victim.id), false);
    assert.equal(s.aliveProducts().length, 3);
    assert.equal(s.productById(victim.id), victim);
    assert.throws(() => store(10, 0), /at least one product/);
  });
});
