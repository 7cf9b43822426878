import { sql } from 'kysely';
import type { Migration } from '../migration.ts';

/**
 * Two `messages` indexes become partial, so the rows they can never serve stop costing an index
 * entry on every message written and every status change:
 * - `messages_due` holds only pending messages (the delivery sweep's two scans: overdue by
 *   `next_attempt_at`, parked with none). Succeeded and failed messages — nearly every row of a
 *   healthy table — leave it, and a message's final status update no longer moves an entry in it.
 *   Its columns are now `(next_attempt_at, id)`: the sweep pages in that order.
 * - `messages_idempotency` holds only messages created with an idempotency key (the API's; the
 *   dispatcher's fan-out has none).
 * A query uses a partial index only when its WHERE implies the index's: the sweep filters on
 * `status = 'pending'` (written as a literal, see sweep.ts), and the idempotency lookup's
 * `idempotency_key = ?` implies `is not null` on both databases.
 */
export const outboundPartialIndexes: Migration = {
  version: 8,
  name: 'outbound_partial_indexes',
  async up(db) {
    await db.schema.dropIndex('messages_due').execute();
    await db.schema
      .createIndex('messages_due')
      .on('messages')
      .columns(['next_attempt_at', 'id'])
      .where(sql.ref('status'), '=', 'pending')
      .execute();
    await db.schema.dropIndex('messages_idempotency').execute();
    await db.schema
      .createIndex('messages_idempotency')
      .on('messages')
      .columns(['environment_id', 'idempotency_key'])
      .where('idempotency_key', 'is not', null)
      .execute();
  },
};
