import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock/index.ts';
import type { Store } from '../store/index.ts';

/**
 * The cross-process refresh lease of a connection (table `connection_locks`). A lease is held by
 * one owner token until it expires; only that owner renews or releases it, so a process whose
 * lease ran out (it stalled) cannot release the lease another process took over since.
 *
 * Atomicity comes from one statement on both dialects: an upsert on the primary key whose update
 * only applies when the existing lease has expired. PostgreSQL re-checks the condition against
 * the row it locks on conflict; SQLite runs one writer at a time.
 */
export interface LeaseLock {
  /** A fresh owner token: one per acquisition, never shared between processes or attempts. */
  newOwner(): string;
  /** Takes the lease when it is free or expired (or already `owner`'s); true when `owner` holds it now. */
  acquire(connectionId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Pushes the expiry to now + ttlMs; false when `owner` no longer holds the lease. */
  renew(connectionId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up; false when `owner` did not hold it (it expired and someone took it). */
  release(connectionId: string, owner: string): Promise<boolean>;
  /** Who holds the lease and until when (expired leases included), for diagnostics and tests. */
  holder(connectionId: string): Promise<{ owner: string; expiresAt: number } | undefined>;
}

export function createLeaseLock(store: Store, deps: { clock: Clock }): LeaseLock {
  const { db } = store;
  const { clock } = deps;
  return {
    newOwner: () => randomUUID(),

    async acquire(connectionId, owner, ttlMs) {
      const now = clock.now();
      const row = await db
        .insertInto('connection_locks')
        .values({ connection_id: connectionId, owner, expires_at: now + ttlMs })
        .onConflict((conflict) =>
          conflict
            .column('connection_id')
            .doUpdateSet((eb) => ({
              owner: eb.ref('excluded.owner'),
              expires_at: eb.ref('excluded.expires_at'),
            }))
            .where((eb) =>
              eb.or([
                eb('connection_locks.expires_at', '<=', now),
                eb('connection_locks.owner', '=', eb.ref('excluded.owner')),
              ]),
            ),
        )
        .returning('owner')
        .executeTakeFirst();
      // No row back: the conflicting lease is live and someone else's, nothing was written.
      return row?.owner === owner;
    },

    async renew(connectionId, owner, ttlMs) {
      const result = await db
        .updateTable('connection_locks')
        .set({ expires_at: clock.now() + ttlMs })
        .where('connection_id', '=', connectionId)
        .where('owner', '=', owner)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async release(connectionId, owner) {
      const result = await db
        .deleteFrom('connection_locks')
        .where('connection_id', '=', connectionId)
        .where('owner', '=', owner)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async holder(connectionId) {
      const row = await db
        .selectFrom('connection_locks')
        .select(['owner', 'expires_at'])
        .where('connection_id', '=', connectionId)
        .executeTakeFirst();
      return row && { owner: row.owner, expiresAt: Number(row.expires_at) };
    },
  };
}
