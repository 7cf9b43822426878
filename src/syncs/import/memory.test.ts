import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { ingestReport } from './index.ts';

// A collection before each heap sample makes the figure the live heap, not pending garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ROWS = 500_000;

/** A 500k-row CSV made as it is read (about 12 MB), never held whole. */
function generatedCsv(): Readable {
  return Readable.from(
    (function* () {
      yield 'SKU,Units,Note\n';
      for (let start = 0; start < ROWS; start += 1000) {
        let chunk = '';
        for (let i = start; i < start + 1000; i++)
          chunk += `sku-${i},${i % 997},${i % 100 === 0 ? 'x' : 'note'}\n`;
        yield chunk;
      }
    })(),
  );
}

const spec = {
  formats: ['csv', 'xlsx'] as const,
  row: z.object({ SKU: z.string(), Units: z.coerce.number().int(), Note: z.string().min(2) }),
  toRecords: (rows: readonly unknown[]) =>
    (rows as Array<{ SKU: string; Units: number }>).map((row) => ({
      model: 'items',
      record: { id: row.SKU, units: row.Units },
    })),
};

it('ingests a 500k-row CSV with a flat heap', async () => {
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = 0;
  let batches = 0;
  let saved = 0;
  const report = await ingestReport({
    spec,
    input: generatedCsv(),
    format: 'csv',
    sink: {
      async save(_model, records) {
        saved += records.length;
      },
    },
    onProgress() {
      if (++batches % 100 !== 0) return;
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    },
  });
  assert.deepEqual(
    [report.rows, report.valid, report.invalid, saved],
    [ROWS, ROWS * 0.99, ROWS * 0.01, ROWS * 0.99],
  );
  assert.equal(report.errors.length, 1000);
  assert.equal(report.errorsTruncated, true);
  assert.ok(peak > 0, 'the heap was sampled');
  console.log(`# live heap growth while ingesting ${ROWS} rows: ${(peak / 1024 / 1024).toFixed(1)} MB`);
  // Holding the rows would take hundreds of MB; a streaming ingest holds one batch and the
  // 1,000 listed errors.
  assert.ok(peak < 32 * 1024 * 1024, `live heap grew by ${(peak / 1024 / 1024).toFixed(1)} MB`);
});

it('ingests a 100k-row XLSX with a flat heap', async () => {
  const rows = 100_000;
  // Written by exceljs's streaming writer, which puts the sheet before the shared strings (the
  // reader then parks the sheet in a temporary file, as it must for Excel's own files too).
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: true });
  const sheet = writer.addWorksheet('Data');
  sheet.addRow(['SKU', 'Units', 'Note']).commit();
  for (let i = 0; i < rows; i++) sheet.addRow([`sku-${i % 1000}`, i % 997, 'note']).commit();
  sheet.commit();
  await writer.commit();
  const file = Buffer.concat(chunks);
  chunks.length = 0;

  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = 0;
  let batches = 0;
  const report = await ingestReport({
    spec,
    input: Readable.from([file]),
    format: 'xlsx',
    sink: { async save() {} },
    onProgress() {
      if (++batches % 20 !== 0) return;
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    },
  });
  assert.deepEqual([report.rows, report.valid, report.sheet], [rows, rows, 'Data']);
  assert.ok(peak > 0, 'the heap was sampled');
  console.log(`# live heap growth while ingesting ${rows} XLSX rows: ${(peak / 1024 / 1024).toFixed(1)} MB`);
  assert.ok(peak < 32 * 1024 * 1024, `live heap grew by ${(peak / 1024 / 1024).toFixed(1)} MB`);
});
