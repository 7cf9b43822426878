import type { ActionRun, ActionsService } from '../../actions/types.ts';
import { PatchbayError } from '../../errors/index.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import { getActionRun, listActionRuns, runAction } from '../contract/actions.ts';
import type { ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** Actions on connections and the action-run log of the calling key's environment. */
export function actionRoutes(actions: ActionsService): RouteModule {
  return {
    name: 'actions',
    routes: [
      route(runAction, async ({ auth, params, body, request, reply }) => {
        const idempotencyKey = idempotencyKeyOf(request.headers['idempotency-key'], body.idempotencyKey);
        const mode = body.async === true ? 'async' : 'sync';
        const run = await actions.run(auth.environment.id, params.id, params.action, body.input, {
          mode,
          idempotencyKey,
        });
        // 202 while the work is still to be done (queued, or a replayed run not finished yet).
        if (mode === 'async') reply.code(202);
        return presentActionRun(run);
      }),
      route(getActionRun, async ({ auth, params }) =>
        presentActionRun(await actions.get(auth.environment.id, params.id)),
      ),
      route(listActionRuns, async ({ auth, query }) => {
        const { data, nextAfter } = await actions.list(auth.environment.id, {
          ...(query.connectionId === undefined ? {} : { connectionId: query.connectionId }),
          ...(query.action === undefined ? {} : { action: query.action }),
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.after === undefined ? {} : { after: query.after }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
        });
        return { data: data.map(presentActionRun), nextAfter };
      }),
    ],
  };
}

/** The key from the header or the body; both may be given only when they agree. */
function idempotencyKeyOf(header: string | string[] | undefined, field: string | undefined): string | null {
  if (Array.isArray(header)) throw invalid('Idempotency-Key', 'send one Idempotency-Key header');
  if (header !== undefined && (header.length === 0 || header.length > 255)) {
    throw invalid('Idempotency-Key', 'the Idempotency-Key header must be 1 to 255 characters');
  }
  if (header !== undefined && field !== undefined && header !== field) {
    throw invalid(
      'idempotencyKey',
      'the Idempotency-Key header and the idempotencyKey field differ; send one',
    );
  }
  return header ?? field ?? null;
}

function invalid(path: string, message: string): PatchbayError {
  return new PatchbayError('validation_failed', message, { details: { issues: [{ path, message }] } });
}

/** An action run as the API shows it. */
export function presentActionRun(run: ActionRun): ResponseOf<typeof getActionRun> {
  return {
    id: run.id,
    connectionId: run.connectionId,
    action: run.action,
    mode: run.mode,
    status: run.status,
    input: run.input,
    output: run.output,
    error: run.error,
    idempotencyKey: run.idempotencyKey,
    attempt: run.attempt,
    progress:
      run.progress === null
        ? null
        : { done: run.progress.done, total: run.progress.total, updatedAt: isoTime(run.progress.updatedAt) },
    createdAt: isoTime(run.createdAt),
    startedAt: isoTimeOrNull(run.startedAt),
    finishedAt: isoTimeOrNull(run.finishedAt),
    durationMs: run.durationMs,
  };
}
