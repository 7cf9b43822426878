/**
 * Durable jobs: a typed catalog, a driver interface (JobQueue) with the SQL driver for SQLite and
 * PostgreSQL, a worker, and a scheduler loop for cron schedules and crashed workers' leases.
 * See docs/queue.md.
 */
export {
  type CatalogOf,
  createCatalog,
  defineJob,
  type JobCatalog,
  type JobDefinition,
  type JobName,
  type JobSpec,
  type PayloadInput,
  type PayloadOf,
} from './catalog.ts';
export { nextCronRun } from './cron.ts';
export { type QueueDepth, queueDepth } from './depth.ts';
export {
  createJobs,
  type EnqueueOptions,
  type JobRequest,
  type Jobs,
  type TypedScheduleSpec,
} from './jobs.ts';
export {
  type BackoffPolicy,
  backoffDelay,
  DEFAULT_RETRY,
  type RandomSource,
  type RetryPolicy,
} from './retry.ts';
export { createScheduler, type Scheduler, type SchedulerOptions, type TickReport } from './scheduler.ts';
export { createSqlQueue, type SqlJobQueue, type SqlQueueOptions } from './sql/queue.ts';
export type * from './types.ts';
export {
  createWorker,
  JOB_COMPLETED,
  type JobContext,
  type JobHandler,
  type JobHandlers,
  type StopReport,
  type Worker,
  type WorkerEvent,
  type WorkerOptions,
} from './worker.ts';
