import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { isPatchbayError } from '../../src/errors/index.ts';
import { type ImportReport, ingestReport } from '../../src/syncs/import/index.ts';
import { KDP_SALES_SHEET, royaltyRowSchema, type Sale, saleSchema, toMinorUnits } from './models.ts';
import royalties from './syncs/royalties.ts';

const FIXTURE = new URL('./fixtures/combined-sales.csv', import.meta.url);
const spec = royalties.import!;

/** A records store keyed by id, counting what an upsert would do. */
function recordStore() {
  const byId = new Map<string, Sale>();
  const counts = { added: 0, updated: 0, unchanged: 0 };
  return {
    byId,
    counts,
    sink: {
      async save(model: string, records: readonly unknown[]) {
        assert.equal(model, 'sales');
        for (const record of records) {
          const sale = saleSchema.parse(record);
          const before = byId.get(sale.id);
          if (!before) counts.added++;
          else if (JSON.stringify(before) === JSON.stringify(sale)) counts.unchanged++;
          else counts.updated++;
          byId.set(sale.id, sale);
        }
      },
    },
  };
}

const CSV_ERRORS: ImportReport['errors'] = [
  { line: 6, column: 8, field: 'Units Sold', reason: "Units Sold: expected a whole number, got 'two'" },
  {
    line: 7,
    column: 1,
    field: 'Royalty Date',
    reason: "Royalty Date: expected a date like 2026-03-15, got '2026-02-30'",
  },
  {
    line: 10,
    reason: 'The row has 10 cells but the header has 15 columns; check for a missing or extra separator',
  },
  {
    line: 12,
    column: 15,
    field: 'Currency',
    reason: "Currency: expected a currency code such as USD, got 'US$'",
  },
  { line: 13, column: 14, field: 'Royalty', reason: 'Royalty: a value is required but the cell is empty' },
];

