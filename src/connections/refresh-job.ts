import { z } from 'zod';
import type { Clock } from '../clock/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { Logger } from '../logger/index.ts';
import type { RefreshCoordinator } from '../proxy/types.ts';
import { type CatalogOf, defineJob, type JobHandlers } from '../queue/index.ts';
import type { Store } from '../store/index.ts';

const JOB = 'connections.refresh-due';

/**
 * Refreshes tokens nearing expiry ahead of use, so a provider call rarely waits for a refresh.
 * One run covers every environment; a run that overlaps the next (thousands of due connections)
 * is harmless: the coordinator lets only one refresh per connection happen.
 */
export const refreshDueJob = defineJob({
  name: JOB,
  payload: z.object({}),
  // The next run is a minute away: retrying a failed run would only overlap it.
  retry: { attempts: 1 },
  timeoutMs: 5 * 60_000,
});

/** Catalog fragment for the engine's job catalog: `createCatalog([...others, ...refreshDueJobs])`. */
export const refreshDueJobs = [refreshDueJob] as const;

export type RefreshDueJobs = CatalogOf<typeof refreshDueJobs>;

/** Every minute: the engine's scheduler declares it with its other schedules. */
export const refreshDueSchedule = {
  name: JOB,
  cron: '* * * * *',
  job: JOB,
  payload: {},
} as const;

export interface RefreshDueOptions {
  store: Store;
  coordinator: RefreshCoordinator;
  clock: Clock;
  logger: Logger;
  /** The coordinator's refresh margin. Default 5 minutes. */
  marginMs?: number;
  /**
   * Connections whose token expires within this window are handed to the coordinator, which
   * refreshes those inside its margin. Default: the margin plus 2 minutes, so a token is looked
   * at in the runs before it enters the margin and refreshed in the first run after.
   */
  lookAheadMs?: number;
  /** Connections read per query. Default 200. */
  batchSize?: number;
  /** Refreshes in flight at once. Default 8. */
  concurrency?: number;
}

export interface RefreshDueReport {
  /** Connections found expiring within the window. */
  due: number;
  /** Those whose credentials were written during the run (by this run or a concurrent caller). */
  refreshed: number;
  failed: number;
}

/**
 * One pass over active connections expiring within the window, oldest expiry first, in batches
 * (keyset pages on expiry and id, so refreshed rows leaving the window do not shift the pages).
 * A failing connection is logged and counted; it does not stop the pass.
 */
export async function refreshDueConnections(
  options: RefreshDueOptions,
  signal?: AbortSignal,
): Promise<RefreshDueReport> {
  const { store, coordinator, logger } = options;
  const lookAheadMs = options.lookAheadMs ?? (options.marginMs ?? 5 * 60_000) + 2 * 60_000;
  const batchSize = options.batchSize ?? 200;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const horizon = options.clock.now() + lookAheadMs;
  const report: RefreshDueReport = { due: 0, refreshed: 0, failed: 0 };
  let after: { expiresAt: number; id: string } | undefined;

  while (!signal?.aborted) {
    const page = await store.db
      .selectFrom('connections')
      .select(['id', 'environment_id', 'expires_at', 'updated_at'])
      .where('status', '=', 'active')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', horizon)
      .$if(after !== undefined, (query) =>
        query.where((eb) =>
          eb.or([
            eb('expires_at', '>', after!.expiresAt),
            eb.and([eb('expires_at', '=', after!.expiresAt), eb('id', '>', after!.id)]),
          ]),
        ),
      )
      .orderBy('expires_at')
      .orderBy('id')
      .limit(batchSize)
      .execute();
    report.due += page.length;
    await eachLimited(page, concurrency, signal, async (row) => {
      try {
        const context = await coordinator.ensureFresh(row.environment_id, row.id);
        if (context.updatedAt !== Number(row.updated_at)) report.refreshed += 1;
      } catch (error) {
        report.failed += 1;
        // Codes and messages of PatchbayErrors are written for people and carry no secret.
        logger.warn(
          {
            environmentId: row.environment_id,
            connectionId: row.id,
            code: isPatchbayError(error) ? error.code : 'internal_error',
            reason: error instanceof Error ? error.message : String(error),
          },
          'scheduled token refresh failed',
        );
      }
    });
    const last = page.at(-1);
    if (!last || page.length < batchSize) break;
    after = { expiresAt: Number(last.expires_at), id: last.id };
  }
  return report;
}

/** The job's handler, for the engine's worker. */
export function refreshDueHandlers(options: RefreshDueOptions): JobHandlers<RefreshDueJobs> {
  return {
    [JOB]: async (_payload, { signal }) => {
      const report = await refreshDueConnections(options, signal);
      if (report.due > 0) options.logger.info(report, 'scheduled token refresh pass');
    },
  };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; stops starting new ones once aborted. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
