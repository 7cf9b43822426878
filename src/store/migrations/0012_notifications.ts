import type { Migration } from '../migration.ts';

/**
 * Notification emails (src/notifications): per-environment settings and template overrides, the
 * key that signs unsubscribe and reconnect links (a vault envelope), the unsubscriptions, the
 * throttle (one row per connection or end user and kind, claimed atomically), and the log of
 * every send and suppression.
 */
export const notifications: Migration = {
  version: 12,
  name: 'notifications',
  async up(db, { types }) {
    await db.schema
      .createTable('notification_settings')
      .addColumn('environment_id', 'text', (c) => c.primaryKey().references('environments.id'))
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('notification_templates')
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('html', 'text', (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('notification_templates_pk', ['environment_id', 'kind'])
      .execute();

    await db.schema
      .createTable('notification_keys')
      .addColumn('environment_id', 'text', (c) => c.primaryKey().references('environments.id'))
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('notification_unsubscribes')
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('end_user_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('notification_unsubscribes_pk', ['environment_id', 'end_user_id', 'kind'])
      .execute();

    // The unique key is the throttle: a claim is an upsert that only moves `last_at` when the
    // previous one is older than the window, so two processes cannot both claim.
    await db.schema
      .createTable('notification_throttle')
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('last_at', types.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('notification_throttle_pk', ['environment_id', 'subject', 'kind'])
      .execute();

    await db.schema
      .createTable('notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('audience', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text')
      .addColumn('end_user_id', 'text')
      .addColumn('connection_id', 'text')
      .addColumn('channel', 'text')
      .addColumn('source_key', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text')
      .addColumn('subject', 'text')
      .addColumn('message', 'text')
      .addColumn('provider_message_id', 'text')
      .addColumn('smtp_response', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .addColumn('sent_at', types.time)
      .execute();
    // One row per cause and recipient: a retried job finds the row it wrote instead of a second.
    await db.schema
      .createIndex('notifications_source')
      .on('notifications')
      .columns(['environment_id', 'source_key'])
      .unique()
      .execute();
    await db.schema
      .createIndex('notifications_environment_id')
      .on('notifications')
      .columns(['environment_id', 'id'])
      .execute();
  },
};
