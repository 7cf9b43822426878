import type { z } from 'zod';
import type { ErrorCode } from '../../errors/index.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * `apiKey`: needs `Authorization: Bearer pb_sk_…`, or the dashboard's session cookie (CSRF token
 * required on writes); `connectSession`: needs a connect session token, `Authorization: Bearer
 * pb_cst_…` (the connect page's API); `dashboardSession`: the dashboard's session cookie only (its
 * own session routes); `none`: public (health, readiness).
 */
export type AuthMode = 'apiKey' | 'connectSession' | 'dashboardSession' | 'none';

/**
 * One HTTP operation of the API, as data: the server registers its route from it (validation,
 * serialization, OpenAPI) and the SDK derives its request and response types from it, so a type
 * is never written twice.
 *
 * Schemas are codec-free (no transforms), so what a handler returns is exactly what travels on
 * the wire and what the SDK receives. Times are ISO 8601 strings.
 */
export interface Operation {
  /** The OpenAPI operationId, unique: `listApiKeys`. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Fastify-style path: `/v1/api-keys/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  /** OpenAPI tag grouping operations of one resource. */
  readonly tag: string;
  readonly auth: AuthMode;
  /** Path parameters; an id parameter made with idParam() is checked with parseId (400 invalid_id). */
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Status of a successful answer. */
  readonly status: 200 | 201 | 202 | 204;
  /**
   * A second success status with the same response schema, which the handler chooses by calling
   * `reply.code()` (e.g. 202 when it queued the work instead of doing it).
   */
  readonly alternateStatus?: 201 | 202;
  readonly response: z.ZodType;
  /**
   * Error codes specific to this operation, for the OpenAPI document. Codes every operation can
   * answer (auth, rate limit, validation, malformed body, internal error) are added automatically.
   */
  readonly errors: readonly ErrorCode[];
}

/** Declares an operation, keeping its literal types for handlers and the SDK. */
export function defineOperation<const O extends Operation>(operation: O): O {
  return operation;
}

type OutputOf<S> = S extends z.ZodType ? z.output<S> : undefined;
type InputOf<S> = S extends z.ZodType ? z.input<S> : undefined;

/** Path parameters a handler receives. */
export type ParamsOf<O extends Operation> = OutputOf<O['params']>;
/** Query a handler receives. */
export type QueryOf<O extends Operation> = OutputOf<O['query']>;
/** Body a handler receives (after validation). */
export type BodyOf<O extends Operation> = OutputOf<O['body']>;
/** What a handler returns and a client receives. */
export type ResponseOf<O extends Operation> = z.output<O['response']>;

/** What a client sends: only the parts the operation has. */
export type RequestOf<O extends Operation> = (O['params'] extends z.ZodType
  ? { params: InputOf<O['params']> }
  : { params?: undefined }) &
  (O['query'] extends z.ZodType ? { query?: InputOf<O['query']> } : { query?: undefined }) &
  (O['body'] extends z.ZodType ? { body: InputOf<O['body']> } : { body?: undefined });
