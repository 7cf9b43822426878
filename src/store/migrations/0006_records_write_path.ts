import { sql } from 'kysely';
import type { Migration } from '../migration.ts';

/**
 * The records write path at sync volume.
 *
 * 1. `records` loses its foreign key to `connections`. The key was checked for every record
 *    written — on PostgreSQL a trigger running a locking lookup per row, about 4 µs of the
 *    server's 13 µs per inserted record (measured on 200,000 records). A sync batch already
 *    proves its connection once: its transaction fences the run lock on `sync_schedules`, whose
 *    row goes with the connection (cascade), so a batch after a connection's deletion fails
 *    with `sync_lock_lost`, and a deletion waits for a batch holding that row. The connection's
 *    deletion removes its records itself (connections service, same transaction).
 * 2. `records_seen`: a full sync with delete detection used to mark every unchanged record
 *    with the run's id, rewriting a million rows to learn which are gone (on PostgreSQL each a
 *    new row version plus index entries: 17 µs of server time per record against 5 µs for only
 *    reading the hashes). Now each batch stores the ids it saw unchanged as one row (a JSON
 *    array), written in the batch's transaction; the run's end compares against them once and
 *    deletes them.
 *
 * SQLite cannot drop a foreign key in place: the table is rebuilt (new table, copy, swap).
 */
export const recordsWritePath: Migration = {
  version: 6,
  name: 'records_write_path',
  async up(db, { dialect, types }) {
    if (dialect === 'postgres') {
      await sql`alter table records drop constraint if exists records_connection_id_fkey`.execute(db);
    } else {
      await db.schema
        .createTable('records_next')
        .addColumn('connection_id', 'text', (c) => c.notNull())
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
      await sql`insert into records_next (connection_id, model, external_id, environment_id, payload, hash, first_seen_at, modified_at, deleted_at, last_run_id)
        select connection_id, model, external_id, environment_id, payload, hash, first_seen_at, modified_at, deleted_at, last_run_id from records`.execute(
        db,
      );
      await db.schema.dropTable('records').execute();
      await sql`alter table records_next rename to records`.execute(db);
      // The records API's stable cursor: modified_at, then external_id (as in 0005).
      await db.schema
        .createIndex('records_modified')
        .on('records')
        .columns(['connection_id', 'model', 'modified_at', 'external_id'])
        .execute();
    }

    await db.schema
      .createTable('records_seen')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('connection_id', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('environment_id', 'text', (c) => c.notNull())
      // A JSON array of external ids.
      .addColumn('ids', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('records_seen_run')
      .on('records_seen')
      .columns(['run_id', 'connection_id', 'model'])
      .execute();
    // The connection's deletion clears its rows.
    await db.schema
      .createIndex('records_seen_connection')
      .on('records_seen')
      .column('connection_id')
      .execute();
  },
};
