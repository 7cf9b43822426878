/**
 * The demo's webhook receiver: what a host app's endpoint does with Patchbay's messages. It
 * checks each delivery's Standard Webhooks signature (HMAC-SHA256 over `id.timestamp.body` with
 * the endpoint's `whsec_` secret) the way any receiver should, keeps the latest deliveries, and
 * shows them at `/` (HTML) and `/deliveries.json`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  receivedAt: string;
  messageId: string;
  eventType: string;
  verified: boolean;
  payload: unknown;
}

export interface DemoReceiver {
  readonly url: string;
  readonly deliveries: readonly ReceivedDelivery[];
  /** The signing secret of the endpoint that posts here (known once the endpoint exists). */
  setSecret(secret: string): void;
  close(): Promise<void>;
}

const KEPT = 200;
/** Signatures older or newer than this are refused, as Standard Webhooks advises. */
const TOLERANCE_SECONDS = 300;

export async function startDemoReceiver(port: number): Promise<DemoReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  let key: Buffer | null = null;
  const server = createServer((request, response) => {
    if (request.method === 'POST') {
      void receive(request, response);
      return;
    }
    if (request.url === '/deliveries.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(deliveries, null, 2));
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
    response.end(page(deliveries));
  });

  async function receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const id = header(request, 'webhook-id');
    const verified =
      key !== null && signatureValid(key, id, header(request, 'webhook-timestamp'), body, request);
    let payload: unknown = body;
    try {
      payload = JSON.parse(body);
    } catch {
      // Kept as text: the page shows what arrived.
    }
    deliveries.unshift({
      receivedAt: new Date().toISOString(),
      messageId: id,
      eventType:
        typeof payload === 'object' && payload !== null ? String((payload as { type?: unknown }).type) : '',
      verified,
      payload,
    });
    deliveries.length = Math.min(deliveries.length, KEPT);
    response.writeHead(verified ? 204 : 401);
    response.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    deliveries,
    setSecret(secret) {
      key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return typeof value === 'string' ? value : '';
}

function signatureValid(
  key: Buffer,
  id: string,
  timestamp: string,
  body: string,
  request: IncomingMessage,
): boolean {
  const seconds = Number(timestamp);
  if (!id || !Number.isInteger(seconds) || Math.abs(Date.now() / 1000 - seconds) > TOLERANCE_SECONDS)
    return false;
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  // The header holds space-separated `v1,<base64>` signatures (several during a secret rotation).
  return header(request, 'webhook-signature')
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      if (version !== 'v1' || !signature) return false;
      const given = Buffer.from(signature, 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(deliveries: readonly ReceivedDelivery[]): string {
  const rows = deliveries
    .map(
      (d) =>
        `<tr><td>${escapeHtml(d.receivedAt)}</td><td>${escapeHtml(d.eventType)}</td><td>${d.verified ? 'verified' : '<strong>bad signature</strong>'}</td><td><pre>${escapeHtml(JSON.stringify(d.payload, null, 2))}</pre></td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Patchbay demo receiver</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td{border-top:1px solid #ccc;padding:.4rem;vertical-align:top}pre{margin:0;max-height:12rem;overflow:auto}</style></head>
<body><h1>Deliveries from Patchbay</h1><p>${deliveries.length} received (newest first; reload to refresh).</p>
<table><tr><th>received</th><th>event</th><th>signature</th><th>payload</th></tr>${rows}</table></body></html>`;
}
