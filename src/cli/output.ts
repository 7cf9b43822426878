import { isPatchbayError } from '../errors/index.ts';

/**
 * Prints an error for a person — its code and message, never a stack trace for an expected
 * failure — and exits 1.
 */
export function exitWithError(error: unknown): never {
  if (isPatchbayError(error)) {
    process.stderr.write(`error [${error.code}]: ${error.message}\n`);
  } else {
    process.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
}

/** Prints rows as an aligned plain-text table. */
export function printTable(rows: Array<Record<string, string>>, columns: string[]): void {
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => row[c] ?? ''))}\n`);
}

/** Formats an epoch-millisecond time for tables, or '-' when absent. */
export function formatTime(epochMs: number | null | undefined): string {
  return epochMs ? new Date(epochMs).toISOString().replace('.000Z', 'Z') : '-';
}
