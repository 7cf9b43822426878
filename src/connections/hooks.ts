/**
 * What other modules do when a connection is created, without the connections module knowing
 * them: the syncs module starts a new connection's first runs. Listeners run inside the
 * transaction that inserts the connection, so what they queue commits with it or not at all.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface ConnectionCreated {
  /** The creating transaction: a listener's writes commit with the connection. */
  trx: Kysely<Database>;
  environmentId: string;
  connectionId: string;
  provider: string;
}

export type ConnectionCreatedListener = (event: ConnectionCreated) => Promise<void>;

/** The registry the connections service calls and other modules subscribe to. */
export interface ConnectionHooks {
  onCreated(listener: ConnectionCreatedListener): void;
  /** Runs every listener in registration order; a listener's error fails the creation. */
  created(event: ConnectionCreated): Promise<void>;
}

export function createConnectionHooks(): ConnectionHooks {
  const listeners: ConnectionCreatedListener[] = [];
  return {
    onCreated(listener) {
      listeners.push(listener);
    },
    async created(event) {
      for (const listener of listeners) await listener(event);
    },
  };
}
