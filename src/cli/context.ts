import { loadConfig, type PatchbayConfig } from '../config/index.ts';
import { openStore, type Store } from '../store/index.ts';

/**
 * Runs an operator command against the configured database: loads the config, opens the store,
 * applies pending migrations (so commands work on a fresh data dir), and always closes it.
 */
export async function withStore<T>(fn: (store: Store, config: PatchbayConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await store.migrate();
    return await fn(store, config);
  } finally {
    await store.close();
  }
}
