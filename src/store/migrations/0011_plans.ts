import type { Migration } from '../migration.ts';

/**
 * End users, plans and their versions, usage counters and plan pauses. Connections keep their
 * `end_user_id` column (no foreign key to `end_users`): connections created before this
 * migration, or by a host that never calls the end-user API, get their row on first use.
 */
export const plans: Migration = {
  version: 11,
  name: 'plans',
  async up(db, { types }) {
    await db.schema
      .createTable('end_users')
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('name', 'text')
      .addColumn('organization', 'text')
      .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('plan_key', 'text')
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('last_seen_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('end_users_pk', ['environment_id', 'id'])
      .execute();
    // Search by email within an environment.
    await db.schema
      .createIndex('end_users_email')
      .on('end_users')
      .columns(['environment_id', 'email'])
      .execute();
    // Counting the end users on a plan (a plan in use cannot be deleted).
    await db.schema
      .createIndex('end_users_plan')
      .on('end_users')
      .columns(['environment_id', 'plan_key'])
      .execute();
    // Connections of one end user (limits, pauses, deletion).
    await db.schema
      .createIndex('connections_environment_end_user')
      .on('connections')
      .columns(['environment_id', 'end_user_id'])
      .execute();

    await db.schema
      .createTable('plans')
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('rank', 'integer', (c) => c.notNull())
      .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('plans_pk', ['environment_id', 'key'])
      .execute();

    await db.schema
      .createTable('plan_versions')
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('plan_key', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('change', 'text', (c) => c.notNull())
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('plan_versions_pk', ['environment_id', 'plan_key', 'version'])
      .execute();

    await db.schema
      .createTable('usage_counters')
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('end_user_id', 'text', (c) => c.notNull())
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('value', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('usage_counters_pk', ['environment_id', 'end_user_id', 'period', 'metric'])
      .execute();

    await db.schema
      .createTable('connection_pauses')
      .addColumn('connection_id', 'text', (c) =>
        c.primaryKey().references('connections.id').onDelete('cascade'),
      )
      .addColumn('environment_id', 'text', (c) => c.notNull())
      .addColumn('end_user_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('paused_at', types.time, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('connection_pauses_end_user')
      .on('connection_pauses')
      .columns(['environment_id', 'end_user_id'])
      .execute();
  },
};
