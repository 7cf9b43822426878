import type { Migration } from '../migration.ts';

/**
 * The operator dashboard's sign-in: operator accounts (scrypt password hashes, lockout state)
 * and server sessions, each bound to one environment and to the key or operator that opened it.
 * Version 16: the number reserved for the dashboard.
 */
export const operators: Migration = {
  version: 16,
  name: 'operators',
  async up(db, { types }) {
    await db.schema
      .createTable('operators')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', types.time)
      .addColumn('created_at', types.time, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('dashboard_sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('api_key_id', 'text', (c) => c.references('api_keys.id'))
      .addColumn('operator_id', 'text', (c) => c.references('operators.id'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('expires_at', types.time, (c) => c.notNull())
      .execute();
    // Expired sessions are deleted by expiry; an operator's sessions are ended together.
    await db.schema
      .createIndex('dashboard_sessions_expiry')
      .on('dashboard_sessions')
      .column('expires_at')
      .execute();
    await db.schema
      .createIndex('dashboard_sessions_operator')
      .on('dashboard_sessions')
      .column('operator_id')
      .execute();
  },
};