describe('amazon-kdp royalties sync', () => {
  it('is an import-only sync of CSV and XLSX reports into sales', () => {
    assert.equal(royalties.name, 'royalties');
    assert.equal(royalties.exec, undefined);
    assert.equal(royalties.autoStart, false);
    assert.deepEqual(Object.keys(royalties.models), ['sales']);
    assert.deepEqual(spec.formats, ['csv', 'xlsx']);
    assert.equal(spec.sheet, KDP_SALES_SHEET);
  });

  it('imports the CSV fixture: exact counts, errors by line, normalized sales', async () => {
    const store = recordStore();
    const report = await ingestReport({
      spec,
      input: createReadStream(FIXTURE),
      format: 'csv',
      sink: store.sink,
    });
    assert.deepEqual(report, { rows: 11, valid: 6, invalid: 5, errors: CSV_ERRORS, errorsTruncated: false });
    assert.equal(store.byId.size, 6);
    const sales = [...store.byId.values()];
    const first = sales[0]!;
    assert.match(first.id, /^kdp_[0-9a-f]{32}$/);
    assert.deepEqual(
      { ...first, id: undefined },
      {
        id: undefined,
        productId: 'B0C1234567',
        productName: 'The Quiet Harbor',
        author: 'Jane Doe',
        amount: 1035,
        currency: 'usd',
        quantity: 3,
        unitsSold: 3,
        unitsRefunded: 0,
        marketplace: 'Amazon.com',
        royaltyType: '70%',
        transactionType: 'Standard',
        listPrice: 499,
        offerPrice: 499,
        royaltyDate: '2026-03-02',
        createdAt: '2026-03-02T00:00:00.000Z',
      },
    );
    const summary = sales.map((s) => [
      s.productId,
      s.marketplace,
      s.amount,
      s.currency,
      s.quantity,
      s.unitsRefunded,
    ]);
    assert.deepEqual(summary, [
      ['B0C1234567', 'Amazon.com', 1035, 'usd', 3, 0],
      ['B0C1234567', 'Amazon.de', 318, 'eur', 1, 0],
      ['9798888123456', 'Amazon.com', 928, 'usd', 2, 0],
      // Yen have no minor unit: 349 JPY is 349.
      ['B0C7654321', 'Amazon.co.jp', 349, 'jpy', 1, 0],
      ['B0C1234567', 'Amazon.com', 0, 'usd', 25, 0],
      ['B0C1234567', 'Amazon.co.uk', 276, 'gbp', 1, 1],
    ]);
  });

  it('re-importing the same report changes nothing: ids come from the row, not the upload', async () => {
    const store = recordStore();
    await ingestReport({ spec, input: createReadStream(FIXTURE), format: 'csv', sink: store.sink });
    const firstIds = [...store.byId.keys()];
    assert.deepEqual(store.counts, { added: 6, updated: 0, unchanged: 0 });
    await ingestReport({ spec, input: createReadStream(FIXTURE), format: 'csv', sink: store.sink });
    assert.deepEqual(store.counts, { added: 6, updated: 0, unchanged: 6 });
    assert.deepEqual([...store.byId.keys()], firstIds);

    // A corrected report (a late refund on one row) updates that sale in place.
    const corrected = readFileSync(FIXTURE, 'utf8').replace(
      '2026-03-02,The Quiet Harbor,Jane Doe,B0C1234567,Amazon.com,70%,Standard,3,0,3,4.99,4.99,0.06,10.35,USD',
      '2026-03-02,The Quiet Harbor,Jane Doe,B0C1234567,Amazon.com,70%,Standard,3,1,2,4.99,4.99,0.06,6.90,USD',
    );
    await ingestReport({ spec, input: Readable.from([corrected]), format: 'csv', sink: store.sink });
    assert.deepEqual(store.counts, { added: 6, updated: 1, unchanged: 11 });
    assert.deepEqual([...store.byId.keys()], firstIds);
    assert.equal(store.byId.get(firstIds[0]!)!.amount, 690);
  });

  it('imports the same rows from the XLSX export, typed cells and all, to the same sales', async () => {
    const csvStore = recordStore();
    await ingestReport({ spec, input: createReadStream(FIXTURE), format: 'csv', sink: csvStore.sink });

    const book = new ExcelJS.Workbook();
    book.addWorksheet('Summary').addRows([
      ['Date', 'March 2026'],
      ['Royalty (USD)', 20.9],
    ]);
    const sheet = book.addWorksheet(KDP_SALES_SHEET);
    const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
    sheet.addRow(lines[0]!.split(','));
    const numeric = new Set([7, 8, 9, 10, 11, 12, 13]);
    // The valid rows, as KDP's export types them: a date cell, number cells.
    for (const line of lines.slice(1)) {
      if (
        line === '' ||
        line.includes('two') ||
        line.includes('02-30') ||
        line.includes('US$') ||
        line.includes(',,USD')
      )
        continue;
      const cells = line.match(/("[^"]*"|[^,]+)/g)!.map((cell) => cell.replace(/^"|"$/g, ''));
      if (cells.length < 15) continue;
      sheet.addRow(
        cells.map((cell, index) => {
          if (index === 0) return new Date(`${cell}T00:00:00Z`);
          return numeric.has(index) ? Number(cell) : cell;
        }),
      );
    }
    // And malformed ones: text where a number belongs, a blank title, a value past the last column.
    sheet.addRow([
      new Date('2026-03-10T00:00:00Z'),
      'X',
      'Y',
      'B0C1234567',
      'Amazon.com',
      '70%',
      'Standard',
      1,
      0,
      1,
      4.99,
      4.99,
      0,
      'n/a',
      'USD',
    ]);
    sheet.addRow([
      new Date('2026-03-11T00:00:00Z'),
      '',
      'Y',
      'B0C1234567',
      'Amazon.com',
      '70%',
      'Standard',
      1,
      0,
      1,
      4.99,
      4.99,
      0,
      3.45,
      'USD',
    ]);
    sheet.addRow([
      new Date('2026-03-12T00:00:00Z'),
      'X',
      'Y',
      'B0C1234567',
      'Amazon.com',
      '70%',
      'Standard',
      1,
      0,
      1,
      4.99,
      4.99,
      0,
      3.45,
      'USD',
      'extra',
    ]);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());

    const store = recordStore();
    const report = await ingestReport({
      spec,
      input: Readable.from([bytes]),
      format: 'xlsx',
      sink: store.sink,
    });
    assert.deepEqual(report, {
      rows: 9,
      valid: 6,
      invalid: 3,
      errors: [
        { line: 8, column: 14, field: 'Royalty', reason: "Royalty: expected a number, got 'n/a'" },
        { line: 9, column: 2, field: 'Title', reason: 'Title: a value is required but the cell is empty' },
        {
          line: 10,
          reason:
            'The row has 16 cells but the header has 15 columns; check for a missing or extra separator',
        },
      ],
      errorsTruncated: false,
      sheet: KDP_SALES_SHEET,
    });
    assert.deepEqual([...store.byId.entries()], [...csvStore.byId.entries()]);
  });

  it('refuses a report of another layout with the columns it lacks', async () => {
    const prior =
      'Title,Author,ASIN,Marketplace,Units Sold,Units Refunded,Net Units Sold,Royalty,Currency\nA,B,B0C1234567,Amazon.com,1,0,1,3.45,USD\n';
    await assert.rejects(
      ingestReport({ spec, input: Readable.from([prior]), format: 'csv', sink: recordStore().sink }),
      (error: unknown) =>
        isPatchbayError(error, 'import_file_invalid') &&
        error.message ===
          'The header row (line 1) lacks the columns "Royalty Date", "ASIN/ISBN"; is this the right report?',
    );
  });
});

