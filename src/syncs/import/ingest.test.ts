import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { isPatchbayError } from '../../errors/index.ts';
import type { ModelSchemas, SyncImport } from '../../scripting/types.ts';
import { detectFormat, type ImportProgress, ingestReport } from './index.ts';

const row = z.object({
  SKU: z.string().min(1, 'a value is required'),
  Units: z.string().transform((value, ctx) => {
    if (/^-?\d+$/.test(value)) return Number(value);
    ctx.addIssue({ code: 'custom', message: `expected a whole number, got '${value}'` });
    return z.NEVER;
  }),
  Note: z.string().optional(),
});

function spec(
  overrides: Partial<SyncImport<ModelSchemas, z.ZodType>> = {},
): SyncImport<ModelSchemas, z.ZodType> {
  return {
    formats: ['csv', 'xlsx'],
    row,
    toRecords: (rows) =>
      (rows as Array<z.output<typeof row>>).flatMap((r) => [
        { model: 'items', record: { id: r.SKU, units: r.Units } },
        ...(r.Note ? [{ model: 'notes', record: { id: r.SKU, text: r.Note } }] : []),
      ]),
    ...overrides,
  };
}

function memorySink() {
  const saves: Array<{ model: string; records: unknown[] }> = [];
  return {
    saves,
    records: (model: string) => saves.filter((s) => s.model === model).flatMap((s) => s.records),
    sink: {
      async save(model: string, records: readonly unknown[]) {
        saves.push({ model, records: [...records] });
      },
    },
  };
}

async function rejects(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isPatchbayError(error, code as 'import_file_invalid'), String(error));
    assert.match((error as Error).message, message);
    return true;
  });
}

const csv = (text: string) => Readable.from([Buffer.from(text)]);

