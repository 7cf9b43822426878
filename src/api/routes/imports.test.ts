import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { PatchbayError } from '../../errors/index.ts';
import { newId } from '../../ids/index.ts';
import type { ModelSchemas, SyncImport } from '../../scripting/types.ts';
import { ingestReport } from '../../syncs/import/index.ts';
import { type ImportReportFn, importRoutes } from './imports.ts';

const spec: SyncImport<ModelSchemas, z.ZodType> = {
  formats: ['csv', 'xlsx'],
  row: z.object({ SKU: z.string().min(1), Units: z.coerce.number().int() }),
  toRecords: (rows) =>
    (rows as Array<{ SKU: string; Units: number }>).map((row) => ({
      model: 'items',
      record: { id: row.SKU, units: row.Units },
    })),
};

/** A runner stand-in that really ingests the upload, into a map that counts added/updated/unchanged. */
function stubRunner() {
  const stored = new Map<string, string>();
  const calls: Array<{ environmentId: string; connectionId: string; syncName: string; filename: string }> =
    [];
  const importReport: ImportReportFn = async (environmentId, connectionId, syncName, upload) => {
    calls.push({ environmentId, connectionId, syncName, filename: upload.filename });
    if (syncName !== 'items') throw new PatchbayError('sync_not_found', `No sync ${syncName}`);
    let added = 0;
    let updated = 0;
    let unchanged = 0;
    const report = await ingestReport({
      spec,
      input: upload.stream,
      format: upload.format,
      sink: {
        async save(_model, records) {
          for (const record of records as Array<{ id: string }>) {
            const json = JSON.stringify(record);
            const before = stored.get(record.id);
            if (before === undefined) added++;
            else if (before === json) unchanged++;
            else updated++;
            stored.set(record.id, json);
          }
        },
      },
    });
    return { runId: newId('syncRun'), report, added, updated, unchanged };
  };
  return { importReport, calls, stored };
}

