// Contract test of the shipped provider scripts: every sync and action under providers/ loads
// and validates, and the registry holds exactly the script files on disk (none hidden, none
// invented). Passes with no scripts at all, and checks each one as providers add them.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BUILTIN_PROVIDERS_DIR, loadCatalog } from '../catalog/index.ts';
import { parseDuration } from './duration.ts';
import { ACTIONS_FOLDER, getAction, getSync, loadScripts, MIN_FREQUENCY_MS, SYNCS_FOLDER } from './loader.ts';

/** provider → script names in `folder`, read from disk independently of the loader. */
function filesOnDisk(folder: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const provider of readdirSync(BUILTIN_PROVIDERS_DIR, { withFileTypes: true })) {
    if (!provider.isDirectory() || /^[._]/.test(provider.name)) continue;
    const dir = join(BUILTIN_PROVIDERS_DIR, provider.name, folder);
    if (!existsSync(dir)) continue;
    const names = readdirSync(dir)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !/^[._]/.test(file))
      .map((file) => file.slice(0, -'.ts'.length))
      .sort();
    if (names.length > 0) found.set(provider.name, names);
  }
  return found;
}

describe('provider scripts (providers/)', () => {
  it('every sync and action loads and validates, and each file on disk is registered', async (t) => {
    const catalog = await loadCatalog();
    const registry = await loadScripts({ catalog });
    const syncs = filesOnDisk(SYNCS_FOLDER);
    const actions = filesOnDisk(ACTIONS_FOLDER);
    for (const [provider, scripts] of registry) {
      assert.ok(catalog.has(provider), `${provider} is in the catalog`);
      // A variant without script files of its own runs its family's.
      const family = catalog.get(provider)?.variantOf;
      const own = syncs.has(provider) || actions.has(provider);
      const folder = !own && family !== undefined ? family : provider;
      assert.deepEqual([...scripts.syncs.keys()].sort(), syncs.get(folder) ?? [], `${provider} syncs`);
      assert.deepEqual([...scripts.actions.keys()].sort(), actions.get(folder) ?? [], `${provider} actions`);
    }
    for (const provider of [...syncs.keys(), ...actions.keys()]) {
      assert.ok(registry.has(provider), `${provider} has script files but is not in the registry`);
    }
    let count = 0;
    for (const [provider, names] of syncs) {
      for (const name of names) {
        const sync = getSync(registry, provider, name);
        assert.equal(sync.name, name);
        assert.ok(
          parseDuration(sync.frequency) >= MIN_FREQUENCY_MS,
          `${provider}/${name} runs at most once a minute`,
        );
        assert.ok(Object.keys(sync.models).length > 0);
        count += 1;
      }
    }
    for (const [provider, names] of actions) {
      for (const name of names) {
        assert.equal(getAction(registry, provider, name).name, name);
        count += 1;
      }
    }
    t.diagnostic(`${count} provider script(s) validated across ${registry.size} provider(s)`);
  });
});
