/**
 * Multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING id` statements compiled once per table,
 * dialect and row count, each run binding its rows' values. Group commit inserts a few rows per
 * transaction many thousands of times a second (new jobs, API-created messages), and building
 * and compiling those inserts with Kysely costs more than running them on SQLite.
 */
import { type CompiledQuery, createQueryId, type Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import { marker } from '../../store/prepared.ts';

/** Row counts above this are built by Kysely at each call (large batches are rare). */
const MAX_PREPARED_ROWS = 64;

type Table = 'jobs' | 'messages';

interface Template {
  compiled: CompiledQuery<{ id: string }>;
  /** For each parameter: [row, column] of the value it takes, or the compiled value itself. */
  slots: Array<{ row: number; column: string } | { value: unknown }>;
}

/** Per dialect adapter class, per table and column list, per row count. */
const templates = new WeakMap<object, Map<string, Template>>();

/**
 * Inserts `rows` (each with exactly the columns `columns`) skipping conflicting rows; returns the
 * ids of the rows inserted. Runs inside the caller's transaction.
 */
export async function insertIgnoringConflicts(
  trx: Kysely<Database>,
  table: Table,
  columns: readonly string[],
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
): Promise<string[]> {
  if (rows.length === 0) return [];
  if (rows.length > MAX_PREPARED_ROWS) {
    const returned = await trx
      .insertInto(table)
      .values(rows as never)
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .execute();
    return returned.map((row) => row.id);
  }
  const adapter = trx.getExecutor().adapter.constructor;
  let byShape = templates.get(adapter);
  if (!byShape) {
    byShape = new Map();
    templates.set(adapter, byShape);
  }
  const key = `${table}\u0000${columns.join(',')}\u0000${rows.length}`;
  let template = byShape.get(key);
  if (!template) {
    template = compileTemplate(trx, table, columns, rows.length);
    byShape.set(key, template);
  }
  const parameters = template.slots.map((slot) =>
    'row' in slot ? (rows[slot.row]![slot.column] ?? null) : slot.value,
  );
  const query: CompiledQuery<{ id: string }> = {
    ...template.compiled,
    queryId: createQueryId(),
    parameters,
  };
  const { rows: returned } = await trx.executeQuery(query);
  return returned.map((row) => row.id);
}

function compileTemplate(
  trx: Kysely<Database>,
  table: Table,
  columns: readonly string[],
  count: number,
): Template {
  const values = Array.from({ length: count }, (_, row) =>
    Object.fromEntries(columns.map((column) => [column, marker(`${row}\u0001${column}`)])),
  );
  const compiled = trx
    .insertInto(table)
    .values(values as never)
    .onConflict((conflict) => conflict.doNothing())
    .returning('id')
    .compile();
  return {
    compiled,
    slots: compiled.parameters.map((value) => {
      if (typeof value === 'string' && value.startsWith('\u0000')) {
        const [row, column] = value.slice(1).split('\u0001');
        return { row: Number(row), column: column! };
      }
      return { value };
    }),
  };
}