/** A multipart/form-data body with the given parts. */
function multipart(parts: Array<{ name: string; filename?: string; type?: string; data: string | Buffer }>): {
  payload: Buffer;
  headers: Record<string, string>;
} {
  const boundary = '----patchbay-test-boundary';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    const type = part.type ? `\r\nContent-Type: ${part.type}` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`));
    chunks.push(typeof part.data === 'string' ? Buffer.from(part.data) : part.data);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const CSV = 'SKU,Units\na-1,3\na-2,x\na-3,5\n';

for (const target of await testDatabases()) {
  describe(`POST /v1/connections/:id/syncs/:sync/import on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    const runner = stubRunner();
    const connectionId = newId('connection');
    const url = `/v1/connections/${connectionId}/syncs/items/import`;

    before(async () => {
      database = await target.create!();
      api = await createTestApi(database, {
        routes: [importRoutes({ importReport: runner.importReport, maxFileSize: 32 * 1024 })],
      });
    });
    after(async () => {
      await api?.close();
      await database?.destroy();
    });

    it('streams a CSV upload into the sync and answers the report and counts', async () => {
      const body = multipart([{ name: 'file', filename: 'report.csv', type: 'text/csv', data: CSV }]);
      const response = await api.app.inject({
        method: 'POST',
        url,
        headers: { ...api.devAuth, ...body.headers },
        payload: body.payload,
      });
      assert.equal(response.statusCode, 200, response.body);
      const result = response.json();
      assert.match(result.runId, /^run_/);
      assert.deepEqual(result.report, {
        rows: 3,
        valid: 2,
        invalid: 1,
        errors: [{ line: 3, column: 2, field: 'Units', reason: result.report.errors[0].reason }],
        errorsTruncated: false,
      });
      assert.match(result.report.errors[0].reason, /^Units: .*got 'x'$/);
      assert.deepEqual(
        { added: result.added, updated: result.updated, unchanged: result.unchanged },
        { added: 2, updated: 0, unchanged: 0 },
      );
      assert.deepEqual(runner.calls.at(-1), {
        environmentId: api.dev.id,
        connectionId,
        syncName: 'items',
        filename: 'report.csv',
      });

      const again = await api.app.inject({
        method: 'POST',
        url,
        headers: { ...api.devAuth, ...body.headers },
        payload: body.payload,
      });
      assert.deepEqual(
        { added: again.json().added, updated: again.json().updated, unchanged: again.json().unchanged },
        { added: 0, updated: 0, unchanged: 2 },
      );
    });

    it('reads an XLSX upload (format from the extension, whatever the browser labels it)', async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('Stock');
      sheet.addRow(['SKU', 'Units']);
      sheet.addRow(['b-1', 7]);
      sheet.addRow(['', 2]);
      const data = Buffer.from(await workbook.xlsx.writeBuffer());
      const body = multipart([
        { name: 'note', data: 'a field before the file' },
        { name: 'file', filename: 'Stock.XLSX', type: 'application/octet-stream', data },
      ]);
      const response = await api.app.inject({
        method: 'POST',
        url,
        headers: { ...api.devAuth, ...body.headers },
        payload: body.payload,
      });
      assert.equal(response.statusCode, 200, response.body);
      const { report } = response.json();
      assert.equal(report.sheet, 'Stock');
      assert.deepEqual([report.rows, report.valid, report.invalid], [2, 1, 1]);
      assert.deepEqual(report.errors, [
        { line: 3, column: 1, field: 'SKU', reason: 'SKU: a value is required but the cell is empty' },
      ]);
    });

    it('answers 400 import_file_missing without a file in the field "file"', async () => {
      for (const parts of [
        [{ name: 'note', data: 'no file here' }],
        [{ name: 'upload', filename: 'report.csv', type: 'text/csv', data: CSV }],
      ]) {
        const body = multipart(parts);
        const response = await api.app.inject({
          method: 'POST',
          url,
          headers: { ...api.devAuth, ...body.headers },
          payload: body.payload,
        });
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().error.code, 'import_file_missing');
        assert.match(response.json().error.message, /field "file"/);
      }
    });

    it('answers 415 to a body that is not multipart, naming what to send', async () => {
      for (const [type, payload] of [
        ['application/json', '{"file":"x"}'],
        ['text/csv', CSV],
      ] as const) {
        const response = await api.app.inject({
          method: 'POST',
          url,
          headers: { ...api.devAuth, 'content-type': type },
          payload,
        });
        assert.equal(response.statusCode, 415, type);
        assert.equal(response.json().error.code, 'unsupported_media_type');
        assert.match(response.json().error.message, /multipart\/form-data/);
      }
    });

    it('answers 415 import_format_unsupported to a file that is neither CSV nor XLSX', async () => {
      const body = multipart([
        { name: 'file', filename: 'report.xls', type: 'application/vnd.ms-excel', data: 'x' },
      ]);
      const response = await api.app.inject({
        method: 'POST',
        url,
        headers: { ...api.devAuth, ...body.headers },
        payload: body.payload,
      });
      assert.equal(response.statusCode, 415);
      assert.equal(response.json().error.code, 'import_format_unsupported');
      assert.match(response.json().error.message, /save it as \.xlsx or \.csv/);
    });

    it('answers 400 import_file_invalid to an unreadable report, 413 past the size limit', async () => {
      let body = multipart([{ name: 'file', filename: 'r.csv', data: 'SKU,SKU\n1,2\n' }]);
      let response = await api.app.inject({
        method: 'POST',
        url,
        headers: { ...api.devAuth, ...body.headers },
        payload: body.payload,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.code, 'import_file_invalid');
      assert.match(response.json().error.message, /names "SKU" twice/);

      body = multipart([{ name: 'file', filename: 'r.xlsx', data: 'SKU,Units\n' }]);
      response = await api.app.inject({
        method: 'POST',
        url,
        headers: { ...api.devAuth, ...body.headers },
        payload: body.payload,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.code, 'import_file_invalid');

      const big = `SKU,Units\n${'c-1,1\n'.repeat(6000)}`;
      body = multipart([{ name: 'file', filename: 'big.csv', data: big }]);
      response = await api.app.inject({
        method: 'POST',
        url,
        headers: { ...api.devAuth, ...body.headers },
        payload: body.payload,
      });
      assert.equal(response.statusCode, 413);
      assert.equal(response.json().error.code, 'payload_too_large');
      assert.match(response.json().error.message, /larger than the 32 KB limit/);
    });

    it('checks the key and the connection id before reading the body', async () => {
      const body = multipart([{ name: 'file', filename: 'report.csv', data: CSV }]);
      let response = await api.app.inject({
        method: 'POST',
        url,
        headers: body.headers,
        payload: body.payload,
      });
      assert.equal(response.statusCode, 401);
      response = await api.app.inject({
        method: 'POST',
        url: '/v1/connections/int_123/syncs/items/import',
        headers: { ...api.devAuth, ...body.headers },
        payload: body.payload,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.code, 'invalid_id');
      response = await api.app.inject({
        method: 'POST',
        url: `/v1/connections/${connectionId}/syncs/nope/import`,
        headers: { ...api.devAuth, ...body.headers },
        payload: body.payload,
      });
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().error.code, 'sync_not_found');
    });

    it('leaves the JSON routes JSON-only', async () => {
      const json = await api.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: api.devAuth,
        payload: { name: 'still json' },
      });
      assert.equal(json.statusCode, 201);
      const body = multipart([{ name: 'name', data: 'form key' }]);
      const form = await api.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: { ...api.devAuth, ...body.headers },
        payload: body.payload,
      });
      assert.equal(form.statusCode, 415);
      assert.equal(form.json().error.code, 'unsupported_media_type');
    });

    it('documents the route in the OpenAPI document', async () => {
      const response = await api.app.inject({ method: 'GET', url: '/openapi.json' });
      const operation = response.json().paths['/v1/connections/{id}/syncs/{sync}/import']?.post;
      assert.ok(operation, 'the import route is in the document');
      assert.deepEqual(operation.security, [{ bearerAuth: [] }]);
    });
  });
}
