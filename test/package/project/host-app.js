/**
 * A host app on the installed package: an engine in library mode with this folder's providers
 * (PATCHBAY_PROVIDER_DIRS' equivalent), driven through the SDK the way a host backend drives it.
 * An end user connects Acme with an API key on the connect page (its request is made here as the
 * page makes it); then Acme's sync (JavaScript) and action, and Beta's action (TypeScript), run
 * against the emulator, and the records are read back with the SDK.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPatchbay } from 'patchbay';
import { PatchbayClient } from 'patchbay/sdk';
import { startAcme } from './emulator.js';

const API_KEY = 'acme-test-key';
const ORDERS = Array.from({ length: 5 }, (_, i) => ({
  id: `o${i + 1}`,
  total_cents: 100 * (i + 1),
  buyer: { email: `buyer${i + 1}@example.com` },
}));

const acme = await startAcme({ apiKey: API_KEY, orders: ORDERS, pageSize: 2 });
const engine = await createPatchbay({
  config: {
    dataDir: mkdtempSync(join(tmpdir(), 'patchbay-host-app-')),
    port: 0,
    logLevel: 'warn',
    providerDirs: join(import.meta.dirname, 'providers'),
    allowPrivateNetworks: 'loopback',
  },
});
try {
  const { url, firstApiKey } = await engine.start();
  const client = new PatchbayClient({ baseUrl: url, apiKey: firstApiKey });

  /** Connects `integration` for an end user as the connect page does, from a fresh connect session. */
  async function connectWithKey(integration) {
    const session = await client.connectSessions.create({ endUser: { id: 'user-1' } });
    assert.match(session.token, /^pb_cst_/);
    const response = await fetch(`${url}/connect/api/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ integration, values: { apiKey: API_KEY } }),
    });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    return body.connectionId;
  }

  for (const provider of ['acme', 'beta']) {
    const origin = `https://${provider}.example.test`;
    await client.integrations.create({ provider, settings: { baseUrls: { [origin]: acme.url } } });
  }
  const acmeConnection = await connectWithKey('acme');
  console.log(`ok SDK: connect session created; the end user connected acme (${acmeConnection})`);

  const before = acme.requests.length;
  const { runId } = await client.syncs.trigger(acmeConnection, 'orders');
  const run = await client.syncs.runs.wait(runId, { intervalMs: 100, timeoutMs: 60_000 });
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.equal(run.added, ORDERS.length);
  const records = [];
  for await (const record of client.records.iterate({ connectionId: acmeConnection, model: 'orders' })) {
    records.push(record);
  }
  assert.deepEqual(records.map((record) => record.id).sort(), ['o1', 'o2', 'o3', 'o4', 'o5']);
  assert.equal(records.find((record) => record.id === 'o3')?.data.totalCents, 300);
  const pages = acme.requests.slice(before);
  assert.deepEqual(pages, ['GET /orders', 'GET /orders?cursor=2', 'GET /orders?cursor=4']);
  console.log(
    `ok provider acme (JavaScript): sync "orders" read ${ORDERS.length} orders, ${pages.length} pages`,
  );
  console.log(`ok SDK: read the ${records.length} records back`);

  const note = await client.actions.run(acmeConnection, 'create-note', { text: 'hello from the host' });
  assert.equal(note.status, 'succeeded', JSON.stringify(note.error));
  assert.deepEqual(note.output, { id: 'note_1', text: 'hello from the host' });
  assert.deepEqual(acme.notes, ['hello from the host']);
  console.log('ok provider acme (JavaScript): action "create-note" wrote to the emulator');

  const betaConnection = await connectWithKey('beta');
  const counted = await client.actions.run(betaConnection, 'count-orders', {});
  assert.equal(counted.status, 'succeeded', JSON.stringify(counted.error));
  assert.deepEqual(counted.output, { count: 2, more: true });
  console.log('ok provider beta (TypeScript, types stripped by Node): action "count-orders" ran');
} finally {
  await engine.stop();
  await acme.close();
}
