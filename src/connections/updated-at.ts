import { sql } from 'kysely';

/**
 * The new `updated_at` of a connection row being written: `now`, or one more than the stored value
 * when the clock has not moved past it. A refresher compares it to tell whether someone wrote the
 * row meanwhile, so it must change on every write (tests, writes in the same millisecond).
 */
export const bumpUpdatedAt = (now: number) =>
  sql<number>`case when ${sql.ref('updated_at')} >= ${now} then ${sql.ref('updated_at')} + 1 else ${now} end`;
