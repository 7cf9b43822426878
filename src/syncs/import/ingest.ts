import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { isPatchbayError, PatchbayError } from '../../errors/index.ts';
import type { ModelSchemas, SyncImport } from '../../scripting/types.ts';
import { readCsv } from './csv.ts';
import { checkColumns, type Header, readHeader } from './header.ts';
import { checkRow, isBlank } from './rows.ts';
import type {
  ImportFormat,
  ImportProgress,
  ImportReport,
  ImportRowError,
  ImportSink,
  SourceItem,
} from './types.ts';
import { readXlsx } from './xlsx.ts';

/** What `ingestReport` needs. */
export interface IngestOptions<
  Models extends ModelSchemas = ModelSchemas,
  Row extends z.ZodType = z.ZodType,
> {
  /** The sync's `import` spec: formats, row schema, row → record mapping, sheet, lines to skip. */
  spec: SyncImport<Models, Row>;
  /** The file's bytes, read once, as they arrive. */
  input: Readable;
  format: ImportFormat;
  /** Receives the records of each batch, per model, in order. */
  sink: ImportSink;
  /** Valid rows handed to `spec.toRecords` at a time. Default 500. */
  batchSize?: number;
  /** Row errors listed in the report; further ones are only counted. Default 1000. */
  maxErrors?: number;
  /** Called after each batch is saved and once at the end. */
  onProgress?: (progress: ImportProgress) => void;
  /** Stops the ingest (the run was cancelled or timed out): it throws the signal's reason. */
  signal?: AbortSignal;
}

const DEFAULT_BATCH = 500;
const DEFAULT_MAX_ERRORS = 1000;

/**
 * Streams a CSV or XLSX report through a sync's import spec into records: the header row is
 * read after `skipLines`, every row is validated with `spec.row`, valid rows are mapped by
 * `spec.toRecords` in batches and saved through `sink`. Memory stays flat whatever the file's
 * size: at most one batch of rows and `maxErrors` reasons are held.
 *
 * A file that cannot be read as a report at all (empty, not an XLSX workbook, a bad header,
 * missing columns, no such sheet) throws `import_file_invalid`; a format the sync does not take
 * throws `import_format_unsupported`. Rows that fail are counted and described with their line.
 * Errors of the upload stream and of the sink are thrown as they are.
 *
 * @example
 * const report = await ingestReport({ spec: sync.import, input: fs.createReadStream(path),
 *   format: 'csv', sink: { save: (model, records) => ctx.records.save(model, records) } });
 */
export async function ingestReport<Models extends ModelSchemas, Row extends z.ZodType>(
  options: IngestOptions<Models, Row>,
): Promise<ImportReport> {
  const { spec, input, format, sink, signal } = options;
  if (!spec.formats.includes(format)) {
    throw new PatchbayError(
      'import_format_unsupported',
      `This sync imports ${spec.formats.map((f) => f.toUpperCase()).join(' or ')} reports, not ${format.toUpperCase()}`,
      { details: { accepted: spec.formats } },
    );
  }
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
  const maxErrors = Math.max(0, options.maxErrors ?? DEFAULT_MAX_ERRORS);
  const skipLines = spec.skipLines ?? 0;

  let inputError: unknown;
  input.on('error', (error) => {
    inputError ??= error;
  });
  const report: ImportReport = { rows: 0, valid: 0, invalid: 0, errors: [], errorsTruncated: false };
  const progress = () =>
    options.onProgress?.({ rows: report.rows, valid: report.valid, invalid: report.invalid });
  const refuse = (errors: readonly ImportRowError[]) => {
    report.invalid++;
    for (const error of errors) {
      if (report.errors.length < maxErrors) report.errors.push(error);
      else report.errorsTruncated = true;
    }
  };
  let batch: unknown[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await save(spec as unknown as SyncImport<ModelSchemas, z.ZodType>, sink, rows);
    progress();
  };

  const source: AsyncIterable<SourceItem[]> =
    format === 'csv' ? readCsv(input, skipLines) : readXlsx(input, skipLines, spec.sheet);
  let header: Header | undefined;
  try {
    for await (const item of items(guarded(source, format, () => inputError))) {
      signal?.throwIfAborted();
      if (item.kind === 'sheet') {
        report.sheet = item.name;
        continue;
      }
      if (item.kind === 'error') {
        if (!header) {
          throw new PatchbayError('import_file_invalid', `The header row could not be read: ${item.reason}`, {
            details: { line: item.line },
          });
        }
        report.rows++;
        refuse([{ line: item.line, reason: item.reason }]);
        continue;
      }
      if (isBlank(item.cells)) continue;
      if (!header) {
        header = readHeader(item.cells, item.line);
        checkColumns(spec.row, header);
        continue;
      }
      report.rows++;
      const checked = checkRow(spec.row, header, item.cells, item.line, format === 'csv');
      if (!checked.ok) {
        refuse(checked.errors);
        continue;
      }
      report.valid++;
      batch.push(checked.value);
      if (batch.length >= batchSize) await flush();
    }
    if (!header) {
      throw new PatchbayError(
        'import_file_invalid',
        skipLines > 0
          ? `The file has no header row after the ${skipLines} line${skipLines === 1 ? '' : 's'} it skips; is this the right report?`
          : 'The file is empty; export the report again',
      );
    }
    await flush();
  } catch (error) {
    // Stop reading the upload, and let what is left of it drain away.
    input.unpipe();
    input.resume();
    throw error;
  }
  signal?.throwIfAborted();
  progress();
  return report;
}

/**
 * Runs a format reader, telling its faults (the file is not what it claims) from those of the
 * upload stream (thrown as they are) and from our own (already PatchbayErrors).
 */
async function* guarded(
  source: AsyncIterable<SourceItem[]>,
  format: ImportFormat,
  inputError: () => unknown,
): AsyncGenerator<SourceItem[]> {
  try {
    yield* source;
  } catch (error) {
    const upload = inputError();
    if (upload !== undefined) throw upload;
    if (isPatchbayError(error)) throw error;
    const what = format === 'xlsx' ? 'as an XLSX workbook' : 'as CSV';
    throw new PatchbayError(
      'import_file_invalid',
      `The file could not be read ${what} (${readable(error)}); export the report again`,
      { cause: error },
    );
  }
}

/**
 * The items of each chunk. A plain iterator, not an async generator: the items of a chunk are
 * handed out without a promise tick each, which is most of the cost of a row otherwise.
 */
function items(chunks: AsyncIterable<SourceItem[]>): AsyncIterable<SourceItem> {
  return {
    [Symbol.asyncIterator]() {
      const source = chunks[Symbol.asyncIterator]();
      let chunk: SourceItem[] = [];
      let index = 0;
      return {
        async next(): Promise<IteratorResult<SourceItem>> {
          while (index >= chunk.length) {
            const result = await source.next();
            if (result.done) return { done: true, value: undefined };
            chunk = result.value;
            index = 0;
          }
          return { done: false, value: chunk[index++]! };
        },
        async return(): Promise<IteratorResult<SourceItem>> {
          await source.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** A parser's message, cut short (it never holds secrets, only the file's structure). */
function readable(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

/** Maps one batch of valid rows to records and saves them, model by model, in order. */
async function save(
  spec: SyncImport<ModelSchemas, z.ZodType>,
  sink: ImportSink,
  rows: unknown[],
): Promise<void> {
  const byModel = new Map<string, unknown[]>();
  for (const { model, record } of spec.toRecords(rows)) {
    const list = byModel.get(model);
    if (list) list.push(record);
    else byModel.set(model, [record]);
  }
  for (const [model, records] of byModel) await sink.save(model, records);
}
