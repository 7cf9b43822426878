import type { Migration } from '../migration.ts';

/**
 * Outbound webhooks: endpoints (with their signing secrets), messages (one per event and
 * endpoint) and delivery attempts; events get a dispatch mark so the outbox dispatcher finds the
 * ones it has not fanned out yet.
 */
export const outbound: Migration = {
  version: 3,
  name: 'outbound',
  async up(db, { types }) {
    await db.schema.alterTable('events').addColumn('dispatched_at', types.time).execute();
    // The dispatcher's scan: undispatched events, oldest first.
    await db.schema
      .createIndex('events_undispatched')
      .on('events')
      .columns(['dispatched_at', 'id'])
      .execute();

    await db.schema
      .createTable('endpoints')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('event_types', 'text')
      .addColumn('channels', 'text')
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('rate_limit_per_second', 'integer')
      .addColumn('max_concurrency', 'integer', (c) => c.notNull().defaultTo(10))
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('previous_secret', 'text')
      .addColumn('previous_secret_expires_at', types.time)
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('disabled_reason', 'text')
      .addColumn('failing_since', types.time)
      .addColumn('failing_warned_at', types.time)
      .addColumn('last_success_at', types.time)
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('endpoints_environment')
      .on('endpoints')
      .columns(['environment_id', 'id'])
      .execute();

    await db.schema
      .createTable('messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('endpoint_id', 'text', (c) => c.notNull().references('endpoints.id'))
      .addColumn('event_id', 'text')
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('channels', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', types.time)
      .addColumn('last_attempt_at', types.time)
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .addUniqueConstraint('messages_endpoint_idempotency', ['endpoint_id', 'idempotency_key'])
      .addUniqueConstraint('messages_endpoint_event', ['endpoint_id', 'event_id'])
      .execute();
    await db.schema
      .createIndex('messages_environment')
      .on('messages')
      .columns(['environment_id', 'id'])
      .execute();
    await db.schema.createIndex('messages_endpoint').on('messages').columns(['endpoint_id', 'id']).execute();
    // Idempotent message creation looks its key up per environment.
    await db.schema
      .createIndex('messages_idempotency')
      .on('messages')
      .columns(['environment_id', 'idempotency_key'])
      .execute();
    // Recovery sweeps: pending messages whose next attempt is due.
    await db.schema
      .createIndex('messages_due')
      .on('messages')
      .columns(['status', 'next_attempt_at'])
      .execute();

    await db.schema
      .createTable('attempts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
      .addColumn('endpoint_id', 'text', (c) => c.notNull().references('endpoints.id'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('response_status', 'integer')
      .addColumn('response_body', 'text')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('created_at', types.time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('attempts_message').on('attempts').columns(['message_id', 'id']).execute();
    await db.schema.createIndex('attempts_endpoint').on('attempts').columns(['endpoint_id', 'id']).execute();
  },
};
