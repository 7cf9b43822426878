export {
  type DialectName,
  type DialectSql,
  type JobClaim,
  postgresDialect,
  sqliteDialect,
} from './dialect.ts';
export type { Migration, MigrationContext, MigrationReport } from './migration.ts';
export { MIGRATIONS } from './migrations/index.ts';
export { openStore, redactUrl, type Store, type StoreOptions } from './open.ts';
export { marker, prepare } from './prepared.ts';
export type * from './schema.ts';
export type * from './schema-connect.ts';
export type * from './schema-inbound.ts';
export type * from './schema-notifications.ts';
export type * from './schema-operators.ts';
export type * from './schema-outbound.ts';
export type * from './schema-plans.ts';
export type * from './schema-syncs.ts';
export type * from './schema-webhook-subscriptions.ts';
