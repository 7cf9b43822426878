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
