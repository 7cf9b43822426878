/**
 * Actions: a provider script's write for a connection, run synchronously or as a job, with
 * validated input and output, idempotency keys and at-most-once execution. See ./service.ts.
 */
export { type ActionJobs, actionHandlers, actionJobs, actionRunJob, actionSchedules } from './jobs.ts';
export { DEFAULT_ACTION_TIMEOUT_MS } from './perform.ts';
export { createActionsService } from './service.ts';
export type * from './types.ts';
