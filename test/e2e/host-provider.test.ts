/**
 * A provider is one folder: test/fixtures/host-providers/acme-ledger is a host's own provider
 * (used the way PATCHBAY_PROVIDER_DIRS is) with a webhook signature no built-in provider has
 * (HMAC-SHA512, base64, `{timestamp}.{method}.{body}`, millisecond timestamp, base64 secret —
 * parameters of the generic `hmac` scheme), its own paginator (a page token in a response
 * header), a sync, an action and its emulator. Nothing under src/ knows it. An engine loads that
 * directory, connects with a pasted key (checked against the emulator), syncs every entry, writes
 * one with the action, and receives a webhook the emulator signed, refusing forged ones.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type LedgerEmulator, startLedgerEmulator } from '../fixtures/host-providers/acme-ledger/emulator.ts';
import {
  type JsonAnswer,
  type LibraryEngine,
  startLibraryEngine,
  waitFor,
} from '../support/library-engine.ts';

const PROVIDERS_DIR = join(import.meta.dirname, '..', 'fixtures', 'host-providers');
const API_KEY = 'al_test7f3k2';
const WEBHOOK_SECRET = randomBytes(32).toString('base64');
const ENTRIES = 25;

describe('a host provider folder, with nothing of it in src/', () => {
  let engine: LibraryEngine;
  let ledger: LedgerEmulator;
  let connectionId: string;

  before(async () => {
    ledger = await startLedgerEmulator({ apiKey: API_KEY, entries: ENTRIES });
    engine = await startLibraryEngine({ config: { providerDirs: PROVIDERS_DIR, apiRateLimit: 1_000_000 } });
  });

  after(async () => {
    await engine?.stop();
    await ledger?.close();
  });

  async function finished(runId: string): Promise<JsonAnswer['body']> {
    return waitFor(`run ${runId} to finish`, async () => {
      const run = await engine.call('GET', `/v1/sync-runs/${runId}`);
      return ['succeeded', 'failed'].includes(run.body.status) ? run.body : undefined;
    });
  }

  async function sync(): Promise<JsonAnswer['body']> {
    const trigger = await engine.call('POST', `/v1/connections/${connectionId}/syncs/entries/trigger`, {
      mode: 'full',
    });
    assert.equal(trigger.status, 202, trigger.text);
    const run = await finished(trigger.body.runId);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    return run;
  }

  it('is in the catalog, and connects with a key the emulator accepts', async () => {
    const integration = await engine.call('POST', '/v1/integrations', {
      provider: 'acme-ledger',
      webhookSecret: WEBHOOK_SECRET,
      settings: { baseUrls: { '*': ledger.url } },
    });
    assert.equal(integration.status, 201, integration.text);
    const session = await engine.call('POST', '/v1/connect/sessions', { endUser: { id: 'merchant-7' } });
    assert.equal(session.status, 201, session.text);
    const connect = (apiKey: string) =>
      engine.call(
        'POST',
        '/connect/api/credentials',
        { integration: 'acme-ledger', connectionConfig: { accountId: 'acct_7' }, values: { apiKey } },
        { authorization: `Bearer ${session.body.token}` },
      );
    const refused = await connect('al_wrongkey');
    assert.equal(refused.status >= 400 && refused.status < 500, true, refused.text);
    const connected = await connect(API_KEY);
    assert.equal(connected.status, 200, connected.text);
    connectionId = connected.body.connectionId;
    assert.match(connectionId, /^conn_/);
    assert.ok(ledger.requests.includes('GET /v1/me'));
  });

  it('syncs every entry through its own paginator, with exact counts', async () => {
    ledger.requests.length = 0;
    const run = await sync();
    assert.deepEqual([run.added, run.updated, run.deleted, run.pages], [ENTRIES, 0, 0, 3]);
    const listed = ledger.requests.filter((r) => r.startsWith('GET /v1/entries'));
    assert.equal(listed.length, 3);
    assert.equal(listed[0], 'GET /v1/entries?page_size=10');
    assert.match(listed[1] ?? '', /^GET \/v1\/entries\?page_size=10&page_token=[\w-]+$/);
    const records = await engine.call(
      'GET',
      `/v1/records?connectionId=${connectionId}&model=entries&limit=100`,
    );
    assert.equal(records.status, 200, records.text);
    assert.equal(records.body.data.length, ENTRIES);
    assert.deepEqual(records.body.data.find((r: { id: string }) => r.id === 'ent_0025')?.data, {
      id: 'ent_0025',
      amount: 2500,
      memo: 'entry 25',
    });
  });

  it('writes an entry with its action; the next sync finds exactly that one', async () => {
    const ran = await engine.call('POST', `/v1/connections/${connectionId}/actions/create-entry`, {
      input: { amount: 4200, memo: 'written by patchbay' },
    });
    assert.equal(ran.status, 200, ran.text);
    assert.equal(ran.body.status, 'succeeded', JSON.stringify(ran.body.error));
    assert.deepEqual(ran.body.output, { id: 'ent_0026' });
    assert.equal(ledger.entries.length, ENTRIES + 1);
    assert.deepEqual(ledger.entries.at(-1), { id: 'ent_0026', amount: 4200, memo: 'written by patchbay' });
    const run = await sync();
    assert.deepEqual([run.added, run.updated, run.unchanged, run.pages], [1, 0, ENTRIES, 3]);
  });

  it('verifies and stores a webhook the emulator signed, routes it, and refuses forged ones', async () => {
    const registered = await engine.call('GET', '/v1/integrations/acme-ledger/webhook-url');
    assert.equal(registered.status, 200, registered.text);
    assert.deepEqual(
      { ...registered.body, url: null },
      {
        url: null,
        scheme: 'hmac',
        preset: null,
        secretFrom: 'integration',
        perConnection: false,
      },
    );
    const intake = `${engine.baseUrl}${new URL(registered.body.url).pathname}`;
    const body = JSON.stringify({
      id: 'evt_1',
      type: 'entry.created',
      account: 'acct_7',
      data: { id: 'ent_0026' },
    });
    const post = (payload: string, headers: Record<string, string>) =>
      fetch(intake, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-ledger-attempt': '1',
          'x-ledger-trace': 't-9',
          ...headers,
        },
        body: payload,
      });
    const signed = ledger.signWebhook(body, { secret: WEBHOOK_SECRET, timestamp: Date.now() });

    const forged = await post(
      body,
      ledger.signWebhook(body, { secret: randomBytes(32).toString('base64'), timestamp: Date.now() }),
    );
    assert.equal(forged.status, 401);
    assert.equal(
      ((await forged.json()) as { error: { code: string } }).error.code,
      'webhook_signature_invalid',
    );
    const tampered = await post(body.replace('ent_0026', 'ent_0001'), signed);
    assert.equal(tampered.status, 401);
    await tampered.arrayBuffer();
    const stale = await post(
      body,
      ledger.signWebhook(body, { secret: WEBHOOK_SECRET, timestamp: Date.now() - 301_000 }),
    );
    assert.equal(
      ((await stale.json()) as { error: { code: string } }).error.code,
      'webhook_timestamp_invalid',
    );

    const accepted = await post(body, signed);
    assert.equal(accepted.status, 200);
    const { id } = (await accepted.json()) as { id: string };
    const event = await waitFor('the event to be processed', async () => {
      const answer = await engine.call('GET', `/v1/inbound-events/${id}`);
      return answer.body.status === 'processed' ? answer.body : undefined;
    });
    assert.equal(event.eventType, 'entry.created');
    assert.deepEqual(event.connectionIds, [connectionId]);
    assert.deepEqual(event.payload, { kind: 'json', value: JSON.parse(body) });
    // Its own signature headers and what keepHeaders names are kept; nothing else of Acme's.
    assert.equal(event.headers['x-ledger-signature'], signed['x-ledger-signature']);
    assert.equal(event.headers['x-ledger-attempt'], '1');
    assert.equal(event.headers['x-ledger-trace'], undefined);
    const events = await engine.call('GET', '/v1/events?type=inbound.acme-ledger.entry.created');
    assert.equal(events.status, 200, events.text);
    assert.equal(events.body.data.length, 1);
  });
});
