/**
 * The run lock of a (connection, sync), kept on its schedule row: at most one run at a time across
 * all processes. The queue's dedupe key already keeps one job per (connection, sync); the lock
 * adds fencing for the case the queue cannot see — a worker that stalled past its lease while
 * another took the job over. Every write of a run (records, checkpoint, counts) goes through
 * `fence`, which fails once the lock has passed to another owner, so a stalled worker cannot write
 * after its successor started.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { PatchbayError } from '../errors/index.ts';
import type { Database } from '../store/index.ts';

export interface RunLockKey {
  connectionId: string;
  syncName: string;
}

export interface RunLock {
  newOwner(): string;
  /**
   * Takes the lock for `runId` when it is free, expired, or already this run's (a resumed attempt
   * may take over its own run's lock once the previous holder's lease has expired).
   * Returns the expiry of the current holder when someone else holds it.
   */
  acquire(
    key: RunLockKey,
    runId: string,
    owner: string,
    ttlMs: number,
  ): Promise<{ acquired: true } | { acquired: false; until: number }>;
  /**
   * Inside a run's write transaction: renews the lease and fails with `sync_lock_lost` when
   * `owner` no longer holds it (the transaction then rolls back).
   */
  fence(
    trx: Kysely<Database>,
    key: RunLockKey,
    owner: string,
    ttlMs: number,
    extra?: { checkpoint?: string | null },
  ): Promise<void>;
  /** Gives the lock up (only the owner can). */
  release(trx: Kysely<Database>, key: RunLockKey, owner: string): Promise<boolean>;
}

export function createRunLock(deps: { db: Kysely<Database>; clock: Clock }): RunLock {
  const { db, clock } = deps;
  return {
    newOwner: () => randomUUID(),

    async acquire(key, runId, owner, ttlMs) {
      const now = clock.now();
      const result = await db
        .updateTable('sync_schedules')
        .set({ running_run_id: runId, run_owner: owner, run_lease_until: now + ttlMs, updated_at: now })
        .where('connection_id', '=', key.connectionId)
        .where('sync_name', '=', key.syncName)
        .where((eb) =>
          eb.or([
            eb('running_run_id', 'is', null),
            eb('run_lease_until', '<', now),
            eb.and([eb('running_run_id', '=', runId), eb('run_owner', '=', owner)]),
          ]),
        )
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return { acquired: true };
      const row = await db
        .selectFrom('sync_schedules')
        .select(['run_lease_until'])
        .where('connection_id', '=', key.connectionId)
        .where('sync_name', '=', key.syncName)
        .executeTakeFirst();
      if (!row) {
        throw new PatchbayError(
          'not_found',
          `No schedule for sync "${key.syncName}" of connection ${key.connectionId}`,
        );
      }
      return { acquired: false, until: row.run_lease_until ?? now };
    },

    async fence(trx, key, owner, ttlMs, extra = {}) {
      const now = clock.now();
      const result = await trx
        .updateTable('sync_schedules')
        .set({
          run_lease_until: now + ttlMs,
          updated_at: now,
          ...(extra.checkpoint === undefined
            ? {}
            : { checkpoint: extra.checkpoint, checkpoint_updated_at: now }),
        })
        .where('connection_id', '=', key.connectionId)
        .where('sync_name', '=', key.syncName)
        .where('run_owner', '=', owner)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) {
        throw new PatchbayError(
          'sync_lock_lost',
          `The run lock of sync "${key.syncName}" for connection ${key.connectionId} passed to another worker; this attempt stops without writing`,
        );
      }
    },

    async release(trx, key, owner) {
      const result = await trx
        .updateTable('sync_schedules')
        .set({ running_run_id: null, run_owner: null, run_lease_until: null, updated_at: clock.now() })
        .where('connection_id', '=', key.connectionId)
        .where('sync_name', '=', key.syncName)
        .where('run_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
