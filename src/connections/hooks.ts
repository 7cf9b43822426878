/**
 * What other modules do when a connection is created or deleted, without the connections module
 * knowing them: the syncs module starts a new connection's first runs, and the modules that keep
 * per-connection data without a foreign key (records, the response cache) remove it. Listeners
 * run inside the transaction that inserts or deletes the connection, so what they do commits with
 * it or not at all — and each module writes only its own tables.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface ConnectionCreated {
  /** The creating transaction: a listener's writes commit with the connection. */
  trx: Kysely<Database>;
  environmentId: string;
  connectionId: string;
  provider: string;
  /** The host's id of the connection's end user (the plans module counts their connections). */
  endUserId: string;
}

/** A deletion, after the connection's row is gone and before the transaction commits. */
export type ConnectionDeleted = ConnectionCreated;

export type ConnectionCreatedListener = (event: ConnectionCreated) => Promise<void>;
export type ConnectionDeletedListener = (event: ConnectionDeleted) => Promise<void>;

/** The registry the connections service calls and other modules subscribe to. */
export interface ConnectionHooks {
  onCreated(listener: ConnectionCreatedListener): void;
  onDeleted(listener: ConnectionDeletedListener): void;
  /** Runs every listener in registration order; a listener's error fails the creation. */
  created(event: ConnectionCreated): Promise<void>;
  /** Runs every listener in registration order; a listener's error fails the deletion. */
  deleted(event: ConnectionDeleted): Promise<void>;
}

export function createConnectionHooks(): ConnectionHooks {
  const onCreated: ConnectionCreatedListener[] = [];
  const onDeleted: ConnectionDeletedListener[] = [];
  return {
    onCreated: (listener) => void onCreated.push(listener),
    onDeleted: (listener) => void onDeleted.push(listener),
    async created(event) {
      for (const listener of onCreated) await listener(event);
    },
    async deleted(event) {
      for (const listener of onDeleted) await listener(event);
    },
  };
}
