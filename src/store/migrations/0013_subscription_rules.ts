import type { Migration } from '../migration.ts';

/**
 * Plan-from-subscription rules: per environment, how a billing integration's subscription
 * records set end users' plans. `definition` is the rule's JSON; `source` is `api` or `file`.
 */
export const subscriptionRules: Migration = {
  version: 13,
  name: 'subscription_rules',
  async up(db, { types }) {
    await db.schema
      .createTable('subscription_rules')
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('integration_key', 'text', (c) => c.notNull())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('subscription_rules_pk', ['environment_id', 'key'])
      .execute();
  },
};
