// Test support for the dispatcher and messages suites: a migrated, bootstrapped store with the
// real endpoints service, a SQL queue and a manual clock.

import { randomBytes } from 'node:crypto';
import type { TestDatabase } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { createEnvironmentsService, type Environment } from '../environments/index.ts';
import { appendEvent, type NewEvent, type StoredEvent } from '../events/index.ts';
import { newId } from '../ids/index.ts';
import { createSqlQueue, type JobInfo, type SqlJobQueue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import { createVault, parseKeyring } from '../vault/index.ts';
import { createEndpointsService } from './endpoints.ts';
import type { EndpointsService } from './types.ts';

export interface OutboundFixture {
  store: Store;
  queue: SqlJobQueue;
  clock: ManualClock;
  endpoints: EndpointsService;
  dev: Environment;
  prod: Environment;
  /** Appends events in one transaction, as an engine service would. */
  emit(...events: NewEvent[]): Promise<StoredEvent[]>;
  /** Queued jobs of one name, oldest first. */
  queued(name: string): Promise<JobInfo[]>;
  /** Empties messages, attempts, endpoints, events and jobs between tests. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** An object whose methods call those of `target()`, resolved at call time (for services built after the API). */
export function lateBound<T extends object>(target: () => T): T {
  return new Proxy({} as T, {
    get: (_, key) => {
      const value = Reflect.get(target(), key);
      return typeof value === 'function' ? value.bind(target()) : value;
    },
  });
}

export const connectionData = (connectionId: string, endUserId = 'u1') => ({
  connectionId,
  integrationId: 'int_x',
  integrationKey: 'gumroad',
  provider: 'gumroad',
  endUserId,
});

/**
 * Opens a store on `database` (or uses `options.store`, e.g. the test API's, whose closing is
 * then left to its owner) and builds the outbound services on it.
 */
export async function openOutboundFixture(
  database: TestDatabase,
  options: { clock?: ManualClock; store?: Store } = {},
): Promise<OutboundFixture> {
  const clock = options.clock ?? new ManualClock();
  const store = options.store ?? (await database.open());
  await store.migrate();
  const environments = createEnvironmentsService({ store, clock });
  await environments.ensureBootstrap();
  const vault = createVault(parseKeyring(`t:${randomBytes(32).toString('base64')}`));
  const queue = createSqlQueue(store, { clock, random: () => 0.5 });
  const endpoints = createEndpointsService({ store, vault, clock });
  return {
    store,
    queue,
    clock,
    endpoints,
    dev: await environments.getEnvironmentByName('dev'),
    prod: await environments.getEnvironmentByName('prod'),
    emit: (...events) =>
      store.db.transaction().execute(async (trx) => {
        const written: StoredEvent[] = [];
        for (const event of events) written.push(await appendEvent(trx, event, { clock, newId }));
        return written;
      }),
    queued: (name) => queue.list({ state: 'queued', name, limit: 1000 }),
    async reset() {
      await store.db.deleteFrom('attempts').execute();
      await store.db.deleteFrom('messages').execute();
      await store.db.deleteFrom('endpoints').execute();
      await store.db.deleteFrom('events').execute();
      await store.db.deleteFrom('jobs').execute();
    },
    async close() {
      await queue.close();
      if (!options.store) await store.close();
    },
  };
}
