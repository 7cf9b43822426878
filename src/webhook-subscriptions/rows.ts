/**
 * The `webhook_subscriptions` rows: reading them, and the three vault envelopes they hold (the
 * providers' signing secrets, the token of the URL registered, and a deleted connection's
 * credentials until its subscriptions are removed), each bound to its row and purpose.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Credentials } from '../ports/connections.ts';
import type { Database, WebhookSubscriptionStatus, WebhookSubscriptionsTable } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import type { StoredSubscription, WebhookSubscriptionsView } from './types.ts';

export type SubscriptionRow = Selectable<WebhookSubscriptionsTable>;

/** Statuses of a row whose connection was deleted. */
export const REMOVAL_STATUSES: readonly WebhookSubscriptionStatus[] = [
  'removing',
  'removed',
  'removal_failed',
];

export function isRemoval(status: WebhookSubscriptionStatus): boolean {
  return REMOVAL_STATUSES.includes(status);
}

/** What is stored of a URL token to find its connection: its SHA-256 (hex). */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function storedSubscriptions(row: Pick<SubscriptionRow, 'subscriptions'>): StoredSubscription[] {
  return JSON.parse(row.subscriptions) as StoredSubscription[];
}

/** What removing a deleted connection's subscriptions needs: what its script context is made of. */
export interface RemovalSnapshot {
  integrationId: string;
  endUserId: string;
  connectionConfig: Record<string, string>;
  metadata: Record<string, unknown>;
  credentials: Credentials;
  /** When the connection was deleted (epoch ms). */
  deletedAt: number;
}

export interface RowSecrets {
  /** Subscription id → signing secret. */
  secrets(row: SubscriptionRow): Record<string, string>;
  sealSecrets(connectionId: string, secrets: Record<string, string>): string | null;
  token(row: SubscriptionRow): string | null;
  sealToken(connectionId: string, token: string): string;
  removal(row: SubscriptionRow): RemovalSnapshot | null;
  sealRemoval(connectionId: string, snapshot: RemovalSnapshot): string;
}

const TABLE = 'webhook_subscriptions';

export function rowSecrets(vault: Vault): RowSecrets {
  const context = (rowId: string, purpose: string) => ({ table: TABLE, rowId, purpose });
  const SECRETS = 'webhook_subscription_secrets';
  const TOKEN = 'webhook_subscription_url_token';
  const REMOVAL = 'webhook_subscription_removal';
  return {
    secrets: (row) =>
      row.secrets === null
        ? {}
        : (JSON.parse(vault.decrypt(row.secrets, context(row.connection_id, SECRETS))) as Record<
            string,
            string
          >),
    sealSecrets: (connectionId, secrets) =>
      Object.keys(secrets).length === 0
        ? null
        : vault.encrypt(JSON.stringify(secrets), context(connectionId, SECRETS)),
    token: (row) =>
      row.url_token === null ? null : vault.decrypt(row.url_token, context(row.connection_id, TOKEN)),
    sealToken: (connectionId, token) => vault.encrypt(token, context(connectionId, TOKEN)),
    removal: (row) =>
      row.removal === null
        ? null
        : (JSON.parse(vault.decrypt(row.removal, context(row.connection_id, REMOVAL))) as RemovalSnapshot),
    sealRemoval: (connectionId, snapshot) =>
      vault.encrypt(JSON.stringify(snapshot), context(connectionId, REMOVAL)),
  };
}

export function findRow(
  executor: Kysely<Database>,
  environmentId: string,
  connectionId: string,
): Promise<SubscriptionRow | undefined> {
  return executor
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('environment_id', '=', environmentId)
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
}

/** The API's view of a row. */
export function viewOf(row: SubscriptionRow, topics: readonly string[]): WebhookSubscriptionsView {
  return {
    connectionId: row.connection_id,
    provider: row.provider,
    managed: row.status !== 'not_managed',
    status: row.status,
    topics: [...topics].sort(),
    subscriptions: storedSubscriptions(row),
    hasSecret: row.secrets !== null,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    failures: row.failures,
    registeredAt: row.registered_at,
    checkedAt: row.checked_at,
    removedAt: row.removed_at,
  };
}
