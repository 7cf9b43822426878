import {
  definitionOf,
  type JobCatalog,
  type JobDefinition,
  type JobName,
  type PayloadInput,
  parsePayload,
} from './catalog.ts';
import type { EnqueuedJob, JobQueue, NewJob, ScheduleInfo } from './types.ts';

/** Per-call options of a typed enqueue; retry policy and default priority come from the catalog. */
export interface EnqueueOptions {
  environmentId?: string | null;
  priority?: number;
  runAt?: number;
  delayMs?: number;
  dedupeKey?: string;
}

/** One entry of enqueueMany, typed per job name. */
export type JobRequest<C extends JobCatalog> = {
  [N in JobName<C>]: { name: N; payload: PayloadInput<C, N>; options?: EnqueueOptions };
}[JobName<C>];

export interface TypedScheduleSpec<C extends JobCatalog, N extends JobName<C>> {
  name: string;
  cron: string;
  timezone?: string;
  job: N;
  payload: PayloadInput<C, N>;
  environmentId?: string | null;
  priority?: number;
  enabled?: boolean;
}

/** The typed face of a queue: enqueue and schedule the jobs of one catalog, payloads validated. */
export interface Jobs<C extends JobCatalog> {
  readonly queue: JobQueue;
  readonly catalog: C;
  /** Throws `unknown_job` or `job_payload_invalid` (with the failing paths in details). */
  enqueue<N extends JobName<C>>(
    name: N,
    payload: PayloadInput<C, N>,
    options?: EnqueueOptions,
  ): Promise<EnqueuedJob>;
  /** All validated first, then enqueued in one transaction; results in input order. */
  enqueueMany(requests: readonly JobRequest<C>[]): Promise<EnqueuedJob[]>;
  /** Creates or updates a cron schedule of a catalog job (payload validated now). */
  schedule<N extends JobName<C>>(spec: TypedScheduleSpec<C, N>): Promise<ScheduleInfo>;
}

/**
 * Binds a queue to a job catalog.
 *
 * @example
 * const jobs = createJobs(queue, catalog);
 * await jobs.enqueue('sync.run', { connectionId, model: 'orders' }, { dedupeKey: connectionId });
 */
export function createJobs<C extends JobCatalog>(queue: JobQueue, catalog: C): Jobs<C> {
  const toNewJob = (name: string, payload: unknown, options: EnqueueOptions = {}): NewJob => {
    const definition = definitionOf(catalog, name);
    parsePayload(definition, payload);
    return { ...retryOf(definition), priority: definition.priority, ...options, name, payload };
  };
  return {
    queue,
    catalog,
    async enqueue(name, payload, options) {
      return queue.enqueue(toNewJob(name, payload, options));
    },
    async enqueueMany(requests) {
      return queue.enqueueMany(requests.map((r) => toNewJob(r.name, r.payload, r.options)));
    },
    async schedule(spec) {
      const definition = definitionOf(catalog, spec.job);
      parsePayload(definition, spec.payload);
      return queue.upsertSchedule({
        name: spec.name,
        cron: spec.cron,
        ...(spec.timezone === undefined ? {} : { timezone: spec.timezone }),
        job: spec.job,
        payload: spec.payload,
        environmentId: spec.environmentId ?? null,
        options: { ...retryOf(definition), priority: spec.priority ?? definition.priority },
        ...(spec.enabled === undefined ? {} : { enabled: spec.enabled }),
      });
    },
  };
}

function retryOf(definition: JobDefinition): Pick<NewJob, 'maxAttempts' | 'backoff'> {
  return { maxAttempts: definition.retry.attempts, backoff: definition.retry.backoff };
}
