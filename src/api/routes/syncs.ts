import type { SyncRun } from '../../syncs/runs.ts';
import type { SyncSchedule } from '../../syncs/schedules.ts';
import type { SyncsService } from '../../syncs/service.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import type { ResponseOf } from '../contract/index.ts';
import { getSyncRun, listConnectionSyncs, listSyncRuns, triggerSync, updateSync } from '../contract/syncs.ts';
import { type RouteModule, route } from '../core/routes.ts';

const DEFAULT_LIMIT = 50;

/** `/v1/connections/:id/syncs` and `/v1/sync-runs`: schedules, triggers and the run log. */
export function syncRoutes(syncs: SyncsService): RouteModule {
  return {
    name: 'syncs',
    routes: [
      route(listConnectionSyncs, async ({ auth, params }) => ({
        data: (await syncs.list(auth.environment.id, params.id)).map((sync) => ({
          ...sync,
          schedule: sync.schedule ? presentSchedule(sync.schedule) : null,
        })),
      })),
      route(triggerSync, async ({ auth, params, body }) =>
        syncs.trigger(auth.environment.id, params.id, params.sync, body?.mode ? { mode: body.mode } : {}),
      ),
      route(updateSync, async ({ auth, params, body }) =>
        presentSchedule(
          await syncs.update(auth.environment.id, params.id, params.sync, {
            ...(body.paused === undefined ? {} : { paused: body.paused }),
            ...(body.frequency === undefined ? {} : { frequency: body.frequency }),
          }),
        ),
      ),
      route(listSyncRuns, async ({ auth, query }) => {
        const page = await syncs.listRuns(auth.environment.id, {
          ...(query.connectionId === undefined ? {} : { connectionId: query.connectionId }),
          ...(query.sync === undefined ? {} : { sync: query.sync }),
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.after === undefined ? {} : { after: query.after }),
          limit: query.limit ?? DEFAULT_LIMIT,
        });
        return { data: page.data.map(presentRun), nextAfter: page.nextAfter };
      }),
      route(getSyncRun, async ({ auth, params }) =>
        presentRun(await syncs.getRun(auth.environment.id, params.id)),
      ),
    ],
  };
}

export function presentRun(run: SyncRun): ResponseOf<typeof getSyncRun> {
  return {
    id: run.id,
    connectionId: run.connectionId,
    sync: run.sync,
    trigger: run.trigger,
    mode: run.mode,
    status: run.status,
    attempt: run.attempt,
    added: run.added,
    updated: run.updated,
    deleted: run.deleted,
    unchanged: run.unchanged,
    pages: run.pages,
    rejected: run.rejected,
    error: run.error,
    details: run.details,
    createdAt: isoTime(run.createdAt),
    startedAt: isoTimeOrNull(run.startedAt),
    finishedAt: isoTimeOrNull(run.finishedAt),
    durationMs: run.durationMs,
  };
}

function presentSchedule(schedule: SyncSchedule): ResponseOf<typeof updateSync> {
  return {
    frequencySeconds: Math.round(schedule.frequencyMs / 1000),
    paused: schedule.paused,
    nextRunAt: schedule.paused ? null : isoTimeOrNull(schedule.nextRunAt),
    lastRunId: schedule.lastRunId,
    lastSuccessAt: isoTimeOrNull(schedule.lastSuccessAt),
    runningRunId: schedule.runningRunId,
    hasCheckpoint: schedule.checkpoint !== null,
  };
}
