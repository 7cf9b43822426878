import { PassThrough, type Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { PatchbayError } from '../../errors/index.ts';
import type { SourceItem } from './types.ts';

// Every XLSX file is a ZIP archive, which starts with a local file header.
const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

interface NamedWorksheetReader {
  name?: string;
  parse(): AsyncIterator<Array<{ eventType: string; value: ExcelJS.Row }>>;
}

/**
 * Reads one sheet of an XLSX workbook with exceljs's streaming reader (rows are parsed as the
 * ZIP entry streams in, never the whole workbook). Yields the sheet's name first, then its rows
 * with their row numbers, in chunks; rows up to `skipLines` are skipped. Other sheets are
 * drained unread.
 *
 * @param sheet the sheet's name or 1-based position; default the first.
 */
export async function* readXlsx(
  input: Readable,
  skipLines: number,
  sheet: string | number | undefined,
): AsyncGenerator<SourceItem[]> {
  // Loaded on the first XLSX import, before the upload starts flowing: exceljs is large, and
  // most engines never read a workbook.
  const { default: excel } = await import('exceljs');
  const feed = new PassThrough();
  // The ZIP parser is piped from `feed` and never hears of an error of the upload itself (a
  // size limit, a dropped client): pumping by hand lets such an error end the read at once.
  const upload = uploadFailure();
  const pumping = pump(input, feed).catch((error: unknown) => {
    feed.end();
    upload.fail(error);
  });

  const reader = new excel.stream.xlsx.WorkbookReader(feed, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Dates are told from numbers only by their cell style.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const names: string[] = [];
  let emitted = 0;
  let found = false;
  const worksheets = reader[Symbol.asyncIterator]();
  while (true) {
    const next = await upload.guard(worksheets.next());
    if (next.done) break;
    emitted++;
    const worksheet = next.value as unknown as NamedWorksheetReader;
    const name = worksheet.name ?? `Sheet${emitted}`;
    names.push(name);
    // Positions are the workbook's tab order (from workbook.xml), which the ZIP order of the
    // sheet files need not follow.
    const tabs = (reader as unknown as { model?: { sheets?: Array<{ name: string }> } }).model?.sheets;
    const tab = tabs?.findIndex((entry) => entry.name === name) ?? -1;
    const position = tab >= 0 ? tab + 1 : emitted;
    const wanted = sheet === undefined ? position === 1 : sheet === name || sheet === position;
    // An unread worksheet is drained by the reader when the next one is asked for.
    if (found || !wanted) continue;
    found = true;
    yield [{ kind: 'sheet', name }];
    // parse() hands over the rows of each parsed piece of the sheet at once.
    const events = worksheet.parse();
    while (true) {
      const next = await upload.guard(events.next());
      if (next.done) break;
      const items: SourceItem[] = [];
      for (const { eventType, value } of next.value) {
        if (eventType !== 'row' || value.number <= skipLines) continue;
        items.push({ kind: 'row', line: value.number, cells: cellsOf(value) });
      }
      if (items.length > 0) yield items;
    }
  }
  await upload.guard(pumping);
  if (!found) {
    const wanted =
      sheet === undefined
        ? 'sheets'
        : typeof sheet === 'number'
          ? `sheet number ${sheet}`
          : `sheet named "${sheet}"`;
    throw new PatchbayError(
      'import_file_invalid',
      `The workbook has no ${wanted}${names.length > 0 ? `; its sheets are: ${names.map((n) => `"${n}"`).join(', ')}` : ''}`,
      { details: { sheets: names } },
    );
  }
}

/**
 * Lets a failed upload reject the read that is waiting. (Not `Promise.race` with one pending
 * promise: every race would leave a reaction on it, keeping every chunk read alive.)
 */
function uploadFailure() {
  let failed: { error: unknown } | undefined;
  let rejectWaiting: ((error: unknown) => void) | undefined;
  return {
    fail(error: unknown): void {
      failed = { error };
      rejectWaiting?.(error);
    },
    guard<T>(promise: Promise<T>): Promise<T> {
      if (failed) return Promise.reject(failed.error);
      return new Promise<T>((resolve, reject) => {
        rejectWaiting = reject;
        promise.then(resolve, reject).finally(() => {
          rejectWaiting = undefined;
        });
      });
    },
  };
}

/** Copies the upload into the ZIP parser with backpressure; refuses non-ZIP data up front. */
async function pump(input: Readable, feed: PassThrough): Promise<void> {
  let head = Buffer.alloc(0);
  let checked = false;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!checked) {
      head = Buffer.concat([head, bytes]);
      if (head.length < ZIP_SIGNATURE.length) continue;
      checked = true;
      if (!head.subarray(0, ZIP_SIGNATURE.length).equals(ZIP_SIGNATURE)) throw notXlsx();
      if (!feed.write(head)) await onceDrained(feed);
      continue;
    }
    if (!feed.write(bytes)) await onceDrained(feed);
  }
  if (!checked) {
    throw head.length === 0
      ? new PatchbayError('import_file_invalid', 'The file is empty; export the report again')
      : notXlsx();
  }
  feed.end();
}

function onceDrained(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => stream.once('drain', resolve));
}

function notXlsx(): PatchbayError {
  return new PatchbayError(
    'import_file_invalid',
    'The file is not an XLSX workbook (it is not a ZIP archive); upload the .xlsx file as exported, or a .csv',
  );
}

/** A row's cells as plain values: strings, numbers, booleans, Dates, or '' when empty. */
function cellsOf(row: ExcelJS.Row): unknown[] {
  const values = row.values as unknown[];
  const cells: unknown[] = [];
  // exceljs puts the first cell at index 1 (index 0 is always empty).
  for (let index = 1; index < values.length; index++) cells.push(plain(values[index]));
  return cells;
}

function plain(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object' || value instanceof Date) return value;
  const cell = value as {
    richText?: Array<{ text: string }>;
    result?: unknown;
    formula?: string;
    sharedFormula?: string;
    text?: unknown;
    error?: string;
  };
  if (cell.richText) return cell.richText.map((part) => part.text).join('');
  if (cell.formula !== undefined || cell.sharedFormula !== undefined) return plain(cell.result);
  if (cell.error !== undefined) return cell.error;
  if (cell.text !== undefined) return plain(cell.text);
  return String(value);
}
