import type { FastifyInstance } from 'fastify';
import { type ApiDeps, buildApi, createMetricsRegistry } from '../../src/api/index.ts';
import { ManualClock } from '../../src/clock/index.ts';
import {
  createEnvironmentsService,
  type Environment,
  type EnvironmentsService,
} from '../../src/environments/index.ts';
import { createLogger, createMemoryDestination, type MemoryDestination } from '../../src/logger/index.ts';
import { createOperatorsService, type OperatorsService } from '../../src/operators/index.ts';
import { queueDepth } from '../../src/queue/index.ts';
import type { Store } from '../../src/store/index.ts';
import type { TestDatabase } from './databases.ts';

/** An API built on a fresh, bootstrapped database, with a key for each environment. */
export interface TestApi {
  app: FastifyInstance;
  store: Store;
  environments: EnvironmentsService;
  clock: ManualClock;
  /** Everything the API logged (level trace), for assertions on log content. */
  logs: MemoryDestination;
  dev: Environment;
  prod: Environment;
  /** `Authorization` headers of a dev key and a prod key. */
  devAuth: { authorization: string };
  prodAuth: { authorization: string };
  devKeyId: string;
  prodKeyId: string;
  /** The dashboard's sign-in service, when built with `{ dashboard: true }`. */
  operators: OperatorsService | null;
  close(): Promise<void>;
}

/**
 * Opens `database`, migrates it, bootstraps dev and prod, creates a prod key and builds the API.
 * `overrides` replace any dependency (config, rateLimiter, routes…).
 */
export async function createTestApi(
  database: TestDatabase,
  overrides: Partial<Omit<ApiDeps, 'config'>> & {
    config?: Partial<ApiDeps['config']>;
    /** Adds the dashboard's sign-in (an operators service on the same store and clock). */
    dashboard?: boolean;
  } = {},
): Promise<TestApi> {
  const store = await database.open();
  await store.migrate();
  const clock = new ManualClock();
  const environments = createEnvironmentsService({ store, clock });
  const { firstKey } = await environments.ensureBootstrap();
  const dev = await environments.getEnvironmentByName('dev');
  const prod = await environments.getEnvironmentByName('prod');
  const devKey = firstKey ?? (await environments.createKey(dev.id, { name: 'test dev key' }));
  const prodKey = await environments.createKey(prod.id, { name: 'test prod key' });
  const logs = createMemoryDestination();
  const { config, dashboard, ...rest } = overrides;
  const operators = dashboard ? createOperatorsService({ store, environments, clock }) : null;
  const app = await buildApi({
    store,
    logger: createLogger({ level: 'trace', destination: logs }),
    metrics: createMetricsRegistry(),
    environments,
    clock,
    ...(operators
      ? { operators, queueDepth: (environmentId: string) => queueDepth(store.db, environmentId, clock.now()) }
      : {}),
    ...rest,
    config: { bodyLimit: 64 * 1024, apiRateLimit: 1000, ...config },
  });
  return {
    app,
    store,
    environments,
    clock,
    logs,
    dev,
    prod,
    devAuth: { authorization: `Bearer ${devKey.secret}` },
    prodAuth: { authorization: `Bearer ${prodKey.secret}` },
    devKeyId: devKey.apiKey.id,
    prodKeyId: prodKey.apiKey.id,
    operators,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