describe('amazon-kdp row coercions', () => {
  const base = {
    'Royalty Date': '2026-03-02',
    Title: 'T',
    'Author Name': '',
    'ASIN/ISBN': 'b0c1234567',
    Marketplace: 'Amazon.com',
    'Royalty Type': '70%',
    'Transaction Type': 'Standard',
    'Units Sold': '1,024',
    'Units Refunded': 0,
    'Net Units Sold': '1024',
    'Avg. List Price without tax': '',
    'Avg. Offer Price without tax': '-',
    Royalty: '1,234.565',
    Currency: 'usd',
  };

  it('reads dates, counts and amounts as KDP and spreadsheets write them', () => {
    const row = royaltyRowSchema.parse(base);
    assert.equal(row['ASIN/ISBN'], 'B0C1234567');
    assert.equal(row['Units Sold'], 1024);
    assert.equal(row['Author Name'], null);
    assert.equal(row['Avg. List Price without tax'], null);
    assert.equal(row['Avg. Offer Price without tax'], null);
    assert.equal(row.Royalty, '1234.565');
    assert.equal(row.Currency, 'USD');
    for (const [written, iso] of [
      ['2026-03-02', '2026-03-02'],
      ['3/2/2026', '2026-03-02'],
      ['Mar 2, 2026', '2026-03-02'],
      ['2026-03-02 00:00:00', '2026-03-02'],
    ]) {
      assert.equal(
        royaltyRowSchema.parse({ ...base, 'Royalty Date': written })['Royalty Date'],
        iso,
        written,
      );
    }
    assert.equal(
      royaltyRowSchema.parse({ ...base, 'Royalty Date': new Date('2026-03-02T00:00:00Z') })['Royalty Date'],
      '2026-03-02',
    );
    for (const bad of ['13/2/2026', 'yesterday', '2026-02-29']) {
      assert.equal(royaltyRowSchema.safeParse({ ...base, 'Royalty Date': bad }).success, false, bad);
    }
    for (const bad of ['1.5', 'x', '1,00']) {
      assert.equal(royaltyRowSchema.safeParse({ ...base, 'Units Sold': bad }).success, false, bad);
    }
  });

  it('converts amounts to minor units on the digits, half away from zero', () => {
    assert.equal(toMinorUnits('1234.565', 'USD'), 123457);
    assert.equal(toMinorUnits('0.285', 'USD'), 29);
    assert.equal(toMinorUnits('-3.494', 'EUR'), -349);
    assert.equal(toMinorUnits('-0.004', 'USD'), 0);
    assert.equal(toMinorUnits('245', 'JPY'), 245);
    assert.equal(toMinorUnits('245.5', 'JPY'), 246);
    assert.equal(toMinorUnits('1.2345', 'KWD'), 1235);
  });
});
