import { systemClock } from '../clock/index.ts';
import { loadConfig, type PatchbayConfig } from '../config/index.ts';
import { createPatchbay, type Patchbay } from '../engine/index.ts';
import { createEnvironmentsService } from '../environments/index.ts';
import { createLogger } from '../logger/index.ts';
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

/**
 * Runs an operator command on an engine in library mode (role `worker`, never started: no HTTP
 * listener, no workers, no scheduler), with `environment` resolved by name; always stops it.
 * Engine logs go to stderr (errors only, unless PATCHBAY_LOG_LEVEL is set) so stdout stays the
 * command's own output. On a fresh data dir the first dev API key is created here: it is printed
 * once on stderr, as `keys` does, since it can never be shown again.
 */
export async function withEngine<T>(
  environmentName: string,
  fn: (engine: Patchbay, environmentId: string) => Promise<T>,
): Promise<T> {
  // Bootstrap first, on the bare store: createPatchbay would create the first dev key too, but it
  // hands that key only to start(), which a command never calls.
  const config = await withStore(async (store, loaded) => {
    const bootstrap = await createEnvironmentsService({ store, clock: systemClock }).ensureBootstrap();
    if (bootstrap.firstKey) {
      process.stderr.write(
        `Created the dev environment's first API key (shown once):\n${bootstrap.firstKey.secret}\n`,
      );
    }
    return loaded;
  });
  const level = process.env.PATCHBAY_LOG_LEVEL ? config.logLevel : 'error';
  const logger = createLogger({
    level,
    destination: { write: (line: string) => process.stderr.write(line) },
  });
  const engine = await createPatchbay({ config: { role: 'worker' }, logger });
  try {
    const environment = await engine.services.environments.getEnvironmentByName(environmentName);
    return await fn(engine, environment.id);
  } finally {
    await engine.stop();
  }
}
