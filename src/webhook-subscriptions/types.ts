/**
 * Provider webhook subscriptions managed by the engine: for providers whose folder has
 * `webhooks/subscriptions.ts`, each connection's webhooks are registered at the provider through
 * its API when the connection is created or reconnected, removed when it is deleted, and checked
 * on a schedule. The signing secret a provider returns is kept encrypted and verifies the
 * connection's deliveries.
 */
import type { ConnectionCreated, ConnectionDeleted, ConnectionReconnected } from '../connections/hooks.ts';
import type { ManagedWebhookKeys } from '../inbound/secrets.ts';
import type { WebhookSubscriptionStatus } from '../store/index.ts';

/** One subscription at the provider, as the engine recorded it. */
export interface StoredSubscription {
  /** The provider's id. */
  id: string;
  topics: string[];
}

/** What the API shows of a connection's subscriptions: never a secret or the URL (it may hold a token). */
export interface WebhookSubscriptionsView {
  connectionId: string;
  provider: string;
  /** False when the engine registers nothing for this connection (no script, or it does not apply). */
  managed: boolean;
  /** `not_managed` when `managed` is false; `pending` until the first registration. */
  status: WebhookSubscriptionStatus | 'not_managed';
  /** The topics the provider's script asks for. */
  topics: string[];
  subscriptions: StoredSubscription[];
  /** Whether a signing secret the provider returned is kept for the connection. */
  hasSecret: boolean;
  /** Why the last attempt failed (`provider_error`…), while it is failing. */
  error: { code: string; message: string } | null;
  /** Consecutive failed attempts. */
  failures: number;
  registeredAt: number | null;
  checkedAt: number | null;
  removedAt: number | null;
}

export interface AttemptOptions {
  signal?: AbortSignal;
  /** The job's last attempt: a failure then is final (what is kept is cleaned up). */
  lastAttempt?: boolean;
}

export interface WebhookSubscriptionsService extends ManagedWebhookKeys {
  /** In the creating transaction: records a pending row and queues the registration. */
  connectionCreated(event: ConnectionCreated): Promise<void>;
  /** In the reconnecting transaction: queues a checking sync (the account may be another one). */
  connectionReconnected(event: ConnectionReconnected): Promise<void>;
  /**
   * In the deleting transaction: keeps what removing the subscriptions needs (encrypted) and
   * queues their removal; the connection's managed URL and secrets stop verifying at once.
   */
  connectionDeleted(event: ConnectionDeleted): Promise<void>;
  /**
   * The `webhook-subscriptions.sync` job: registers what is missing (with `check`, after listing
   * the provider's subscriptions: repairs a wrong URL or topics, a disabled or missing one, and
   * removes strays at the connection's URL). A failure is recorded on the row and thrown, so
   * the queue retries it.
   */
  sync(
    environmentId: string,
    connectionId: string,
    options: AttemptOptions & { check: boolean },
  ): Promise<void>;
  /** The `webhook-subscriptions.remove` job: removes a deleted connection's subscriptions. */
  remove(environmentId: string, connectionId: string, options?: AttemptOptions): Promise<void>;
  /** The scheduled check: queues a checking sync for the connections due one; purges old removed rows. */
  checkDue(limit?: number): Promise<{ queued: number; purged: number }>;
  /** The state of a connection's subscriptions (also after its deletion, until purged). */
  get(environmentId: string, connectionId: string): Promise<WebhookSubscriptionsView>;
  /** Queues a checking sync now (202 in the API); `conflict` for an unmanaged or deleted connection. */
  requestCheck(environmentId: string, connectionId: string): Promise<WebhookSubscriptionsView>;
}
