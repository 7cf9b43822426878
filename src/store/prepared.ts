/**
 * Queries on hot paths (API key authentication, a proxied call's connection load) whose SQL never
 * changes: building and compiling them with Kysely costs more than running them on SQLite, so
 * they are compiled once with named markers where the values go, and each run binds its own.
 */
import { type CompiledQuery, createQueryId } from 'kysely';

/** A marker value for `prepare`: put it where a run's value goes, e.g. `where('id', '=', marker('id'))`. */
export function marker(name: string): string {
  return `\u0000${name}`;
}

/** A marker where a non-text value goes (markers are text; each run binds the real value). */
export function valueMarker(name: string): never {
  return marker(name) as never;
}

/** Markers `<prefix>0` … `<prefix>{count-1}`, for an `in (…)` list of a fixed length. */
export function markerList(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => marker(`${prefix}${index}`));
}

/** Sets `values[<prefix><i>]` to each item of `list`: the run's values of a `markerList`. */
export function bindList(values: Record<string, unknown>, prefix: string, list: readonly unknown[]): void {
  list.forEach((item, index) => {
    values[`${prefix}${index}`] = item;
  });
}

/**
 * Returns a function that binds `values` (by marker name) into `query`; parameters that are not
 * markers keep their compiled value.
 */
export function prepare<R>(
  query: CompiledQuery<R>,
): (values: Readonly<Record<string, unknown>>) => CompiledQuery<R> {
  // Where the markers are, found once: a run copies the compiled parameters and fills those.
  const slots: Array<{ index: number; name: string }> = [];
  query.parameters.forEach((value, index) => {
    if (typeof value === 'string' && value.startsWith('\u0000')) slots.push({ index, name: value.slice(1) });
  });
  const compiled = query.parameters;
  return (values) => {
    const parameters = compiled.slice();
    for (const { index, name } of slots) if (name in values) parameters[index] = values[name];
    return { query: query.query, sql: query.sql, queryId: createQueryId(), parameters };
  };
}

/** A prepared query: binds a run's values by marker name. */
export type PreparedQuery<R> = (values: Readonly<Record<string, unknown>>) => CompiledQuery<R>;

// Per dialect (the query compiler's class), per caller's shape key.
const preparedByDialect = new WeakMap<object, Map<string, PreparedQuery<unknown>>>();

/**
 * `prepare(compile())`, compiled once per dialect of `db` and `key` (the query's shape, e.g.
 * `claim:3` for a claim of three job names), and reused by every later call with that key.
 */
export function preparedOnce<R>(
  db: { getExecutor(): { adapter: object } },
  key: string,
  compile: () => CompiledQuery<R>,
): PreparedQuery<R> {
  const dialect = db.getExecutor().adapter.constructor;
  let byKey = preparedByDialect.get(dialect);
  if (!byKey) {
    byKey = new Map();
    preparedByDialect.set(dialect, byKey);
  }
  let query = byKey.get(key) as PreparedQuery<R> | undefined;
  if (!query) {
    query = prepare(compile());
    byKey.set(key, query as PreparedQuery<unknown>);
  }
  return query;
}
