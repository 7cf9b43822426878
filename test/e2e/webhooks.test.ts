/**
 * Outbound webhooks end to end on one engine (embedded database): an endpoint pointing at a local
 * receiver gets every message signed per Standard Webhooks — verified at the receiver with the
 * official `standardwebhooks` library and with `svix`'s verifier, through a secret rotation
 * (old and new secret each verify alone) — failed attempts are retried, and engine events
 * (`connection.created`) reach the endpoint through the outbox.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { type OAuthSandbox, startOAuthSandbox } from '../../sandbox/index.ts';
import { createPatchbay, type Patchbay } from '../../src/engine/index.ts';
import { createLogger } from '../../src/logger/index.ts';
import { generateKeyString } from '../../src/vault/index.ts';
import { connectHeadless } from '../support/connect-flow.ts';

const FIXTURE_PROVIDERS = new URL('../fixtures/providers/', import.meta.url).pathname;

interface Received {
  id: string;
  headers: Record<string, string>;
  body: string;
}

describe('outbound webhooks end to end', () => {
  let dataDir: string;
  let engine: Patchbay;
  let sandbox: OAuthSandbox;
  let receiver: Server;
  let receiverUrl: string;
  let baseUrl: string;
  let apiKey: string;
  const received: Received[] = [];
  /** Status answers queued for the next requests; 200 when empty. */
  const answers: number[] = [];

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'patchbay-webhooks-e2e-'));
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([name, value]) => [
            name,
            Array.isArray(value) ? value.join(',') : (value ?? ''),
          ]),
        );
        received.push({
          id: headers['webhook-id'] ?? '',
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.statusCode = answers.shift() ?? 200;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    sandbox = await startOAuthSandbox({ clients: [] });
    engine = await createPatchbay({
      config: {
        dataDir,
        port: 0,
        encryptionKeys: generateKeyString(),
        providerDirs: FIXTURE_PROVIDERS,
        allowPrivateNetworks: 'loopback',
        webhookRetrySchedule: '0,300ms,600ms',
        webhookRetryJitter: 0,
      },
      logger: createLogger({ level: 'silent' }),
    });
    const report = await engine.start();
    baseUrl = report.url ?? '';
    apiKey = report.firstApiKey ?? '';
  });

  after(async () => {
    await engine?.stop();
    await sandbox?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs every message so that standardwebhooks and svix verify it, before and during a rotation', async () => {
    const created = await call('POST', '/v1/endpoints', {
      url: receiverUrl,
      eventTypes: ['order.*', 'connection.*'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const endpointId = created.body.id as string;
    const oldSecret = created.body.secret as string;
    assert.match(oldSecret, /^whsec_/);

    const first = await call('POST', '/v1/messages', {
      eventType: 'order.created',
      data: { orderId: 'o-1' },
    });
    assert.ok(first.status >= 200 && first.status < 300, JSON.stringify(first.body));
    const delivered = await waitFor('the first delivery', () => received.find((r) => r.body.includes('o-1')));
    for (const verifier of [new StandardWebhook(oldSecret)]) {
      assert.deepEqual((verifier.verify(delivered.body, delivered.headers) as { data: unknown }).data, {
        orderId: 'o-1',
      });
    }
    new SvixWebhook(oldSecret).verify(delivered.body, {
      'svix-id': delivered.headers['webhook-id'] ?? '',
      'svix-timestamp': delivered.headers['webhook-timestamp'] ?? '',
      'svix-signature': delivered.headers['webhook-signature'] ?? '',
    });
    const payload = JSON.parse(delivered.body) as { type: string; timestamp: string; data: unknown };
    assert.equal(payload.type, 'order.created');
    assert.ok(!Number.isNaN(Date.parse(payload.timestamp)));

    const rotated = await call('POST', `/v1/endpoints/${endpointId}/secret/rotate`, {});
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const newSecret = rotated.body.secret as string;
    assert.notEqual(newSecret, oldSecret);
    await call('POST', '/v1/messages', { eventType: 'order.updated', data: { orderId: 'o-2' } });
    const during = await waitFor('the delivery during rotation', () =>
      received.find((r) => r.body.includes('o-2')),
    );
    assert.equal(during.headers['webhook-signature']?.split(' ').length, 2);
    for (const secret of [oldSecret, newSecret]) {
      new StandardWebhook(secret).verify(during.body, during.headers);
      new SvixWebhook(secret).verify(during.body, {
        'svix-id': during.headers['webhook-id'] ?? '',
        'svix-timestamp': during.headers['webhook-timestamp'] ?? '',
        'svix-signature': during.headers['webhook-signature'] ?? '',
      });
    }
    // A message of a type the endpoint does not take is not delivered to it.
    await call('POST', '/v1/messages', { eventType: 'invoice.paid', data: { invoiceId: 'i-1' } });
  });

  it('retries a failed attempt per the schedule and logs both attempts', async () => {
    answers.push(500);
    const sent = await call('POST', '/v1/messages', { eventType: 'order.created', data: { orderId: 'o-3' } });
    // One message per matching endpoint: here, the one endpoint.
    const messages = sent.body.data as Array<{ id: string }>;
    assert.equal(messages.length, 1);
    const messageId = messages[0]?.id ?? '';
    await waitFor('two attempts', () =>
      received.filter((r) => r.body.includes('o-3')).length >= 2 ? true : undefined,
    );
    const log = await call('GET', `/v1/messages/${messageId}/attempts`);
    assert.equal(log.status, 200, JSON.stringify(log.body));
    const rows = log.body.data as Array<{ responseStatus: number; status: string }>;
    assert.deepEqual(rows.map((row) => [row.responseStatus, row.status]).sort(), [
      [200, 'succeeded'],
      [500, 'failed'],
    ]);
    const ids = new Set(received.filter((r) => r.body.includes('o-3')).map((r) => r.id));
    assert.equal(ids.size, 1, 'a retry keeps the webhook-id, so receivers can deduplicate');
  });

  it('delivers engine events from the outbox: connection.created after a connect', async () => {
    sandbox.control.addClient({
      clientId: 'app',
      clientSecret: 'app-secret-9a8b',
      redirectUris: [`${baseUrl}/connect/oauth/callback`],
    });
    const integration = await call('POST', '/v1/integrations', {
      provider: 'sandbox-oauth',
      clientId: 'app',
      clientSecret: 'app-secret-9a8b',
      settings: { baseUrls: { 'https://sandbox-oauth.example.test': sandbox.origin } },
    });
    assert.equal(integration.status, 201, JSON.stringify(integration.body));
    const { connectionId } = await connectHeadless({
      engineUrl: baseUrl,
      apiKey,
      integration: 'sandbox-oauth',
    });
    const event = await waitFor('connection.created', () =>
      received.find((r) => r.body.includes('"connection.created"') && r.body.includes(connectionId)),
    );
    const payload = JSON.parse(event.body) as { data: Record<string, unknown> };
    assert.equal(payload.data.connectionId, connectionId);
    assert.ok(!received.some((r) => r.body.includes('i-1')), 'invoice.paid was filtered out');
  });
});
