/**
 * The actions service's contract: an action run (one call of a provider script's write) and the
 * operations on it. Its dependencies are injected (./service.ts) so it does not depend on how the
 * engine finds scripts, builds their proxy or stores field mappings.
 */
import type { Clock } from '../clock/index.ts';
import type { ConnectionsService } from '../connections/types.ts';
import type { IdFactory } from '../ids/index.ts';
import type { Logger } from '../logger/index.ts';
import type { JobQueue, TransactionalQueue } from '../queue/index.ts';
import type { ActionContext, ActionDefinition } from '../scripting/types.ts';
import type { ActionRunStatus, Store } from '../store/index.ts';

export type ActionMode = 'sync' | 'async';

/** Why a run failed: a stable code, a message for people (redacted, capped), structured details. */
export interface ActionRunError {
  code: string;
  message: string;
  details?: unknown;
}

/** One call of an action, as the service returns it. */
export interface ActionRun {
  id: string;
  environmentId: string;
  connectionId: string;
  action: string;
  mode: ActionMode;
  status: ActionRunStatus;
  /** The validated input (after field mapping). */
  input: unknown;
  /** The validated output; null until the run succeeded. */
  output: unknown;
  error: ActionRunError | null;
  idempotencyKey: string | null;
  /** Executions started: 0 while queued, 1 once running, more when a resumable run was executed again. */
  attempt: number;
  /** What the script last reported with `ctx.progress`, or null. */
  progress: { done: number; total: number | null; updatedAt: number } | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
}

export interface RunActionOptions {
  /** `sync`: run now and answer the finished run; `async`: store it queued and run it as a job. */
  mode: ActionMode;
  /** Same key and same request → the first run back; same key, other request → `idempotency_key_reused`. */
  idempotencyKey?: string | null;
}

export interface ListActionRunsFilter {
  connectionId?: string;
  action?: string;
  status?: ActionRunStatus;
  /** An action run id: results after it, oldest first. */
  after?: string;
  /** Default 50, at most 200. */
  limit?: number;
}

/** What `contextFor` is asked to build: the script context of one run. */
export interface ActionContextRequest {
  environmentId: string;
  connectionId: string;
  runId: string;
  idempotencyKey: string | null;
  /** Fires on timeout or when the job running the action stops. */
  signal: AbortSignal;
}

/** Maps a host's input to the action's fields (a connection's action field mapping). */
export type InputMapper = (input: unknown) => unknown;

export interface ActionsServiceOptions {
  store: Pick<Store, 'db'>;
  /** A queued run and its job commit together in one of the queue's transactions. */
  queue: JobQueue & TransactionalQueue;
  clock: Clock;
  logger: Logger;
  connections: Pick<ConnectionsService, 'get'>;
  /** The action `name` of `provider`; throws `action_not_found` when there is none. */
  resolveAction(provider: string, name: string): ActionDefinition | Promise<ActionDefinition>;
  /** The run's script context (proxy, paginate, log); the service adds `events` and `progress` itself. */
  contextFor(request: ActionContextRequest): Promise<Omit<ActionContext, 'events' | 'progress'>>;
  /** The connection's field mapping of the action, or null when it has none. */
  mapInput(environmentId: string, connectionId: string, actionName: string): Promise<InputMapper | null>;
  ids?: IdFactory;
  /** Time limit of actions that declare none. Default 60 s. */
  defaultTimeoutMs?: number;
  /** Shortest time between two progress writes of one run. Default 1 s. */
  progressIntervalMs?: number;
}

export interface ActionsService {
  /**
   * Runs `actionName` on a connection of the environment. Throws `not_found` (connection),
   * `action_not_found`, `connection_reauth_required` / `sync_unavailable` (connection not usable),
   * `json_too_deep` (input nested deeper than 64 levels), `mapping_invalid`, `action_input_invalid`
   * (details.issues with field paths; nothing stored) and `idempotency_key_reused`. A failure of
   * the call itself is not thrown: it is the run's `error`.
   */
  run(
    environmentId: string,
    connectionId: string,
    actionName: string,
    input: unknown,
    options: RunActionOptions,
  ): Promise<ActionRun>;
  /** A run of the environment; `not_found` otherwise. */
  get(environmentId: string, runId: string): Promise<ActionRun>;
  /** Runs of the environment, oldest first, with cursor paging. */
  list(
    environmentId: string,
    filter?: ListActionRunsFilter,
  ): Promise<{ data: ActionRun[]; nextAfter: string | null }>;
  /**
   * Executes a queued run (the `action.run` job). At most once: a run already `running` (its
   * worker died mid-call) is marked failed with `action_interrupted` instead of being called again
   * — unless its action is `resumable`, which is executed again as the next attempt (at most
   * MAX_ACTION_ATTEMPTS in all); a finished run is left alone.
   */
  execute(environmentId: string, runId: string, signal?: AbortSignal): Promise<ActionRun | null>;
  /**
   * Marks synchronous runs left `running` by a process that stopped (crash, kill) as failed with
   * `action_interrupted`, once they have run longer than their action's limit plus a grace
   * period; answers how many. Every environment: the `actions.sweep-abandoned` job calls it.
   */
  sweepAbandoned(): Promise<number>;
}
