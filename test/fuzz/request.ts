/**
 * One fuzz request as generated: values the engine knows (ids of seeded rows, integration keys)
 * are symbolic `Known` picks, resolved when the request is sent, so that the pools can change
 * while the run goes on (a deleted target is replaced, a created row joins the pool).
 */

/** Who a request claims to be: a key of one environment, a connect session, nobody, or junk. */
export type Principal = 'dev' | 'prod' | 'session' | 'none' | { garbage: string };

/**
 * A value taken from a pool of the world when the request is sent: `pools[pool][index % size]`
 * (a negative index counts from the newest value).
 */
export class Known {
  readonly pool: string;
  readonly index: number;
  constructor(pool: string, index: number) {
    this.pool = pool;
    this.index = index;
  }
}

/** A piece of a URL or header: literal text (already encoded for its place) or a known value. */
export type Part = string | Known;

export type FuzzBody =
  | { kind: 'none' }
  /** A JSON value (may hold RawJson and Known leaves), encoded when sent. */
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; bytes: Buffer };

export interface FuzzRequest {
  /** What it exercises: an operationId or a route's name. */
  target: string;
  method: string;
  principal: Principal;
  /** Concatenated into the path; a Known is percent-encoded as one segment. */
  path: Part[];
  /** Query entries: names and literal values are already encoded; a Known is encoded when sent. */
  query: Array<[string, Part]>;
  headers: Array<[string, Part]>;
  body: FuzzBody;
  /** Sign the body as the fuzz webhook integration's sender would (at send time: it is timed). */
  sign?: boolean;
}

/** Whether a request may change stored data (anything but GET and HEAD). */
export function isMutating(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

/** Which categories of id pools a principal may send to an operation (see docs in world.ts). */
export function allowedCategories(principal: Principal, mutating: boolean): string[] {
  if (!mutating) return ['target', 'protected-dev', 'protected-prod'];
  // A protected row is only ever sent to a mutating operation by someone who must not reach it:
  // another environment's key, a session token, no key or junk.
  return [
    'target',
    ...(principal === 'dev' ? [] : ['protected-dev']),
    ...(principal === 'prod' ? [] : ['protected-prod']),
  ];
}
