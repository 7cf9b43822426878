import type { Migration } from '../migration.ts';

/**
 * How far a running action has come, as its script reports it (`ctx.progress`): a long action
 * (an invoice rollup of hundreds of buyers) shows `done` of `total` while it runs. Written at
 * most about once a second per run, and with the run's outcome. Version 10: 9 is taken by the
 * webhook subscriptions of the same release.
 */
export const actionRunProgress: Migration = {
  version: 10,
  name: 'action_run_progress',
  async up(db, context) {
    await db.schema.alterTable('action_runs').addColumn('progress_done', 'integer').execute();
    await db.schema.alterTable('action_runs').addColumn('progress_total', 'integer').execute();
    await db.schema.alterTable('action_runs').addColumn('progress_updated_at', context.types.time).execute();
  },
};
