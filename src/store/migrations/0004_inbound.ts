import type { Migration } from '../migration.ts';

/**
 * Inbound provider webhooks: every verified delivery stored before it is acknowledged, with the
 * dedupe key that makes a provider's retry a no-op; per-connection webhook secrets and URL tokens
 * for providers whose deliveries are verified per connection.
 */
export const inbound: Migration = {
  version: 4,
  name: 'inbound',
  async up(db, { types }) {
    await db.schema
      .createTable('inbound_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id'))
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('provider_event_id', 'text')
      .addColumn('dedupe_key', 'text')
      .addColumn('event_type', 'text')
      .addColumn('content_type', 'text')
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('connection_ids', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('received_at', types.time, (c) => c.notNull())
      .addColumn('processed_at', types.time)
      // A provider's retry of a stored delivery hits this and is answered 200 without a second row.
      .addUniqueConstraint('inbound_events_dedupe', ['integration_id', 'dedupe_key'])
      .execute();
    await db.schema
      .createIndex('inbound_events_environment')
      .on('inbound_events')
      .columns(['environment_id', 'id'])
      .execute();
    await db.schema
      .createIndex('inbound_events_status')
      .on('inbound_events')
      .columns(['environment_id', 'status', 'id'])
      .execute();
    // The dedupe window: keys older than it are cleared (set null) by a maintenance job.
    await db.schema
      .createIndex('inbound_events_received')
      .on('inbound_events')
      .columns(['received_at'])
      .execute();

    // Per-connection verification (url_token and `secretFrom: 'connection'` schemes).
    await db.schema.alterTable('connections').addColumn('webhook_secret', 'text').execute();
    await db.schema.alterTable('connections').addColumn('webhook_token_hash', 'text').execute();
    await db.schema
      .createIndex('connections_webhook_token')
      .on('connections')
      .column('webhook_token_hash')
      .unique()
      .execute();
  },
};
