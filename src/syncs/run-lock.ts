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
  tryAcquire(
    key: RunLockKey,
    runId: string,
    owner: string,
    ttlMs: number,
  ): Promise<{ acquired: true } | { acquired: false; until: number }>;
  /**
   * Takes the lock, waiting while another run holds it: woken as soon as a run of this process
   * releases it, else it looks again every `pollMs` (a release by another process) and when the
   * holder's lease runs out (a crashed holder). Fails with `sync_unavailable` after `maxWaitMs`.
   */
  acquire(
    key: RunLockKey,
    runId: string,
    owner: string,
    options: { ttlMs: number; maxWaitMs: number; signal: AbortSignal },
  ): Promise<void>;
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
  /**
   * Runs `work` and gives the lock up (only the owner can) in one transaction; once it has
   * committed, the runs of this process waiting for the lock wake. The only way to release, so
   * that no release leaves its waiters asleep.
   */
  releaseWith<T>(key: RunLockKey, owner: string, work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
}

export interface RunLockOptions {
  db: Kysely<Database>;
  clock: Clock;
  /**
   * How often a waiter looks again for a release by another process (releases in this process
   * wake it at once). Default 250 ms.
   */
  pollMs?: number;
}

const DEFAULT_POLL_MS = 250;

export function createRunLock(options: RunLockOptions): RunLock {
  const { db, clock } = options;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const waiters = new Map<string, Set<() => void>>();
  // Counts releases in this process, so one that lands between a failed try and the wait that
  // follows it is not slept through.
  let releases = 0;
  const slot = (key: RunLockKey) => `${key.connectionId}\u0000${key.syncName}`;

  /** Resolves after `ms`, when a run of this process releases `key`, or when `signal` aborts. */
  function waitForRelease(key: RunLockKey, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const name = slot(key);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        const set = waiters.get(name);
        set?.delete(done);
        if (set?.size === 0) waiters.delete(name);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      let set = waiters.get(name);
      if (!set) {
        set = new Set();
        waiters.set(name, set);
      }
      set.add(done);
    });
  }

  function wake(key: RunLockKey): void {
    releases += 1;
    for (const done of [...(waiters.get(slot(key)) ?? [])]) done();
  }

  const lock: RunLock = {
    newOwner: () => randomUUID(),

    async tryAcquire(key, runId, owner, ttlMs) {
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

    async acquire(key, runId, owner, { ttlMs, maxWaitMs, signal }) {
      // Elapsed waiting is a measurement: the monotonic clock. Lease expiry is the injected one's.
      const started = performance.now();
      for (;;) {
        signal.throwIfAborted();
        const seen = releases;
        const result = await lock.tryAcquire(key, runId, owner, ttlMs);
        if (result.acquired) return;
        const waited = performance.now() - started;
        if (waited >= maxWaitMs) {
          throw new PatchbayError(
            'sync_unavailable',
            `Sync "${key.syncName}" of connection ${key.connectionId} is running in another worker`,
          );
        }
        if (seen !== releases) continue;
        const untilExpiry = Math.max(0, result.until - clock.now()) + 1;
        await waitForRelease(key, Math.min(pollMs, untilExpiry, maxWaitMs - waited), signal);
      }
    },

    async releaseWith(key, owner, work) {
      try {
        return await db.transaction().execute(async (trx) => {
          const result = await work(trx);
          await trx
            .updateTable('sync_schedules')
            .set({ running_run_id: null, run_owner: null, run_lease_until: null, updated_at: clock.now() })
            .where('connection_id', '=', key.connectionId)
            .where('sync_name', '=', key.syncName)
            .where('run_owner', '=', owner)
            .execute();
          return result;
        });
      } finally {
        // Also after a rollback: a woken waiter only looks again.
        wake(key);
      }
    },
  };
  return lock;
}
