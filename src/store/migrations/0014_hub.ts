import type { Migration } from '../migration.ts';

/**
 * The integrations hub: a hub session is a connect session with the purpose `hub` and its display
 * options (theme, colour scheme, locale, texts) as JSON; `hub_settings` holds what an
 * environment's hub shows besides its integrations (providers listed as coming soon, whether end
 * users may edit their field mappings).
 */
export const hub: Migration = {
  version: 14,
  name: 'hub',
  async up(db, { types }) {
    await db.schema
      .alterTable('connect_sessions')
      .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('connect'))
      .execute();
    await db.schema.alterTable('connect_sessions').addColumn('options', 'text').execute();
    await db.schema
      .createTable('hub_settings')
      .addColumn('environment_id', 'text', (c) => c.primaryKey().references('environments.id'))
      .addColumn('coming_soon', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('editable_mappings', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .execute();
  },
};
