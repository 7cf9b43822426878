import type { Migration } from '../migration.ts';

/**
 * Provider webhook subscriptions the engine registers per connection (src/webhook-subscriptions):
 * their ids at the provider, the signing secrets the provider returned and the URL token
 * (encrypted), and their status. No foreign key to `connections`: a row outlives its connection
 * until the provider's subscriptions are removed.
 */
export const webhookSubscriptions: Migration = {
  version: 9,
  name: 'webhook_subscriptions',
  async up(db, { types }) {
    await db.schema
      .createTable('webhook_subscriptions')
      .addColumn('connection_id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('integration_id', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('subscriptions', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('secrets', 'text')
      .addColumn('url_token', 'text')
      .addColumn('url_token_hash', 'text')
      .addColumn('removal', 'text')
      .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('registered_at', types.time)
      .addColumn('checked_at', types.time)
      .addColumn('removed_at', types.time)
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .execute();
    // A delivery to a managed URL finds its connection by the token's hash.
    await db.schema
      .createIndex('webhook_subscriptions_token')
      .on('webhook_subscriptions')
      .column('url_token_hash')
      .unique()
      .execute();
    // The scheduled check: the rows least recently checked, by status.
    await db.schema
      .createIndex('webhook_subscriptions_check')
      .on('webhook_subscriptions')
      .columns(['status', 'checked_at'])
      .execute();
  },
};
