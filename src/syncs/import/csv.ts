import type { Readable } from 'node:stream';
import { type CsvError, type InfoRecord, type Options, parse } from 'csv-parse';
import type { SourceItem } from './types.ts';

type ErrorItem = Extract<SourceItem, { kind: 'error' }>;

/** A parsed record with its line, and the broken rows met since the previous record. */
interface Parsed {
  cells: string[];
  line: number;
  before: ErrorItem[];
}

/**
 * Reads CSV rows with csv-parse's streaming parser, each with the physical line it starts on,
 * in chunks (what the parser has ready).
 *
 * Rows that cannot be split (a stray or an unclosed quote) are yielded as `error` items and
 * parsing goes on, so one bad row never hides the others. `skipLines` physical lines are
 * skipped before the first row (the header).
 */
export async function* readCsv(input: Readable, skipLines: number): AsyncGenerator<SourceItem[]> {
  // Line bookkeeping runs inside the parser (on_record and 'skip' fire in file order, while
  // the consumer may be several records behind).
  // csv-parse counts a CRLF inside a quoted field as two lines, and so every later line too:
  // `overcount` is that drift, so lines stay physical.
  let overcount = 0;
  let lastEnd = skipLines;
  let lastSkipLine = 0;
  let broken: ErrorItem[] = [];
  const options: Options<Parsed, string[]> = {
    bom: true,
    from_line: skipLines + 1,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record(record: string[], info: InfoRecord): Parsed {
      let breaks = 0;
      for (const cell of record) {
        const crlf = cell.split('\r\n').length - 1;
        overcount += crlf;
        breaks += crlf + (cell.match(/\r(?!\n)|(?<!\r)\n/g)?.length ?? 0);
      }
      lastEnd = info.lines - overcount;
      const before = broken;
      broken = [];
      return { cells: record, line: lastEnd - breaks, before };
    },
  };
  const parser = parse(options as unknown as Options);
  parser.on('skip', (error: CsvError) => {
    const item = skipped(error, overcount, lastEnd);
    // One malformed row can raise several errors (one per stray quote): report the first.
    // Lines before the header are skipped unread, malformed or not.
    if (item.line === lastSkipLine || item.line <= skipLines) return;
    lastSkipLine = item.line;
    broken.push(item);
  });
  input.on('error', (error) => parser.destroy(error));
  // drain() reads the failure from `parser.errored`; this keeps it from being unhandled while
  // no read is waiting.
  parser.on('error', () => {});
  input.pipe(parser);

  for await (const records of drain<Parsed>(parser)) {
    const items: SourceItem[] = [];
    for (const parsed of records) {
      items.push(...parsed.before, { kind: 'row', line: parsed.line, cells: parsed.cells });
    }
    yield items;
  }
  if (broken.length > 0) yield broken;
}

/**
 * The objects a stream holds, a buffer-full at a time: one await per chunk of the file instead
 * of several per row (async iteration of single rows costs more than parsing them).
 */
async function* drain<T>(stream: Readable): AsyncGenerator<T[]> {
  while (true) {
    const batch: T[] = [];
    for (let item = stream.read() as T | null; item !== null; item = stream.read() as T | null)
      batch.push(item);
    if (batch.length > 0) {
      yield batch;
      continue;
    }
    if (stream.errored) throw stream.errored;
    if (stream.readableEnded || stream.destroyed) return;
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: unknown) => {
        stream.off('readable', settle);
        stream.off('end', settle);
        stream.off('close', settle);
        stream.off('error', settle);
        if (error) reject(error);
        else resolve();
      };
      stream.on('readable', settle);
      stream.on('end', settle);
      stream.on('close', settle);
      stream.on('error', settle);
    });
  }
}

function skipped(error: CsvError, overcount: number, lastEnd: number): ErrorItem {
  const reported = ((error as CsvError & { lines?: number }).lines ?? lastEnd + 1 + overcount) - overcount;
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    const line = lastEnd + 1;
    return {
      kind: 'error',
      line,
      reason:
        'A quoted cell opened on this line is never closed, so the rest of the file could not be read; close the quote (write a quote inside a quoted cell as "")',
    };
  }
  const reason =
    error.code === 'INVALID_OPENING_QUOTE' || error.code === 'CSV_INVALID_CLOSING_QUOTE'
      ? 'A cell has a stray quote: quote the whole cell and write a quote inside it as ""'
      : `The row could not be read as CSV (${error.code})`;
  return { kind: 'error', line: reported, reason };
}
