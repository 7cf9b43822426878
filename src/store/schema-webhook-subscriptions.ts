/** Row types of the webhook subscriptions table (migration 0009). */
export interface WebhookSubscriptionTables {
  webhook_subscriptions: WebhookSubscriptionsTable;
}

/**
 * `pending` until first registered; `registered`; `failed` when the last registration or check
 * failed (retried); `not_managed` for a connection the provider's script does not register
 * (Stripe Connect's); after the connection's deletion `removing`, then `removed`, or
 * `removal_failed` when the provider could not be asked to remove them.
 */
export type WebhookSubscriptionStatus =
  | 'pending'
  | 'registered'
  | 'failed'
  | 'not_managed'
  | 'removing'
  | 'removed'
  | 'removal_failed';

/**
 * The provider webhook subscriptions the engine manages for one connection (one row per
 * connection, kept after the connection's deletion until its subscriptions are removed). No
 * foreign key to the connection: the row must outlive it.
 */
export interface WebhookSubscriptionsTable {
  connection_id: string;
  environment_id: string;
  integration_id: string;
  provider: string;
  status: WebhookSubscriptionStatus;
  /** JSON array of `{ id, topics }`: the provider's subscriptions made for the connection. */
  subscriptions: string;
  /** Vault envelope (purpose `webhook_subscription_secrets`) of a JSON object: subscription id → signing secret. */
  secrets: string | null;
  /** Vault envelope (purpose `webhook_subscription_url_token`): the token of the URL registered. */
  url_token: string | null;
  /** SHA-256 (hex) of that token: how a delivery to the URL finds the connection. */
  url_token_hash: string | null;
  /**
   * Vault envelope (purpose `webhook_subscription_removal`) of what removing the subscriptions
   * needs once the connection is gone (its credentials, config, metadata); set only while `removing`.
   */
  removal: string | null;
  /** Counts successful registrations: part of each registration's idempotency key. */
  generation: number;
  error_code: string | null;
  error_message: string | null;
  /** Consecutive failed attempts. */
  failures: number;
  registered_at: number | null;
  checked_at: number | null;
  removed_at: number | null;
  created_at: number;
  updated_at: number;
}
