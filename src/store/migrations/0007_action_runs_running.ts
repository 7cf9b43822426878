import type { Migration } from '../migration.ts';

/**
 * The actions sweep (`actions.sweep-abandoned`, every minute) looks for synchronous runs left
 * `running` by a process that stopped: an index on (status, started_at) keeps that a short range
 * read however many finished runs the table holds.
 */
export const actionRunsRunning: Migration = {
  version: 7,
  name: 'action_runs_running',
  async up(db) {
    await db.schema
      .createIndex('action_runs_running')
      .on('action_runs')
      .columns(['status', 'started_at'])
      .execute();
  },
};
