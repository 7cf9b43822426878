import type { Migration } from '../migration.ts';

/** Integrations, connections and their refresh lock, connect sessions, OAuth states, events, request log. */
export const connect: Migration = {
  version: 2,
  name: 'connect',
  async up(db, { types }) {
    await db.schema
      .createTable('integrations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text')
      .addColumn('client_id', 'text')
      .addColumn('client_secret', 'text')
      .addColumn('webhook_secret', 'text')
      .addColumn('scopes', 'text')
      .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .addUniqueConstraint('integrations_environment_key', ['environment_id', 'key'])
      .execute();

    await db.schema
      .createTable('connections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id'))
      .addColumn('end_user_id', 'text', (c) => c.notNull())
      .addColumn('end_user_email', 'text')
      .addColumn('end_user_org', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('credentials', 'text')
      .addColumn('expires_at', types.time)
      .addColumn('connection_config', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('last_error_code', 'text')
      .addColumn('last_error_message', 'text')
      .addColumn('refresh_failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_refreshed_at', types.time)
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('connections_end_user')
      .on('connections')
      .columns(['environment_id', 'integration_id', 'end_user_id'])
      .execute();
    // Listing an environment's connections page by page (`after` an id).
    await db.schema
      .createIndex('connections_environment')
      .on('connections')
      .columns(['environment_id', 'id'])
      .execute();
    // The refresh job: active connections whose token expires soon.
    await db.schema
      .createIndex('connections_expiry')
      .on('connections')
      .columns(['status', 'expires_at'])
      .execute();

    await db.schema
      .createTable('connection_locks')
      .addColumn('connection_id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('expires_at', types.time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('connect_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('end_user_id', 'text', (c) => c.notNull())
      .addColumn('end_user_email', 'text')
      .addColumn('end_user_org', 'text')
      .addColumn('allowed_integrations', 'text')
      .addColumn('connection_id', 'text')
      .addColumn('allowed_origin', 'text')
      .addColumn('expires_at', types.time, (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('oauth_states')
      .addColumn('state_hash', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('integration_id', 'text', (c) => c.notNull())
      .addColumn('code_verifier', 'text')
      .addColumn('redirect_uri', 'text', (c) => c.notNull())
      .addColumn('connection_config', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('expires_at', types.time, (c) => c.notNull())
      .addColumn('consumed_at', types.time)
      .addColumn('created_at', types.time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('events_environment')
      .on('events')
      .columns(['environment_id', 'id'])
      .execute();

    await db.schema
      .createTable('request_logs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('connection_id', 'text')
      .addColumn('integration_id', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('created_at', types.time, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('request_logs_connection')
      .on('request_logs')
      .columns(['environment_id', 'connection_id', 'id'])
      .execute();
  },
};
