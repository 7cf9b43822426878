/**
 * The vocabulary of report import: a file's rows, validated by a sync's `import` spec, become
 * records. File-level faults (no header, a duplicate column, not a spreadsheet) throw
 * `import_file_invalid`; row-level ones are counted and listed in the report.
 */

/** A file kind Patchbay can read as a report. */
export type ImportFormat = 'csv' | 'xlsx';

/** One reason a row was refused. */
export interface ImportRowError {
  /** The file's physical line (CSV) or the sheet's row number (XLSX), 1-based. */
  line: number;
  /** 1-based position of the offending cell in the row, when one cell is at fault. */
  column?: number;
  /** The header of that column. */
  field?: string;
  /** What is wrong, naming the column: `Units Sold: expected a number, got 'abc'`. */
  reason: string;
}

/** What an ingest did with a file. `rows` = `valid` + `invalid`; blank rows are not counted. */
export interface ImportReport {
  rows: number;
  valid: number;
  invalid: number;
  /** The first `maxErrors` reasons, in file order. */
  errors: ImportRowError[];
  /** True when more reasons were found than `errors` lists (all are counted in `invalid`). */
  errorsTruncated: boolean;
  /** XLSX: the sheet that was read. */
  sheet?: string;
}

/** Counts so far, reported after each batch is saved. */
export interface ImportProgress {
  rows: number;
  valid: number;
  invalid: number;
}

/** Where records go (a sync run's records writer, or anything with the same `save`). */
export interface ImportSink {
  save(model: string, records: readonly unknown[]): Promise<void>;
}

/**
 * What a format reader yields: a row of raw cells with its line, or a row the reader could not
 * split into cells (a broken quote), already worded as a reason.
 */
export type SourceItem =
  | { kind: 'row'; line: number; cells: readonly unknown[] }
  | { kind: 'error'; line: number; reason: string }
  | { kind: 'sheet'; name: string };
