// Both ways of connecting Stripe run the same scripts: `stripe-api-key` (own keys) has no syncs of
// its own and is a variant of `stripe`, so the loader must hand it its parent's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCatalog } from '../../src/catalog/registry.ts';
import { getSync, loadScripts } from '../../src/scripting/loader.ts';

const SYNCS = ['customers', 'invoices', 'payments', 'products', 'subscriptions'];

describe('stripe scripts', () => {
  it('are the stripe provider’s syncs', async () => {
    const scripts = await loadScripts({ catalog: await loadCatalog() });
    assert.deepEqual([...(scripts.get('stripe')?.syncs.keys() ?? [])].sort(), SYNCS);
  });

  it('serve stripe-api-key connections too, through the loader’s variant rule', async () => {
    const scripts = await loadScripts({ catalog: await loadCatalog() });
    const own = scripts.get('stripe-api-key');
    assert.deepEqual([...(own?.syncs.keys() ?? [])].sort(), SYNCS);
    for (const name of SYNCS)
      assert.equal(getSync(scripts, 'stripe-api-key', name), getSync(scripts, 'stripe', name));
  });
});
