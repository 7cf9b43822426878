/** A table column that holds vault envelopes: what key rotation and start-up checks scan. */
export interface EncryptedColumn {
  table: string;
  idColumn: string;
  column: string;
  /** The purpose bound into each envelope of this column (SecretContext.purpose). */
  purpose: string;
}

/**
 * Every column of the engine that stores secrets. A module that adds one registers it here, so
 * `patchbay keys rotate` re-encrypts it and start-up refuses to run without a key it still needs.
 * (API keys are not here: they are stored as hashes, never decryptable.)
 */
export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  // Integrations and connections (src/integrations, src/connections), OAuth states (src/auth).
  { table: 'integrations', idColumn: 'id', column: 'client_secret', purpose: 'client_secret' },
  { table: 'integrations', idColumn: 'id', column: 'webhook_secret', purpose: 'webhook_secret' },
  { table: 'connections', idColumn: 'id', column: 'credentials', purpose: 'credentials' },
  // The per-connection key verifying inbound webhooks (src/inbound, `secretFrom: 'connection'`).
  { table: 'connections', idColumn: 'id', column: 'webhook_secret', purpose: 'connection_webhook_secret' },
  { table: 'oauth_states', idColumn: 'state_hash', column: 'code_verifier', purpose: 'code_verifier' },
  // Outbound endpoints' signing secrets (src/outbound/endpoints.ts); previous_secret is null
  // outside a rotation's grace period (rotation and canary scans skip nulls).
  { table: 'endpoints', idColumn: 'id', column: 'secret', purpose: 'endpoint_secret' },
  { table: 'endpoints', idColumn: 'id', column: 'previous_secret', purpose: 'endpoint_secret' },
  // Their custom request headers, which often hold the receiver's own credentials; '' for an
  // endpoint without any (no envelope: rotation skips empty values like nulls).
  { table: 'endpoints', idColumn: 'id', column: 'headers', purpose: 'endpoint_headers' },
  // Provider webhook subscriptions (src/webhook-subscriptions): the signing secrets providers
  // returned, the token of the URL registered, and a deleted connection's credentials kept only
  // until its subscriptions are removed.
  {
    table: 'webhook_subscriptions',
    idColumn: 'connection_id',
    column: 'secrets',
    purpose: 'webhook_subscription_secrets',
  },
  {
    table: 'webhook_subscriptions',
    idColumn: 'connection_id',
    column: 'url_token',
    purpose: 'webhook_subscription_url_token',
  },
  {
    table: 'webhook_subscriptions',
    idColumn: 'connection_id',
    column: 'removal',
    purpose: 'webhook_subscription_removal',
  },
  // The key signing notification links (src/notifications/links.ts), one per environment.
  {
    table: 'notification_keys',
    idColumn: 'environment_id',
    column: 'secret',
    purpose: 'notification_link_key',
  },
];
