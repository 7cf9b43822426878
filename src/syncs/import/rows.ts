import type { z } from 'zod';
import type { Header } from './header.ts';
import { text } from './header.ts';
import type { ImportRowError } from './types.ts';

/** A row checked against the spec's schema: its parsed value, or the reasons it was refused. */
export type CheckedRow = { ok: true; value: unknown } | { ok: false; errors: ImportRowError[] };

/** True when every cell is empty: such rows (spacers, trailing lines) are not rows of data. */
export function isBlank(cells: readonly unknown[]): boolean {
  return cells.every((cell) => cell === '' || cell === null || cell === undefined);
}

/**
 * Keys a row's cells by the header and validates them with the spec's `row` schema. A row with
 * fewer or more cells than the header (CSV), or with values past the last named column (XLSX),
 * is refused without validation: its cells cannot be told apart.
 */
export function checkRow(
  schema: z.ZodType,
  header: Header,
  cells: readonly unknown[],
  line: number,
  strictWidth: boolean,
): CheckedRow {
  const extra = cells.slice(header.names.length);
  const misaligned = strictWidth
    ? cells.length < header.names.length || (cells.length !== header.width && !isBlank(extra))
    : !isBlank(extra);
  if (misaligned) {
    const count = strictWidth ? cells.length : lastFilled(cells);
    return {
      ok: false,
      errors: [
        {
          line,
          reason: `The row has ${count} cell${count === 1 ? '' : 's'} but the header has ${header.names.length} columns; check for a missing or extra separator`,
        },
      ],
    };
  }
  const row: Record<string, unknown> = {};
  for (const [index, name] of header.names.entries()) row[name] = cells[index] ?? '';
  const result = schema.safeParse(row);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: result.error.issues.map((issue) => describe(issue, header, row, line)) };
}

function lastFilled(cells: readonly unknown[]): number {
  let count = cells.length;
  while (count > 0 && isBlank([cells[count - 1]])) count--;
  return count;
}

/** One zod issue as a reason a person can act on: the column, the problem, the value found. */
function describe(
  issue: z.core.$ZodIssue,
  header: Header,
  row: Record<string, unknown>,
  line: number,
): ImportRowError {
  const key = issue.path[0];
  if (typeof key !== 'string' || !header.names.includes(key)) {
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { line, reason: `${where}${issue.message}` };
  }
  const column = header.names.indexOf(key) + 1;
  const value = row[key];
  if (value === '' || value === undefined) {
    return { line, column, field: key, reason: `${key}: a value is required but the cell is empty` };
  }
  const shown = text(value);
  const got = /\bgot\b/.test(issue.message)
    ? ''
    : `, got '${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}'`;
  return { line, column, field: key, reason: `${key}: ${issue.message}${got}` };
}
