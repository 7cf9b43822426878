import { z } from 'zod';
import { PatchbayError } from '../../errors/index.ts';

/** The header row as column names: `names[i]` heads cell i; `width` counts the cells it had. */
export interface Header {
  names: string[];
  width: number;
  line: number;
}

/**
 * Reads the header row: each cell trimmed and stripped of a byte-order mark; empty cells at the
 * end are dropped (spreadsheets often carry formatted blank columns). An empty name between
 * columns or a name used twice makes the file unreadable as a report: `import_file_invalid`.
 */
export function readHeader(cells: readonly unknown[], line: number): Header {
  const names = cells.map((cell) =>
    text(cell)
      .replace(/^\uFEFF/, '')
      .trim(),
  );
  while (names.length > 0 && names.at(-1) === '') names.pop();
  if (names.length === 0) {
    throw new PatchbayError('import_file_invalid', `The header row (line ${line}) is empty`, {
      details: { line },
    });
  }
  const seen = new Map<string, number>();
  for (const [index, name] of names.entries()) {
    if (name === '') {
      throw new PatchbayError(
        'import_file_invalid',
        `Column ${index + 1} of the header row (line ${line}) has no name; name it or delete the column`,
        { details: { line, column: index + 1 } },
      );
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new PatchbayError(
        'import_file_invalid',
        `The header row (line ${line}) names "${name}" twice (columns ${first + 1} and ${index + 1}); rename or delete one`,
        { details: { line, columns: [first + 1, index + 1], field: name } },
      );
    }
    seen.set(name, index);
  }
  return { names, width: cells.length, line };
}

/**
 * Checks that every column the row schema requires is in the header, so a report of the wrong
 * kind fails once with the list of missing columns instead of once per row. Only an object
 * schema can be inspected; others are checked row by row.
 */
export function checkColumns(schema: z.ZodType, header: Header): void {
  if (!(schema instanceof z.ZodObject)) return;
  const present = new Set(header.names);
  const missing = Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([name, field]) => !present.has(name) && !field.safeParse(undefined).success)
    .map(([name]) => name);
  if (missing.length === 0) return;
  throw new PatchbayError(
    'import_file_invalid',
    `The header row (line ${header.line}) lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; is this the right report?`,
    { details: { line: header.line, missing, found: header.names } },
  );
}

/** A cell as text (header cells may be numbers or dates in a spreadsheet). */
export function text(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return cell.toISOString();
  return String(cell);
}
