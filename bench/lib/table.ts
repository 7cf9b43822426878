/** Formats rows as an aligned text table (numbers right-aligned, thousands separated). */
export function formatTable(rows: ReadonlyArray<Record<string, string | number | null>>): string {
  if (rows.length === 0) return '(no rows)';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((r) => r[i]!.text.length)));
  const line = (values: Array<{ text: string; right: boolean }>) =>
    values.map((v, i) => (v.right ? v.text.padStart(widths[i]!) : v.text.padEnd(widths[i]!))).join('  ');
  const header = line(columns.map((text) => ({ text, right: false })));
  return [header, widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function cell(value: string | number | null | undefined): { text: string; right: boolean } {
  if (value === null || value === undefined) return { text: '—', right: false };
  if (typeof value === 'number') {
    const digits = Number.isInteger(value) ? 0 : Math.abs(value) < 10 ? 2 : 1;
    return { text: value.toLocaleString('en-US', { maximumFractionDigits: digits }), right: true };
  }
  return { text: value, right: false };
}
