import type { z } from 'zod';
import { PatchbayError } from '../errors/index.ts';
import { type BackoffPolicy, DEFAULT_RETRY, type RetryPolicy, retryPolicySchema } from './retry.ts';

/** One kind of job: its name, payload schema, retry policy and time limit. */
export interface JobDefinition<Name extends string = string, Schema extends z.ZodType = z.ZodType> {
  readonly name: Name;
  /** Validates the payload at enqueue and again, parsing it, before the handler runs. */
  readonly payload: Schema;
  readonly retry: RetryPolicy;
  /** The handler's time limit: its AbortSignal fires and the attempt counts as failed. */
  readonly timeoutMs: number;
  /** Default priority of this job (lower runs first). */
  readonly priority: number;
}

export interface JobSpec<Name extends string, Schema extends z.ZodType> {
  name: Name;
  payload: Schema;
  /** Default: 5 attempts, 1 s doubling to at most 1 h, 20 % jitter. */
  retry?: { attempts?: number; backoff?: Partial<BackoffPolicy> };
  /** Default 5 minutes. */
  timeoutMs?: number;
  priority?: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/**
 * Declares a job. The payload schema must be synchronous (no async refinements) and describe
 * JSON: payloads are stored as JSON text.
 *
 * @example
 * const syncRun = defineJob({
 *   name: 'sync.run',
 *   payload: z.object({ connectionId: z.string(), model: z.string() }),
 *   retry: { attempts: 3, backoff: { initialMs: 30_000 } },
 *   timeoutMs: 10 * 60_000,
 * });
 */
export function defineJob<const Name extends string, Schema extends z.ZodType>(
  spec: JobSpec<Name, Schema>,
): JobDefinition<Name, Schema> {
  const retry = retryPolicySchema.safeParse({
    attempts: spec.retry?.attempts ?? DEFAULT_RETRY.attempts,
    backoff: { ...DEFAULT_RETRY.backoff, ...spec.retry?.backoff },
  });
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!retry.success || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || !spec.name) {
    throw new PatchbayError('config_invalid', `Job definition "${spec.name}" is invalid`, {
      details: retry.success ? { timeoutMs } : { issues: retry.error.issues.map((i) => i.message) },
    });
  }
  return Object.freeze({
    name: spec.name,
    payload: spec.payload,
    retry: retry.data,
    timeoutMs,
    priority: spec.priority ?? 0,
  });
}

/** Definitions keyed by name. */
export type JobCatalog = { readonly [name: string]: JobDefinition };

/** The catalog of a list of definitions, typed so each name maps to its own definition. */
export type CatalogOf<Defs extends readonly JobDefinition[]> = {
  readonly [D in Defs[number] as D['name']]: D;
};

/** Builds the catalog from definitions; a name defined twice is a start-up error. */
export function createCatalog<const Defs extends readonly JobDefinition[]>(
  definitions: Defs,
): CatalogOf<Defs> {
  const catalog: Record<string, JobDefinition> = {};
  for (const definition of definitions) {
    if (catalog[definition.name]) {
      throw new PatchbayError('config_invalid', `Job "${definition.name}" is defined twice`);
    }
    catalog[definition.name] = definition;
  }
  return Object.freeze(catalog) as CatalogOf<Defs>;
}

export type JobName<C extends JobCatalog> = Extract<keyof C, string>;
/** What enqueue accepts for job N (the schema's input type). */
export type PayloadInput<C extends JobCatalog, N extends JobName<C>> = z.input<C[N]['payload']>;
/** What the handler of job N receives (the schema's output type). */
export type PayloadOf<C extends JobCatalog, N extends JobName<C>> = z.output<C[N]['payload']>;

/** Looks a job up by name, throwing `unknown_job` (names come from callers and stored rows). */
export function definitionOf(catalog: JobCatalog, name: string): JobDefinition {
  const definition = Object.hasOwn(catalog, name) ? catalog[name] : undefined;
  if (!definition) {
    throw new PatchbayError('unknown_job', `There is no job named "${name}"`, {
      details: { name, known: Object.keys(catalog) },
    });
  }
  return definition;
}

/** Validates a payload against its job's schema; throws `job_payload_invalid` with the failing paths. */
export function parsePayload(definition: JobDefinition, payload: unknown): unknown {
  const parsed = definition.payload.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new PatchbayError(
    'job_payload_invalid',
    `Invalid payload for job "${definition.name}": ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    { details: { job: definition.name, issues } },
  );
}