describe('ingestReport (CSV)', () => {
  it('saves valid rows in batches per model and reports bad rows by physical line', async () => {
    const memory = memorySink();
    const progress: ImportProgress[] = [];
    const text = [
      '\uFEFF SKU ,Units,Note', // 1: header, with a BOM and padding
      'a,1,', // 2
      'b,x,', // 3: not a number
      '"c', // 4: a quoted cell spanning lines 4–5
      'd",3,hello', // 5
      '', // 6: blank, not a row
      'e,4', // 7: one cell short
      'f,5,,', // 8: one cell too many (empty: a trailing separator is tolerated)
      'g,6,,x', // 9: one cell too many
      ',7,', // 10: empty SKU
      'h,8 "9",', // 11: stray quote
      'i,9,', // 12
    ].join('\r\n');
    const report = await ingestReport({
      spec: spec(),
      input: csv(text),
      format: 'csv',
      sink: memory.sink,
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(report, {
      rows: 9,
      valid: 4,
      invalid: 5,
      errors: [
        { line: 3, column: 2, field: 'Units', reason: "Units: expected a whole number, got 'x'" },
        {
          line: 7,
          reason: 'The row has 2 cells but the header has 3 columns; check for a missing or extra separator',
        },
        {
          line: 9,
          reason: 'The row has 4 cells but the header has 3 columns; check for a missing or extra separator',
        },
        { line: 10, column: 1, field: 'SKU', reason: 'SKU: a value is required but the cell is empty' },
        {
          line: 11,
          reason: 'A cell has a stray quote: quote the whole cell and write a quote inside it as ""',
        },
      ],
      errorsTruncated: false,
    });
    assert.deepEqual(memory.records('items'), [
      { id: 'a', units: 1 },
      { id: 'c\r\nd', units: 3 },
      { id: 'f', units: 5 },
      { id: 'i', units: 9 },
    ]);
    assert.deepEqual(memory.records('notes'), [{ id: 'c\r\nd', text: 'hello' }]);
    // Batches of two valid rows: items then notes of the batch, in order.
    assert.deepEqual(
      memory.saves.map((s) => `${s.model}:${s.records.length}`),
      ['items:2', 'notes:1', 'items:2'],
    );
    assert.deepEqual(progress, [
      { rows: 3, valid: 2, invalid: 1 },
      { rows: 9, valid: 4, invalid: 5 },
      { rows: 9, valid: 4, invalid: 5 },
    ]);
  });

  it('reports an unclosed quote at the line it opens and keeps the rows before it', async () => {
    const memory = memorySink();
    const report = await ingestReport({
      spec: spec(),
      input: csv('SKU,Units\na,1\nb,"2\nc,3\nd,4\n'),
      format: 'csv',
      sink: memory.sink,
    });
    assert.deepEqual([report.rows, report.valid, report.invalid], [2, 1, 1]);
    assert.equal(report.errors[0]?.line, 3);
    assert.match(report.errors[0]!.reason, /never closed, so the rest of the file could not be read/);
    assert.deepEqual(memory.records('items'), [{ id: 'a', units: 1 }]);
  });

  it('skips report title lines before the header', async () => {
    const memory = memorySink();
    const report = await ingestReport({
      spec: spec({ skipLines: 2 }),
      input: csv('Sales report,"March, 2026"\n\nSKU,Units\nz,1\ny,?\n'),
      format: 'csv',
      sink: memory.sink,
    });
    assert.deepEqual(report.errors, [
      { line: 5, column: 2, field: 'Units', reason: "Units: expected a whole number, got '?'" },
    ]);
    assert.deepEqual(memory.records('items'), [{ id: 'z', units: 1 }]);
  });

  it('lists the first maxErrors reasons in file order and counts the rest', async () => {
    const lines = ['SKU,Units', ...Array.from({ length: 50 }, (_, i) => `s${i},bad${i}`)];
    const report = await ingestReport({
      spec: spec(),
      input: csv(lines.join('\n')),
      format: 'csv',
      sink: memorySink().sink,
      maxErrors: 10,
    });
    assert.deepEqual([report.rows, report.valid, report.invalid, report.errors.length], [50, 0, 50, 10]);
    assert.equal(report.errorsTruncated, true);
    assert.deepEqual(
      report.errors.map((e) => e.line),
      Array.from({ length: 10 }, (_, i) => i + 2),
    );
  });

  it('refuses files that are not a report with import_file_invalid, saying what to fix', async () => {
    const cases: Array<[string, RegExp]> = [
      ['', /The file is empty/],
      ['\n\n\n', /The file is empty/],
      ['SKU,,Units\n', /Column 2 of the header row \(line 1\) has no name/],
      ['SKU,Units,SKU\n', /names "SKU" twice \(columns 1 and 3\)/],
      ['Product,Count\na,1\n', /lacks the columns "SKU", "Units"; is this the right report\?/],
      ['"SKU,Units\na,1\n', /header row could not be read/],
    ];
    for (const [text, message] of cases) {
      await rejects(
        ingestReport({ spec: spec(), input: csv(text), format: 'csv', sink: memorySink().sink }),
        'import_file_invalid',
        message,
      );
    }
    await rejects(
      ingestReport({
        spec: spec({ skipLines: 3 }),
        input: csv('a\nb\n'),
        format: 'csv',
        sink: memorySink().sink,
      }),
      'import_file_invalid',
      /no header row after the 3 lines it skips/,
    );
  });

  it('refuses a format the sync does not take', async () => {
    await rejects(
      ingestReport({
        spec: spec({ formats: ['xlsx'] }),
        input: csv('SKU,Units\n'),
        format: 'csv',
        sink: memorySink().sink,
      }),
      'import_format_unsupported',
      /imports XLSX reports, not CSV/,
    );
  });

  it('passes errors of the upload stream and of the sink through unchanged', async () => {
    const upload = new PassThrough();
    upload.write('SKU,Units\na,1\n');
    const cut = Object.assign(new Error('request file too large'), { code: 'FST_REQ_FILE_TOO_LARGE' });
    setImmediate(() => upload.destroy(cut));
    await assert.rejects(
      ingestReport({ spec: spec(), input: upload, format: 'csv', sink: memorySink().sink }),
      (error) => error === cut,
    );

    const full = new Error('database unavailable');
    await assert.rejects(
      ingestReport({
        spec: spec(),
        input: csv('SKU,Units\na,1\n'),
        format: 'csv',
        sink: {
          async save() {
            throw full;
          },
        },
      }),
      (error) => error === full,
    );
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    let saved = 0;
    const lines = ['SKU,Units', ...Array.from({ length: 100 }, (_, i) => `s${i},${i}`)];
    await assert.rejects(
      ingestReport({
        spec: spec(),
        input: csv(lines.join('\n')),
        format: 'csv',
        batchSize: 10,
        signal: controller.signal,
        sink: {
          async save(_model, records) {
            saved += records.length;
            if (saved === 20) controller.abort(reason);
          },
        },
      }),
      (error) => error === reason,
    );
    assert.equal(saved, 20);
  });
});

async function workbook(build: (workbook: ExcelJS.Workbook) => void): Promise<Readable> {
  const book = new ExcelJS.Workbook();
  build(book);
  const bytes = Buffer.from(await book.xlsx.writeBuffer());
  // Several chunks, as an upload arrives.
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 1000)
    chunks.push(bytes.subarray(offset, offset + 1000));
  return Readable.from(chunks);
}

describe('ingestReport (XLSX)', () => {
  it('reads the named sheet by streaming, with sheet row numbers as lines', async () => {
    const memory = memorySink();
    const input = await workbook((book) => {
      book.addWorksheet('Summary').addRow(['Total', 3]);
      const sheet = book.addWorksheet('Rows');
      sheet.addRow(['Report for March']); // 1: skipped
      sheet.addRow([' SKU', 'Units ', 'Note', null]); // 2: header, trailing blank column
      sheet.addRow(['a', '1']); // 3
      sheet.addRow(['b', 'many']); // 4
      sheet.getRow(6).values = ['c', '2', { richText: [{ text: 'rich ' }, { text: 'text' }] }]; // 6 (5 is absent)
      sheet.addRow(['d', '3', 'x', 'stray']); // 7: a value past the header
    });
    const report = await ingestReport({
      spec: spec({ sheet: 'Rows', skipLines: 1 }),
      input,
      format: 'xlsx',
      sink: memory.sink,
    });
    assert.deepEqual(report, {
      rows: 4,
      valid: 2,
      invalid: 2,
      errors: [
        { line: 4, column: 2, field: 'Units', reason: "Units: expected a whole number, got 'many'" },
        {
          line: 7,
          reason: 'The row has 4 cells but the header has 3 columns; check for a missing or extra separator',
        },
      ],
      errorsTruncated: false,
      sheet: 'Rows',
    });
    assert.deepEqual(memory.records('items'), [
      { id: 'a', units: 1 },
      { id: 'c', units: 2 },
    ]);
    assert.deepEqual(memory.records('notes'), [{ id: 'c', text: 'rich text' }]);
  });

  it('reads the first sheet by default, and a sheet by position', async () => {
    const build = (book: ExcelJS.Workbook) => {
      book.addWorksheet('One').addRows([
        ['SKU', 'Units'],
        ['first', '1'],
      ]);
      book.addWorksheet('Two').addRows([
        ['SKU', 'Units'],
        ['second', '2'],
      ]);
    };
    let memory = memorySink();
    let report = await ingestReport({
      spec: spec(),
      input: await workbook(build),
      format: 'xlsx',
      sink: memory.sink,
    });
    assert.equal(report.sheet, 'One');
    assert.deepEqual(memory.records('items'), [{ id: 'first', units: 1 }]);
    memory = memorySink();
    report = await ingestReport({
      spec: spec({ sheet: 2 }),
      input: await workbook(build),
      format: 'xlsx',
      sink: memory.sink,
    });
    assert.equal(report.sheet, 'Two');
    assert.deepEqual(memory.records('items'), [{ id: 'second', units: 2 }]);
  });

  it('refuses a missing sheet, a non-XLSX file, an empty one and a truncated one', async () => {
    const build = (book: ExcelJS.Workbook) => {
      book.addWorksheet('One').addRows([['SKU', 'Units']]);
    };
    await rejects(
      ingestReport({
        spec: spec({ sheet: 'Royalties' }),
        input: await workbook(build),
        format: 'xlsx',
        sink: memorySink().sink,
      }),
      'import_file_invalid',
      /no sheet named "Royalties"; its sheets are: "One"/,
    );
    await rejects(
      ingestReport({ spec: spec(), input: csv('SKU,Units\na,1\n'), format: 'xlsx', sink: memorySink().sink }),
      'import_file_invalid',
      /not an XLSX workbook/,
    );
    await rejects(
      ingestReport({ spec: spec(), input: Readable.from([]), format: 'xlsx', sink: memorySink().sink }),
      'import_file_invalid',
      /The file is empty/,
    );
    const whole = Buffer.concat(await (await workbook(build)).toArray());
    await rejects(
      ingestReport({
        spec: spec(),
        input: Readable.from([whole.subarray(0, whole.length / 2)]),
        format: 'xlsx',
        sink: memorySink().sink,
      }),
      'import_file_invalid',
      /could not be read as an XLSX workbook/,
    );
  });
});

describe('detectFormat', () => {
  it('goes by the extension, then the content type', () => {
    assert.equal(detectFormat('KDP_Dashboard.XLSX', 'application/octet-stream'), 'xlsx');
    assert.equal(detectFormat('royalties.csv', 'application/vnd.ms-excel'), 'csv');
    assert.equal(detectFormat('report', 'text/csv; charset=utf-8'), 'csv');
    assert.equal(
      detectFormat(undefined, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
      'xlsx',
    );
  });

  it('refuses other files with import_format_unsupported (415)', () => {
    for (const [name, type, message] of [
      [
        'old.xls',
        'application/vnd.ms-excel',
        /\.xls files are not supported\. Open it in a spreadsheet app and save it as \.xlsx or \.csv/,
      ],
      ['report.pdf', 'text/csv', /\.pdf files/],
      ['report', 'application/json', /files of type application\/json/],
    ] as const) {
      assert.throws(
        () => detectFormat(name, type),
        (error) =>
          isPatchbayError(error, 'import_format_unsupported') &&
          error.status === 415 &&
          message.test(error.message),
      );
    }
  });
});
