import { sql } from 'kysely';
import type { Migration } from '../migration.ts';

/** Environments, API keys, vault canaries, the durable job queue and cron schedules. */
export const foundation: Migration = {
  version: 1,
  name: 'foundation',
  async up(db, { types }) {
    await db.schema
      .createTable('environments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('last_used_at', types.time)
      .addColumn('revoked_at', types.time)
      .execute();
    await db.schema
      .createIndex('api_keys_environment')
      .on('api_keys')
      .columns(['environment_id', 'id'])
      .execute();

    await db.schema
      .createTable('vault_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('canary', 'text', (c) => c.notNull())
      .addColumn('created_at', types.time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('run_at', types.time, (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('backoff', 'text')
      .addColumn('dedupe_key', 'text')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', types.time)
      .addColumn('last_error', 'text')
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .execute();
    // The claim query: runnable jobs by priority, then due time, then id (FIFO). Reclaiming
    // expired leases uses its `state` prefix too: active jobs are few (at most the workers'
    // combined concurrency), so a separate lease index would only cost writes.
    await db.schema
      .createIndex('jobs_claim')
      .on('jobs')
      .columns(['state', 'priority', 'run_at', 'id'])
      .execute();
    // At most one pending (queued or active) job per (name, dedupe key).
    await db.schema
      .createIndex('jobs_dedupe')
      .on('jobs')
      .columns(['name', 'dedupe_key'])
      .unique()
      .where(sql<boolean>`dedupe_key is not null and state in ('queued', 'active')`)
      .execute();

    await db.schema
      .createTable('schedules')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'text')
      .addColumn('cron', 'text', (c) => c.notNull())
      .addColumn('timezone', 'text')
      .addColumn('job_name', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('next_run_at', types.time, (c) => c.notNull())
      .addColumn('last_run_at', types.time)
      .addColumn('created_at', types.time, (c) => c.notNull())
      .addColumn('updated_at', types.time, (c) => c.notNull())
      .execute();
    // The scheduler's tick: enabled schedules that are due.
    await db.schema
      .createIndex('schedules_due')
      .on('schedules')
      .columns(['enabled', 'next_run_at'])
      .execute();
  },
};
