/**
 * Report import end to end: an Amazon KDP royalty report uploaded to the engine's HTTP API as
 * multipart/form-data becomes an import run and sales records; re-uploading it changes nothing;
 * unreadable files and unsupported formats get their 4xx codes and leave the records as they were.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type LibraryEngine, startLibraryEngine } from '../support/library-engine.ts';

const REPORT = readFileSync(
  new URL('../../providers/amazon-kdp/fixtures/combined-sales.csv', import.meta.url),
);

describe('KDP report import through the API', () => {
  let engine: LibraryEngine;
  let connectionId: string;

  before(async () => {
    engine = await startLibraryEngine();
    const created = await engine.call('POST', '/v1/integrations', { provider: 'amazon-kdp' });
    assert.equal(created.status, 201, created.text);
    const { environments, providers } = engine.engine.services;
    const dev = await environments.getEnvironmentByName('dev');
    const connection = await providers.connections.save(dev.id, {
      integrationId: created.body.id,
      endUser: { id: 'author-1', email: null, organization: null },
      credentials: { type: 'none' },
      connectionConfig: {},
      metadata: {},
    });
    connectionId = connection.id;
  });
  after(() => engine?.stop());

  async function upload(body: Uint8Array, filename: string, type = 'text/csv') {
    const form = new FormData();
    form.append('file', new Blob([body], { type }), filename);
    const response = await fetch(`${engine.baseUrl}/v1/connections/${connectionId}/syncs/royalties/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engine.apiKey}` },
      body: form,
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text), text };
  }

  async function salesCount(): Promise<number> {
    const page = await engine.call('GET', `/v1/records?connectionId=${connectionId}&model=sales&limit=200`);
    assert.equal(page.status, 200, page.text);
    return page.body.data.length;
  }

  it('imports the valid rows as sales and reports the others with their lines', async () => {
    const first = await upload(REPORT, 'royalties.csv');
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.report.valid, 6);
    assert.equal(first.body.report.invalid, 5);
    assert.ok(
      first.body.report.errors.every(
        (e: { line: number; reason: string }) => e.line > 1 && e.reason.length > 0,
      ),
    );
    assert.equal(first.body.added, 6);
    assert.equal(await salesCount(), 6);
    const run = await engine.call('GET', `/v1/sync-runs/${first.body.runId}`);
    assert.equal(run.body.trigger, 'import');
    assert.equal(run.body.status, 'succeeded');
    assert.equal(run.body.details.import.invalid, 5);
    assert.equal(run.body.rejected, 5, 'the refused rows are counted in the run');
    const events = await engine.call('GET', '/v1/events?type=sync.succeeded&limit=100');
    const succeeded = events.body.data.find(
      (e: { data: { syncRunId: string } }) => e.data.syncRunId === first.body.runId,
    );
    assert.deepEqual([succeeded?.data.added, succeeded?.data.rejected], [6, 5], 'and in sync.succeeded');
    const [sync] = (await engine.call('GET', `/v1/connections/${connectionId}/syncs`)).body.data;
    assert.equal(sync.schedule.nextRunAt, null, 'only uploads start an import-only sync');
  });

  it('re-importing the same report leaves every sale unchanged', async () => {
    const again = await upload(REPORT, 'royalties.csv');
    assert.equal(again.status, 200, again.text);
    assert.deepEqual([again.body.added, again.body.updated, again.body.unchanged], [0, 0, 6]);
    assert.equal(await salesCount(), 6);
  });

  it('refuses unreadable files and other formats with 4xx codes, keeping the records', async () => {
    const empty = await upload(new Uint8Array(), 'empty.csv');
    assert.equal(empty.status, 400, empty.text);
    assert.equal(empty.body.error.code, 'import_file_invalid');
    const notSpreadsheet = await upload(
      new TextEncoder().encode('not a workbook'),
      'report.xlsx',
      'application/octet-stream',
    );
    assert.equal(notSpreadsheet.status, 400, notSpreadsheet.text);
    assert.equal(notSpreadsheet.body.error.code, 'import_file_invalid');
    const text = await upload(new TextEncoder().encode('hello'), 'notes.txt', 'text/plain');
    assert.equal(text.status, 415, text.text);
    assert.equal(text.body.error.code, 'import_format_unsupported');
    assert.equal(await salesCount(), 6);
  });

  it('a sync that calls an API cannot be triggered for an import-only provider', async () => {
    const trigger = await engine.call('POST', `/v1/connections/${connectionId}/syncs/royalties/trigger`, {});
    assert.equal(trigger.status, 400);
    assert.equal(trigger.body.error.code, 'import_not_supported');
  });
});
