/** Usage periods: calendar months in UTC, named `YYYY-MM`. */

/** The period an instant falls in, with its bounds (end exclusive). */
export function periodOf(instant: number): { key: string; start: number; end: number } {
  const date = new Date(instant);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return {
    key: `${year}-${String(month + 1).padStart(2, '0')}`,
    start: Date.UTC(year, month, 1),
    end: Date.UTC(year, month + 1, 1),
  };
}

/** The bounds of a `YYYY-MM` period; undefined when malformed. */
export function periodBounds(key: string): { key: string; start: number; end: number } | undefined {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key);
  if (!match) return undefined;
  return periodOf(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
}
