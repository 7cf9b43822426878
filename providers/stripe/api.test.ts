import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathOf, scopedKey, searchString } from './api.ts';

describe('Stripe call helpers', () => {
  it('derives readable idempotency keys, hashed when they would pass 255 characters', async () => {
    assert.equal(
      await scopedKey(['conn_1', 'rollup', 'show:7', 'b/1'], 'item:0'),
      'patchbay:conn_1:rollup:show%3A7:b%2F1:item:0',
      'parts are escaped, so ("a:b", "c") and ("a", "b:c") never share a key',
    );
    assert.notEqual(await scopedKey(['a:b', 'c'], 's'), await scopedKey(['a', 'b:c'], 's'));
    const long = await scopedKey(['conn_1', 'x'.repeat(300)], 'finalize');
    assert.match(long, /^patchbay:h:[0-9a-f]{64}:finalize$/);
    assert.equal(long, await scopedKey(['conn_1', 'x'.repeat(300)], 'finalize'), 'deterministic');
    assert.notEqual(long, await scopedKey(['conn_1', 'y'.repeat(300)], 'finalize'));
  });

  it('quotes search values and escapes path ids', () => {
    assert.equal(searchString("it's a \\ test"), "'it\\'s a \\\\ test'");
    assert.equal(pathOf`/v1/invoices/${'in_1/../x'}/finalize`, '/v1/invoices/in_1%2F..%2Fx/finalize');
  });
});
