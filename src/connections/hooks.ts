/**
 * What other modules do when a connection is created, reconnected or deleted, without the
 * connections module knowing them: the syncs module starts a new connection's first runs, the
 * webhook subscriptions module registers (and, on deletion, removes) the provider's webhooks,
 * and the modules that keep per-connection data without a foreign key (records, the response
 * cache) remove it. Listeners run inside the transaction that inserts, updates or deletes the
 * connection, so what they do commits with it or not at all — and each module writes only its
 * own tables. A listener must not wait on the network there: it queues a job instead.
 */
import type { Kysely } from 'kysely';
import type { Credentials } from '../ports/connections.ts';
import type { Database } from '../store/index.ts';

/** The non-secret facts of the connection a hook is about, as stored by the change. */
export interface HookConnection {
  integrationId: string;
  endUserId: string;
  connectionConfig: Readonly<Record<string, string>>;
  metadata: Readonly<Record<string, unknown>>;
}

export interface ConnectionCreated {
  /** The creating transaction: a listener's writes commit with the connection. */
  trx: Kysely<Database>;
  environmentId: string;
  connectionId: string;
  provider: string;
  connection: HookConnection;
}

/** A reconnect (new credentials for the same connection), inside its transaction. */
export type ConnectionReconnected = ConnectionCreated;

/** A deletion, after the connection's row is gone and before the transaction commits. */
export interface ConnectionDeleted extends ConnectionCreated {
  /**
   * The credentials the connection had, decrypted on demand: for a listener that still has to
   * call the provider for it after the deletion (removing the webhooks registered for it), and
   * must then keep them encrypted in its own table until it has. Null when none were stored.
   * They were read before any revocation at the provider.
   */
  credentials(): Credentials | null;
}

export type ConnectionCreatedListener = (event: ConnectionCreated) => Promise<void>;
export type ConnectionReconnectedListener = (event: ConnectionReconnected) => Promise<void>;
export type ConnectionDeletedListener = (event: ConnectionDeleted) => Promise<void>;

/** The registry the connections service calls and other modules subscribe to. */
export interface ConnectionHooks {
  onCreated(listener: ConnectionCreatedListener): void;
  onReconnected(listener: ConnectionReconnectedListener): void;
  onDeleted(listener: ConnectionDeletedListener): void;
  /** Runs every listener in registration order; a listener's error fails the creation. */
  created(event: ConnectionCreated): Promise<void>;
  /** Runs every listener in registration order; a listener's error fails the reconnect. */
  reconnected(event: ConnectionReconnected): Promise<void>;
  /** Runs every listener in registration order; a listener's error fails the deletion. */
  deleted(event: ConnectionDeleted): Promise<void>;
}

export function createConnectionHooks(): ConnectionHooks {
  const onCreated: ConnectionCreatedListener[] = [];
  const onReconnected: ConnectionReconnectedListener[] = [];
  const onDeleted: ConnectionDeletedListener[] = [];
  return {
    onCreated: (listener) => void onCreated.push(listener),
    onReconnected: (listener) => void onReconnected.push(listener),
    onDeleted: (listener) => void onDeleted.push(listener),
    async created(event) {
      for (const listener of onCreated) await listener(event);
    },
    async reconnected(event) {
      for (const listener of onReconnected) await listener(event);
    },
    async deleted(event) {
      for (const listener of onDeleted) await listener(event);
    },
  };
}
