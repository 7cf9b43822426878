import type { Clock } from '../clock/index.ts';
import type { Logger } from '../logger/index.ts';
import type { JobHandlers, JobQueue } from '../queue/index.ts';
import type { EngineJobs } from './jobs.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Handlers of the engine's own housekeeping jobs. */
export function maintenanceHandlers(deps: {
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
}): JobHandlers<EngineJobs> {
  return {
    'maintenance.purge-dead-jobs': async ({ retentionDays }) => {
      const purged = await deps.queue.purgeDead(deps.clock.now() - retentionDays * DAY_MS);
      if (purged > 0) deps.logger.info({ purged, retentionDays }, 'purged dead jobs past retention');
    },
  };
}
