/**
 * The throttle and the unsubscriptions, both in the store so every process sees them.
 *
 * A throttle claim is one upsert on the (environment, subject, kind) key that only moves
 * `last_at` forward when the last email is older than the window: it returns the row when it
 * claimed and nothing otherwise. The database serializes the statement on that key, so of two
 * processes claiming at once exactly one wins, on SQLite and on PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

/** True when this caller may send: no email of `kind` about `subject` within `windowMs`. */
export async function claimThrottle(
  executor: Kysely<Database>,
  claim: { environmentId: string; subject: string; kind: string; now: number; windowMs: number },
): Promise<boolean> {
  if (claim.windowMs <= 0) return true;
  const row = await executor
    .insertInto('notification_throttle')
    .values({
      environment_id: claim.environmentId,
      subject: claim.subject,
      kind: claim.kind,
      last_at: claim.now,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['environment_id', 'subject', 'kind'])
        .doUpdateSet({ last_at: claim.now })
        .where('notification_throttle.last_at', '<=', claim.now - claim.windowMs),
    )
    .returning('last_at')
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether the end user unsubscribed from `kind`. */
export async function isUnsubscribed(
  executor: Kysely<Database>,
  environmentId: string,
  endUserId: string,
  kind: string,
): Promise<boolean> {
  const row = await executor
    .selectFrom('notification_unsubscribes')
    .select('kind')
    .where('environment_id', '=', environmentId)
    .where('end_user_id', '=', endUserId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return row !== undefined;
}

/** Records an unsubscription (again is a no-op). */
export async function unsubscribe(
  executor: Kysely<Database>,
  entry: { environmentId: string; endUserId: string; kind: string; now: number },
): Promise<void> {
  await executor
    .insertInto('notification_unsubscribes')
    .values({
      environment_id: entry.environmentId,
      end_user_id: entry.endUserId,
      kind: entry.kind,
      created_at: entry.now,
    })
    .onConflict((conflict) => conflict.columns(['environment_id', 'end_user_id', 'kind']).doNothing())
    .execute();
}
