/**
 * The connections service: lifecycle of one end user's account at one integration. It stores
 * credentials encrypted (vault purpose `credentials`, bound to the connection row), writes the
 * `connection.*` events in the same transaction as the change, and implements ConnectionAccess
 * for the proxy and the refresher.
 */

import type { Kysely } from 'kysely';
import type { EndUser } from '../connect/types.ts';
import type { ConnectionAccess, Credentials } from '../ports/connections.ts';
import type { ConnectionStatus, Database } from '../store/index.ts';

/** A connection as the API shows it: never a credential. */
export interface Connection {
  id: string;
  environmentId: string;
  integrationId: string;
  integrationKey: string;
  provider: string;
  endUser: EndUser;
  status: ConnectionStatus;
  connectionConfig: Record<string, string>;
  /** Non-secret account facts (account id, shop, instance URL) and host-set values. */
  metadata: Record<string, unknown>;
  expiresAt: number | null;
  lastError: { code: string; message: string } | null;
  lastRefreshedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface SaveConnectionInput {
  integrationId: string;
  endUser: EndUser;
  credentials: Credentials;
  connectionConfig: Record<string, string>;
  metadata: Record<string, unknown>;
  /**
   * Reconnect: replace this connection's credentials (it must belong to the same integration
   * and end user) instead of creating a new one. Emits `connection.reconnected`.
   */
  connectionId?: string | null;
}

export interface ListConnectionsFilter {
  integration?: string;
  endUserId?: string;
  status?: ConnectionStatus;
  /** An id: results after it, oldest first. */
  after?: string;
  limit?: number;
}

/** Revokes a connection's grant at the provider (auth implements it). */
export type ConnectionRevoker = (
  environmentId: string,
  connectionId: string,
) => Promise<{ revoked: boolean }>;

export interface ConnectionsService extends ConnectionAccess {
  /**
   * Creates (emits `connection.created`) or reconnects (emits `connection.reconnected`). Metadata
   * nested deeper than 64 levels is refused `json_too_deep`, over 16 KiB of JSON `validation_failed`.
   */
  save(environmentId: string, input: SaveConnectionInput): Promise<Connection>;
  list(
    environmentId: string,
    filter?: ListConnectionsFilter,
  ): Promise<{ data: Connection[]; nextAfter: string | null }>;
  get(environmentId: string, id: string): Promise<Connection>;
  /** Shallow-merges host metadata (null removes a key); refuses it as `save` does. */
  updateMetadata(environmentId: string, id: string, patch: Record<string, unknown>): Promise<Connection>;
  /**
   * Revokes at the provider where the definition supports it (best effort: a failed revoke is
   * reported, the deletion goes on), deletes the credentials and the row, emits `connection.deleted`.
   */
  delete(environmentId: string, id: string): Promise<{ revoked: boolean }>;
  /** `get` inside the caller's transaction (a webhook handler's). */
  getIn(trx: Kysely<Database>, environmentId: string, id: string): Promise<Connection>;
  /**
   * The provider reported the grant revoked (an account deauthorized the app): status
   * `disconnected` and `connection.reauth_required` (once), in the caller's transaction. A
   * reconnect makes it `active` again.
   */
  markRevokedIn(
    trx: Kysely<Database>,
    environmentId: string,
    id: string,
    reason: { code: string; message: string },
  ): Promise<void>;
  /**
   * Sets (or, with null, clears) the key that verifies this connection's inbound webhooks
   * (definitions with `secretFrom: 'connection'`); stored as a vault envelope.
   */
  setWebhookSecret(environmentId: string, id: string, secret: string | null): Promise<void>;
  /**
   * Issues a new webhook URL token (replacing any earlier one): returned once, only its SHA-256
   * is stored.
   */
  issueWebhookToken(environmentId: string, id: string): Promise<{ token: string }>;
  /** The connection of an integration whose webhook URL token is `token`; null when none. */
  findByWebhookToken(environmentId: string, integrationId: string, token: string): Promise<string | null>;
  /** Decrypted webhook secrets of the given connections of the environment (those that have one). */
  webhookSecrets(environmentId: string, ids: readonly string[]): Promise<Map<string, string>>;
}
