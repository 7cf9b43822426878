import type { Clock } from '../clock/index.ts';
import type { Logger } from '../logger/index.ts';
import type { JobHandlers, JobQueue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import type { EngineJobs } from './jobs.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Handlers of the engine's own housekeeping jobs. */
export function maintenanceHandlers(deps: {
  queue: JobQueue;
  store: Pick<Store, 'db'>;
  clock: Clock;
  logger: Logger;
}): Pick<JobHandlers<EngineJobs>, 'maintenance.purge-dead-jobs' | 'maintenance.purge-expired-connect-state'> {
  return {
    'maintenance.purge-expired-connect-state': async ({ graceMinutes }) => {
      const before = deps.clock.now() - graceMinutes * 60_000;
      const states = await deps.store.db
        .deleteFrom('oauth_states')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      const sessions = await deps.store.db
        .deleteFrom('connect_sessions')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      const purged = { states: Number(states.numDeletedRows), sessions: Number(sessions.numDeletedRows) };
      if (purged.states + purged.sessions > 0) deps.logger.info(purged, 'purged expired connect state');
    },
    'maintenance.purge-dead-jobs': async ({ retentionDays }) => {
      const purged = await deps.queue.purgeDead(deps.clock.now() - retentionDays * DAY_MS);
      if (purged > 0) deps.logger.info({ purged, retentionDays }, 'purged dead jobs past retention');
    },
  };
}
