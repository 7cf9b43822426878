import type { Migration } from '../migration.ts';

/**
 * Syncs, records and actions: a schedule (with its checkpoint and run lock) per connection and
 * sync, the sync-run log, the normalized records with their change-detection hash, per-connection
 * field mappings, the action-run log, and the proxy's response cache for scripts' GET requests.
 */
export const syncs: Migration = {
  version: 5,
  name: 'syncs',
  async up(db, { types }) {
    await db.schema
      .createTable('sync_schedules')
      .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
      .addColumn('sync_name', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('frequency_ms', types.time, (c) => c.notNull())
      .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_run_at', types.time)
      .addColumn('checkpoint', 'text')
      .addColumn('checkpoint_updated_at', types.time)
      .addColumn('last_run_id', 'text')
      .addColumn('last_success_at', types.time)
      .addColumn('running_run_id', 'text')
      .addColumn('run_owner', 'text')
      .addColumn('run_lease_until', types.time)
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('sync_schedules_pk', ['connection_id', 'sync_name'])
      .execute();
    // The scheduler's scan: due, unpaused schedules.
    await db.schema
      .createIndex('sync_schedules_due')
      .on('sync_schedules')
      .columns(['paused', 'next_run_at'])
      .execute();

    await db.schema
      .createTable('sync_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('connection_id', 'text', (c) => c.notNull())
      .addColumn('sync_name', 'text', (c) => c.notNull())
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('added', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('details', 'text')
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('started_at', types.time)
      .addColumn('finished_at', types.time)
      .addColumn('duration_ms', 'integer')
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('sync_runs_environment')
      .on('sync_runs')
      .columns(['environment_id', 'id'])
      .execute();
    await db.schema
      .createIndex('sync_runs_connection')
      .on('sync_runs')
      .columns(['connection_id', 'sync_name', 'id'])
      .execute();

    await db.schema
      .createTable('records')
      .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('first_seen_at', types.time, (c) => c.notNull())
      .addColumn('modified_at', types.time, (c) => c.notNull())
      .addColumn('deleted_at', types.time)
      .addColumn('last_run_id', 'text')
      .addPrimaryKeyConstraint('records_pk', ['connection_id', 'model', 'external_id'])
      .execute();
    // The records API's stable cursor: modified_at, then external_id.
    await db.schema
      .createIndex('records_modified')
      .on('records')
      .columns(['connection_id', 'model', 'modified_at', 'external_id'])
      .execute();

    await db.schema
      .createTable('field_mappings')
      .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('mapping', 'text', (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('field_mappings_pk', ['connection_id', 'kind', 'target'])
      .execute();

    await db.schema
      .createTable('action_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('connection_id', 'text', (c) => c.notNull())
      .addColumn('action_name', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      .addColumn('output', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('error_details', 'text')
      .addColumn('idempotency_key', 'text')
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('started_at', types.time)
      .addColumn('finished_at', types.time)
      .addColumn('duration_ms', 'integer')
      .addColumn('updated_at', types.time, (c) => c.notNull())
      // A retried request with the same key gets the first run back instead of a second write.
      .addUniqueConstraint('action_runs_idempotency', ['connection_id', 'idempotency_key'])
      .execute();
    await db.schema
      .createIndex('action_runs_environment')
      .on('action_runs')
      .columns(['environment_id', 'id'])
      .execute();

    await db.schema
      .createTable('response_cache')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('connection_id', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('expires_at', types.time, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('response_cache_connection')
      .on('response_cache')
      .columns(['connection_id', 'url'])
      .execute();
    await db.schema.createIndex('response_cache_expires').on('response_cache').column('expires_at').execute();
  },
};
